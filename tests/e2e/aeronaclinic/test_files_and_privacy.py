"""AeronaClinic: file policy, embedded images, shared emails, conservation, verify, no leaks.

The size policy (``destination.files.max_mb: 25``; Twenty v2.15 has no limit of its own) is
exercised on the planted variant, whose attachment 10000 is 26 MiB. The privacy test gathers
every patient value of the committed bundle (NHS and SDS numbers, names, dates of birth, emails,
phones, postcodes, clinical note texts; plus the planted SDS number) and searches for them in
everything the tool printed or wrote for both applied copies: plan, apply and re-plan output with
``-vv`` logs, the saved plan files, the audit logs, any error log, the output of ``audit``,
``report``, ``inventory`` and ``verify``, and a second apply of the same plan. The state's
values are excepted (the state must hold source keys and digests to work; a private 0600 file).
Record-level errors are the quarantine reasons (in the plan, the plan file and the audit log);
a failed apply's messages are searched by tests/integration/apply/test_examples_e2e.py.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict

from migrator.state import open_sqlite_state
from tests.e2e.aeronaclinic.conftest import (
    IMAGE_ATTACHMENT,
    IMAGE_NOTE,
    OVERSIZED_ATTACHMENT,
    OVERSIZED_BYTES,
    SDS_NUMBER,
)
from tests.e2e.project import AppliedExample, Run, run_cli
from tests.integration.render.test_privacy import leaks, sensitive_values


def test_row_10_oversized_file_is_quarantined_with_the_reason(
    aerona_planted: AppliedExample,
) -> None:
    key = aerona_planted.key("attachments", OVERSIZED_ATTACHMENT)
    quarantined = {e.source_key: e for e in aerona_planted.quarantined("documents")}
    entry = quarantined[key]
    assert entry.code == "file_too_large"
    assert "25 MB" in entry.reason and str(OVERSIZED_BYTES) in entry.reason
    assert str(OVERSIZED_ATTACHMENT) not in aerona_planted.by_source("attachments", "attachments")
    assert all(f["size"] != OVERSIZED_BYTES for f in aerona_planted.snapshot["files"])
    assert "file_too_large" in aerona_planted.plan_run.stdout


def test_row_03_images_embedded_in_a_note_are_uploaded_and_linked(
    aerona_planted: AppliedExample,
) -> None:
    note = aerona_planted.by_source("notes", "clinical_notes")[str(IMAGE_NOTE)]
    markdown = note["bodyV2"]["markdown"]
    (image,) = [
        r for r in aerona_planted.rows("attachments") if r["attachmentId"] == IMAGE_ATTACHMENT
    ]
    assert image["relativePath"] not in markdown  # no longer points into the export
    uploaded = {f["id"] for f in aerona_planted.snapshot["files"]}
    (file_id,) = [i for i in uploaded if f"/file/files-field/{i}" in markdown]
    # held by an attachment of the note (as Twenty's editor does), with the X-ray's media type
    (held,) = [a for a in aerona_planted.records("attachments") if a["targetNoteId"] == note["id"]]
    assert [f["fileId"] for f in held["file"]] == [file_id]
    (stored,) = [f for f in aerona_planted.snapshot["files"] if f["id"] == file_id]
    assert stored["mimeType"] == image["mimeType"] == "image/png"
    # the state keeps the file with the note (destroy takes it), and the plan counted the upload
    notes = {e.source_key: e for e in aerona_planted.state_records("clinical_notes")}
    assert notes[aerona_planted.key("clinical_notes", IMAGE_NOTE)].file_ids == (file_id,)
    documents = aerona_planted.state_records("documents")
    assert aerona_planted.header.budget.requests["file_upload"] == len(documents) + 1


def test_row_03_a_rehosted_image_is_neither_drift_nor_a_verify_finding(
    aerona_planted: AppliedExample,
) -> None:
    # Twenty's text links the uploaded file where the source has the bundle path: verify and a
    # refreshed plan compare the two as the same image, and nothing is written back
    verified = run_cli(aerona_planted.root, "verify", "migration.yaml", "--format", "json")
    assert verified.exit_code == 0, verified.output[-3000:]
    assert json.loads(verified.stdout)["finding_count"] == 0
    refreshed = run_cli(
        aerona_planted.root, "plan", "migration.yaml", "--refresh", "--detailed-exitcode"
    )
    assert refreshed.exit_code == 0, refreshed.output[-3000:]


def test_patients_sharing_an_email_are_never_merged(aerona: AppliedExample) -> None:
    people = aerona.by_source("people", "patients")
    other = people["100000"]["id"]
    for row in aerona.rows("appointments"):
        if row["patientId"] == 100004:
            stored = aerona.by_source("opportunities", "appointments").get(
                str(row["appointmentId"])
            )
            assert stored is None or stored["pointOfContactId"] != other
    # The spec says `on_duplicate: quarantine` for patients: the later patient waits for a
    # person to resolve the shared email; nothing of theirs is folded into patient 100000.
    quarantined = {q.source_key: q.code for q in aerona.header.quarantine}
    assert quarantined.get("aeronaclinic:patients:100004") == "duplicate_email"


def test_row_06_plan_without_nhs_band_is_private(aerona: AppliedExample) -> None:
    opportunities = aerona.by_source("opportunities", "treatment_plans")
    rows = aerona.written_rows("treatment_plans", "treatment_plans", "treatmentPlanId")
    private = [r for r in rows if not r.get("nhsBand")]
    assert private
    for row in private:
        assert opportunities[str(row["treatmentPlanId"])]["treatmentType"] == "PRIVATE"


def test_conservation_plan_and_state_add_up_to_the_bundle(aerona: AppliedExample) -> None:
    counts = {c.mapping: c for c in aerona.header.counts}
    spec = aerona.header.spec
    for mapping, definition in spec["objects"].items():
        count = counts[mapping]
        assert count.source == len(aerona.rows(definition["from"])), mapping
        assert count.accounted == count.source, mapping
        written = aerona.state_records(mapping)
        assert len(written) == count.create + count.merge + count.restore + count.noop
        assert len(aerona.quarantined(mapping)) == count.quarantined, mapping
        assert len(aerona.held(mapping)) == count.held, mapping
    folded: defaultdict[str, int] = defaultdict(int)
    for mapping, count in counts.items():
        if mapping.endswith(("-aggregated", "-skipped")):
            source_object = mapping.rsplit("-", 1)[0]
            assert count.source == len(aerona.rows(source_object)), mapping
            assert count.accounted == count.source, mapping
            folded[source_object] += count.source
    assert folded["consents"] == len(aerona.rows("consents"))
    with open_sqlite_state(aerona.state_path) as store:
        (run,) = store.runs()
    assert run.phases and all(phase.is_balanced for phase in run.phases)


def test_verify_after_apply_exits_0_with_conservation_per_object(
    aerona: AppliedExample,
) -> None:
    verified = run_cli(aerona.root, "verify", "migration.yaml", "--format", "json")
    assert verified.exit_code == 0, verified.output[-3000:]
    report = json.loads(verified.stdout)
    assert report["ok"] is True and report["finding_count"] == 0
    assert report["checked"] == len(aerona.state_records())
    counts = {c.mapping: c for c in aerona.header.counts}
    for row in report["conservation"]:
        parts = ("written", "merged", "deduplicated", "quarantined", "held", "skipped")
        assert row["source"] == sum(row[p] for p in parts) + row["aggregated"], row["mapping"]
        assert row["source"] == counts[row["mapping"]].source, row["mapping"]
        assert row["quarantined"] == counts[row["mapping"]].quarantined, row["mapping"]


def test_verify_lists_the_quarantined_records_with_reasons(aerona: AppliedExample) -> None:
    listed = run_cli(aerona.root, "verify", "migration.yaml")
    assert listed.exit_code == 0, listed.output[-3000:]
    for entry in aerona.quarantined():
        assert entry.address in listed.stdout and entry.code in listed.stdout
    assert leaks(listed.output, sensitive_values()) == []


def _everything_written(example: AppliedExample) -> dict[str, str]:
    """What the tool printed and wrote for ``example``, state and Twenty's own data excepted."""
    runs: list[Run] = [example.plan_run, example.apply_run, example.replan_run]
    runs.append(run_cli(example.root, "-vv", "apply", "first.plan"))  # already applied
    runs.append(run_cli(example.root, "-vv", "audit", "migration.yaml"))
    runs.append(run_cli(example.root, "report", "migration.yaml"))
    runs.append(run_cli(example.root, "inventory", "migration.yaml"))
    runs.append(run_cli(example.root, "-vv", "verify", "migration.yaml"))
    runs.append(run_cli(example.root, "plan", "migration.yaml", "--format", "json"))
    texts = {f"{example.root.parent.name} {' '.join(r.args)}": r.output for r in runs}
    assert "nothing to do" in runs[3].output
    texts["plan file"] = gzip.decompress(example.plan_file.read_bytes()).decode("utf-8")
    texts["audit log"] = example.audit_log.read_text(encoding="utf-8")
    for path in example.root.rglob("*.log"):
        texts[str(path.relative_to(example.root))] = path.read_text(encoding="utf-8")
    return texts


def test_no_patient_value_in_anything_the_tool_printed_or_wrote(
    aerona: AppliedExample, aerona_planted: AppliedExample
) -> None:
    values = sensitive_values()
    values["sds"] = values.get("sds", set()) | {SDS_NUMBER}
    assert all(values[kind] for kind in ("nhs", "dob", "name", "email", "phone", "postcode"))
    assert values["clinical text"]
    texts = _everything_written(aerona) | _everything_written(aerona_planted)
    assert '"event"' in texts["audit log"]
    for where, text in texts.items():
        assert leaks(text, values) == [], where


def test_row_10_uploaded_files_keep_their_media_type(aerona: AppliedExample) -> None:
    attachments = aerona.by_source("attachments", "attachments")
    files = {f["id"]: f for f in aerona.snapshot["files"]}
    rows = aerona.written_rows("attachments", "documents", "attachmentId")
    assert rows
    for row in rows:
        (stored,) = attachments[str(row["attachmentId"])]["file"]
        assert files[stored["fileId"]]["mimeType"] == row["mimeType"], row["fileName"]


def test_state_holds_and_quarantine_say_what_the_plan_said(aerona: AppliedExample) -> None:
    """Apply recomputes every record from the spec embedded in the plan (keys sorted); the
    reasons it records must be the planner's, also for rows held for two reasons at once."""
    assert not aerona.header.outcomes_cut
    planned_holds = {(h.address, h.code, h.reason, h.blocked_by) for h in aerona.header.holds}
    stored_holds = {(h.address, h.code, h.reason, h.blocked_by) for h in aerona.held()}
    assert stored_holds == planned_holds
    planned = {(q.address, q.code, q.reason) for q in aerona.header.quarantine}
    assert {(q.address, q.code, q.reason) for q in aerona.quarantined()} == planned
