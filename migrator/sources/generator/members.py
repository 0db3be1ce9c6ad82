"""The workspace a generated OplaCRM bundle would be migrated into: its active users, invited.

A production workspace has invited the sales team before the migration; without them nearly
every generated record would be held for an owner with no workspace member. Benches and tests
that generate a bundle write this list as the sandbox's members file
(``destination.sandbox.members`` / ``migrator sandbox serve --members``).
"""

from __future__ import annotations

import json
from pathlib import Path

from migrator.private_files import write_private_atomic


def active_user_members(bundle: Path) -> list[dict[str, str]]:
    """``{firstName, lastName, email}`` of every active user with an email in ``bundle``'s
    ``users.jsonl``, in file order."""
    members: list[dict[str, str]] = []
    with (bundle / "users.jsonl").open(encoding="utf-8") as users:
        for line in users:
            if not line.strip():
                continue
            user = json.loads(line)
            if user.get("active") and user.get("email"):
                members.append(
                    {
                        "firstName": user.get("first_name") or "",
                        "lastName": user.get("last_name") or "",
                        "email": user["email"],
                    }
                )
    return members


def write_members_file(bundle: Path, path: Path) -> int:
    """Write :func:`active_user_members` of ``bundle`` as a JSON members file at ``path``
    (owner-only); the number of members."""
    members = active_user_members(bundle)
    write_private_atomic(path, json.dumps(members).encode("utf-8"))
    return len(members)
