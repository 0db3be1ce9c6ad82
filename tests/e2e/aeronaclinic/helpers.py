"""Lookups the AeronaClinic row tests share: users to members (with the fallback), latest rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from tests.e2e.project import AppliedExample, Record
from tests.e2e.sources import instant

FALLBACK_EMAIL = "practice.manager@example.org"


def members_by_email(aerona: AppliedExample) -> dict[str, str]:
    """Workspace member id by (lower-case) email."""
    return {str(m["userEmail"]).lower(): str(m["id"]) for m in aerona.records("workspaceMembers")}


def member_by_user(aerona: AppliedExample) -> dict[int, str]:
    """AeronaClinic userId → member id: by email, else the spec's fallback member."""
    members = members_by_email(aerona)
    fallback = members[FALLBACK_EMAIL]
    return {
        int(user["userId"]): members.get(str(user["email"]).lower(), fallback)
        for user in aerona.rows("users")
    }


def latest(rows: Iterable[Record], order_by: str) -> Record | None:
    """The row with the greatest ``order_by`` instant (ISO text with offsets)."""
    candidates = [(instant(str(r[order_by])), r) for r in rows if r.get(order_by)]
    best = max(
        candidates, key=lambda pair: pair[0] or datetime.min.replace(tzinfo=UTC), default=None
    )
    return best[1] if best else None
