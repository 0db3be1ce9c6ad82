"""The audit against a sandbox Twenty: owners without members, and records it would hit.

The sandbox database is prepared beside the example spec (its default destination
``sandbox:.migrator/sandbox.db``): members invited for some owners, and people already in Twenty
carrying a contact's email, one live and one soft-deleted. The audit must report the owners left
without a member, a merge into the live person and a restore of the deleted one, and count its
own requests, leaving the workspace as it was.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from migrator import workflows
from migrator.audit.model import Level
from migrator.destination import open_destination
from migrator.sandbox.app import make_sandbox
from migrator.sandbox.config import SandboxConfig
from migrator.validate.emails import check_email
from tests.integration.preflight.workspace import edit_spec, make_example, read_objects


def _prepare_sandbox(folder: Path, members: list[str]) -> Path:
    db = folder / ".migrator" / "sandbox.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    members_file = folder / "workspace-members.json"  # the file the example spec names
    members_file.write_text(
        json.dumps(
            [{"firstName": "M", "lastName": str(i), "email": e} for i, e in enumerate(members)]
        ),
        encoding="utf-8",
    )
    make_sandbox(SandboxConfig(db_path=db, members_file=members_file)).close()
    return db


def _contact_emails(bundle: Path, count: int) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for row in read_objects(bundle, "contacts"):
        email = check_email(row["email"]).value if row.get("email") else None
        if email is not None and all(email.primary.lower() != e for _, e in found):
            found.append((row["id"], email.primary.lower()))
        if len(found) == count:
            break
    return found


def test_owners_merges_and_restores_are_found_with_counted_requests(tmp_path: Path) -> None:
    spec, _ = make_example(tmp_path, "oplacrm", records=300, seed=4)
    users = read_objects(tmp_path / "data", "users")
    invited = [u["email"] for u in users[:2]]
    db = _prepare_sandbox(tmp_path, invited)
    (live_id, live), (gone_id, gone) = _contact_emails(tmp_path / "data", 2)
    with open_destination(f"sandbox:{db}", None) as dest:
        people = dest.client.records
        ids = [str(uuid.uuid4()), str(uuid.uuid4())]
        rows = [
            {"id": i, "emails": {"primaryEmail": e}} for i, e in zip(ids, (live, gone), strict=True)
        ]
        assert people.create_batch("people", rows).written_ids
        people.delete_many("people", [ids[1]])

    report = workflows.audit(spec, environ={})

    assert report.destination.checked and report.destination.requests > 0
    [merge] = report.by_code("would_merge")
    [restore] = report.by_code("would_restore")
    assert (merge.object, merge.field) == ("person", "emails.primaryEmail")
    assert f"oplacrm:contacts:{live_id}" in merge.examples
    assert f"oplacrm:contacts:{gone_id}" in restore.examples
    assert merge.level is restore.level is Level.WARN
    [no_member] = report.by_code("owner_without_member")
    assert no_member.count == len({u["external_id"] for u in users[2:]})
    assert not set(no_member.examples) & {u["external_id"] for u in users[:2]}
    with open_destination(f"sandbox:{db}", None) as dest:
        remaining = list(
            dest.client.records.iter(
                "people", filter="or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)"
            )
        )
    assert len(remaining) == 2, "the audit only reads"


def test_an_empty_workspace_costs_one_count_per_object(tmp_path: Path) -> None:
    spec, _ = make_example(tmp_path, "aeronaclinic", records=200, seed=4)
    _prepare_sandbox(tmp_path, ["practice.manager@example.org"])
    report = workflows.audit(spec, environ={})
    assert not report.by_code("would_merge") and not report.by_code("would_restore")
    # members, metadata, and one totalCount for person (the only object with unique values)
    assert report.destination.requests <= 4
    assert not report.by_code("fallback_member_missing")


def test_a_missing_fallback_member_would_stop_the_run(tmp_path: Path) -> None:
    spec, _ = make_example(tmp_path, "aeronaclinic", records=200, seed=4)
    _prepare_sandbox(tmp_path, ["someone.else@example.org"])
    report = workflows.audit(spec, environ={})
    [missing] = report.by_code("fallback_member_missing")
    assert missing.level is Level.ERROR and report.has_errors


def test_a_real_destination_without_a_key_is_reported_not_asked(tmp_path: Path) -> None:
    spec, _ = make_example(tmp_path, "oplacrm", records=200, seed=4)
    report = workflows.audit(spec, environ={"TWENTY_API_URL": "https://crm.example.invalid"})
    assert not report.destination.checked
    assert "TWENTY_API_KEY" in report.destination.reason
    [note] = report.by_code("destination_not_checked")
    assert note.level is Level.INFO


def test_offline_skips_the_destination(tmp_path: Path) -> None:
    spec, _ = make_example(tmp_path, "oplacrm", records=200, seed=4)
    edit_spec(spec, "sandbox:.migrator/sandbox.db", "sandbox:.migrator/other.db")
    report = workflows.audit(spec, environ={}, check_destination=False)
    assert not report.destination.checked
    assert not (tmp_path / ".migrator" / "other.db").exists()
