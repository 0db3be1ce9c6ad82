"""A note about nothing that is written is not written either (DESIGN.md, Cascade).

Clinical notes of a quarantined patient must not land in Twenty unlinked: the note is held while
what it is about waits, and quarantined when nothing it names exists in the source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from migrator.mapping.model import Fate
from tests.unit.mapping.helpers import conserved, run_all, setup, spec_document

OBJECTS: dict[str, list[dict[str, Any]]] = {
    "patients": [
        {"patientId": 100, "forename": "Zoë", "surname": "Ó Briain", "nhsNumber": "999 000 0018"},
        {"patientId": 101, "forename": "Ciara", "surname": "Kelly", "nhsNumber": "9990000019"},
    ],
    "clinical_notes": [
        {"noteId": 1, "patientId": 100, "noteType": "CLINICAL", "text": "Checked."},
        {"noteId": 2, "patientId": 101, "noteType": "CLINICAL", "text": "Bad NHS number."},
        {"noteId": 3, "patientId": 999, "noteType": "CLINICAL", "text": "Nobody."},
        {"noteId": 4, "noteType": "CLINICAL", "text": "About no patient at all."},
    ],
}
MAPPINGS: dict[str, Any] = {
    # Listed before the patients on purpose: the graph orders the note after what it is about.
    "clinical_notes": {
        "from": "clinical_notes",
        "to": "note",
        "fields": {"title": {"template": "{noteType} note"}, "bodyV2": "text"},
        "targets": [{"ref": "patients", "by": "patientId"}],
    },
    "patients": {
        "from": "patients",
        "to": "person",
        "fields": {
            "name": {"firstName": "forename", "lastName": "surname"},
            "nhsNumber": {"from": "nhsNumber", "on_invalid": "quarantine"},
        },
    },
}
SCHEMA = {"person": {"fields": {"nhsNumber": {"type": "TEXT", "label": "NHS number"}}}}


def test_notes_follow_the_fate_of_what_they_are_about(tmp_path: Path) -> None:
    document = spec_document("aeronaclinic", schema=SCHEMA, objects=MAPPINGS)
    _, mapper = setup(tmp_path, "aeronaclinic", OBJECTS, document)
    run = run_all(mapper)

    assert run.outcome("patients", "101").fate is Fate.QUARANTINED
    assert run.record("clinical_notes", "1").payload["title"] == "CLINICAL note"
    held = run.outcome("clinical_notes", "2")
    assert (held.fate, held.code) == (Fate.HELD, "parent_not_written")
    assert held.blocked_by == "record.patients[aeronaclinic:patients:101]"
    orphan = run.outcome("clinical_notes", "3")
    assert (orphan.fate, orphan.code) == (Fate.QUARANTINED, "orphan_reference")
    assert run.record("clinical_notes", "4").payload["title"] == "CLINICAL note"
    for outcome in (held, orphan):
        assert "Bad NHS" not in outcome.reason and "Nobody" not in outcome.reason
    targets = {o.source_key.split(":")[-1]: o.code for o in run.outcomes("clinical_notes-targets")}
    assert targets == {
        "2#target.patients": "parent_not_written",
        "3#target.patients": "parent_not_written",
    }
    assert [t.source_key for t in run.records("clinical_notes-targets")] == [
        "aeronaclinic:clinical_notes:1#target.patients"
    ]
    conserved(run)
    assert run.results["clinical_notes"].source_rows == 4
