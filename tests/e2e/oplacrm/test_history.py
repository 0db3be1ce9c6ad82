"""OplaCRM engagement history, attachments, skipped objects, conservation and verify, end to end.

Calls, emails, meetings and tasks become Twenty Tasks; notes and stage logs become Notes; each is
linked through task/note targets to its company, person and opportunity, and keeps its original
``createdAt`` with ``createdBy.source = IMPORT`` (the guide's process step "activity history ...
with original timestamps"). Files are uploaded and attached. Objects with no place in Twenty are
skipped with a reason and still counted: for every mapping, the plan's and the state's counts add
up to the bundle's record count.
"""

from __future__ import annotations

import json

from migrator.state import open_sqlite_state
from tests.e2e.oplacrm.helpers import member_by_owner, written_rows
from tests.e2e.project import AppliedExample, run_cli
from tests.e2e.sources import same_instant

IMPORT = "IMPORT"
TARGETS = (
    ("account_id", "companies", "accounts", "targetCompanyId"),
    ("contact_id", "people", "contacts", "targetPersonId"),
    ("opportunity_id", "opportunities", "opportunities", "targetOpportunityId"),
)


def _targets(
    opla: AppliedExample, plural: str, parent_field: str
) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {}
    for target in opla.records(plural):
        found.setdefault(str(target[parent_field]), []).append(target)
    return found


def _linked(opla: AppliedExample, row: dict[str, object], targets: list[dict[str, str]]) -> None:
    """Every reference of ``row`` whose record is in Twenty is one of its targets."""
    for column, plural, source_object, field in TARGETS:
        ref = row.get(column)
        if not ref:
            continue
        parent = opla.by_source(plural, source_object).get(str(ref))
        if parent is not None:
            assert parent["id"] in {t[field] for t in targets}, (row["id"], column)


def test_engagement_history_calls_emails_meetings_tasks_become_tasks(
    opla: AppliedExample,
) -> None:
    tasks = opla.by_source("tasks", "activities")
    targets = _targets(opla, "taskTargets", "taskId")
    owners = member_by_owner(opla)
    rows = written_rows(opla, "activities", "activities")
    assert len(rows) == len(tasks) >= 50
    kinds = set()
    for row in rows:
        task = tasks[row["id"]]
        assert task["title"] == row["subject"]
        assert task["oplaActivityType"] == row["type"]
        assert task["assigneeId"] == owners[row["owner_id"]]
        assert same_instant(task["createdAt"], row["created_at"])  # the original timestamp
        assert task["createdBy"]["source"] == IMPORT
        assert task["bodyV2"]["markdown"] == (row.get("body") or "")
        _linked(opla, row, targets.get(task["id"], []))
        kinds.add(row["type"])
    assert kinds >= {"CALL", "EMAIL", "MEETING"}


def test_engagement_history_notes_and_stage_logs_become_notes(opla: AppliedExample) -> None:
    notes = opla.by_source("notes", "notes")
    targets = _targets(opla, "noteTargets", "noteId")
    rows = written_rows(opla, "notes", "notes")
    assert len(rows) == len(notes) >= 20
    for row in rows:
        note = notes[row["id"]]
        assert note["title"] == row["title"]
        assert same_instant(note["createdAt"], row["created_at"])
        assert note["createdBy"]["source"] == IMPORT
        _linked(opla, row, targets.get(note["id"], []))
    # A note none of whose targets is written waits with them (held, parent not written).
    held = {e.source_key: e.code for e in opla.held("notes")}
    for row in opla.rows("notes"):
        if row["id"] not in notes:
            assert held[opla.key("notes", row["id"])] == "parent_not_written"
    logs = opla.by_source("notes", "opportunity_stage_logs")
    opportunities = opla.by_source("opportunities", "opportunities")
    linked = 0
    for row in written_rows(opla, "opportunity_stage_logs", "stage_history"):
        note = logs[row["id"]]
        assert note["title"].endswith(f"→ {row['new_stage']}")
        assert same_instant(note["createdAt"], row["created_at"])
        opportunity = opportunities.get(row["opportunity_id"])
        if opportunity is not None:
            assert opportunity["id"] in {t["targetOpportunityId"] for t in targets[note["id"]]}
            linked += 1
    assert linked >= 50


def test_attachments_uploaded_and_linked(opla: AppliedExample) -> None:
    attachments = opla.by_source("attachments", "attachments")
    files = {f["id"]: f for f in opla.snapshot["files"]}
    companies = opla.by_source("companies", "accounts")
    rows = written_rows(opla, "attachments", "files")
    assert rows
    for row in rows:
        attachment = attachments[row["id"]]
        assert attachment["name"] == row["file_name"]
        (stored,) = attachment["file"]
        assert files[stored["fileId"]]["size"] == row["size_bytes"]  # the bytes were uploaded
        assert attachment["targetCompanyId"] == companies[row["account_id"]]["id"]
        assert same_instant(attachment["createdAt"], row["created_at"])
    # The attachment of an account held in the owner queue waits with it.
    held = {e.source_key for e in opla.held("files")}
    for row in opla.rows("attachments"):
        if row["account_id"] not in companies:
            assert opla.key("attachments", row["id"]) in held


def test_skipped_objects_are_counted_with_reasons(opla: AppliedExample) -> None:
    counts = {c.mapping: c for c in opla.header.counts}
    for source_object in (
        "leads",
        "automations",
        "sequences",
        "gamification_streaks",
        "gamification_leaderboards",
        "gamification_goals",
    ):
        count = counts[f"{source_object}-skipped"]
        assert count.skipped == count.source == len(opla.rows(source_object)) > 0
    spec = opla.header.spec
    assert "lead" in json.dumps(spec["skip"]["leads"]).lower()
    assert "Behavioural state" in json.dumps(spec["skip"]["gamification_goals"])
    # The reviewed plan shows each skipped object with its count (the reason is in the spec).
    markdown = run_cli(opla.root, "plan", "migration.yaml", "--format", "markdown")
    assert markdown.exit_code == 0, markdown.output[-2000:]
    assert "| `leads-skipped` |  | 15 |" in markdown.stdout


def test_conservation_plan_and_state_add_up_to_the_bundle(opla: AppliedExample) -> None:
    manifest = json.loads((opla.root / "data" / "manifest.json").read_text(encoding="utf-8"))
    bundle = {f["object"]: f["records"] for f in manifest["files"] if f["name"].endswith(".jsonl")}
    spec = opla.header.spec
    sources = {name: m["from"] for name, m in spec["objects"].items()}
    counts = {c.mapping: c for c in opla.header.counts}
    for mapping, source_object in sources.items():
        count = counts[mapping]
        assert count.source == bundle[source_object], mapping
        assert count.accounted == count.source, mapping
        written = opla.state_records(mapping)
        assert (
            len(written) == count.create + count.merge + count.restore + count.update + count.noop
        )
        assert len(opla.quarantined(mapping)) == count.quarantined, mapping
        assert len(opla.held(mapping)) == count.held, mapping
    with open_sqlite_state(opla.state_path) as store:
        (run,) = store.runs()
    assert run.phases
    assert all(phase.is_balanced for phase in run.phases)


def test_verify_after_apply_exits_0_with_conservation_per_object(
    opla: AppliedExample,
) -> None:
    verified = run_cli(opla.root, "verify", "migration.yaml", "--format", "json")
    assert verified.exit_code == 0, verified.output[-3000:]
    report = json.loads(verified.stdout)
    assert report["ok"] is True and report["finding_count"] == 0
    assert report["checked"] == len(opla.state_records())
    counts = {c.mapping: c for c in opla.header.counts}
    for row in report["conservation"]:
        parts = ("written", "merged", "deduplicated", "quarantined", "held", "skipped")
        assert row["source"] == sum(row[p] for p in parts) + row["aggregated"], row["mapping"]
        assert row["source"] == counts[row["mapping"]].source, row["mapping"]
        assert row["quarantined"] == counts[row["mapping"]].quarantined, row["mapping"]


def test_verify_lists_the_quarantined_records_with_reasons(opla: AppliedExample) -> None:
    listed = run_cli(opla.root, "verify", "migration.yaml")
    assert listed.exit_code == 0, listed.output[-3000:]
    for entry in opla.quarantined():
        assert entry.address in listed.stdout and entry.code in listed.stdout
