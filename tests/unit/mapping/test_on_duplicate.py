"""``on_duplicate``: rows sharing a value Twenty keeps unique are folded, or kept apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from migrator.mapping.model import Fate
from tests.unit.mapping.helpers import conserved, run_all, setup, spec_document

OBJECTS: dict[str, list[dict[str, Any]]] = {
    "patients": [
        {"patientId": 1, "forename": "Ann", "surname": "Lee", "email": "family@example.org"},
        {"patientId": 2, "forename": "Ben", "surname": "Lee", "email": "Family@Example.org"},
    ],
    "appointments": [
        {"appointmentId": 10, "patientId": 2, "appointmentTime": "2025-02-16T12:00:00+00:00"},
    ],
}


def _mappings(on_duplicate: str) -> dict[str, Any]:
    return {
        "patients": {
            "from": "patients",
            "to": "person",
            "on_duplicate": on_duplicate,
            "fields": {
                "name": {"firstName": "forename", "lastName": "surname"},
                "emails": {"primaryEmail": "email"},
            },
        },
        "appointments": {
            "from": "appointments",
            "to": "opportunity",
            "fields": {
                "name": {"const": "Appointment"},
                "closeDate": "appointmentTime",
                "pointOfContact": {"ref": "patients", "by": "patientId"},
            },
        },
    }


@pytest.mark.parametrize("on_duplicate", ["deduplicate", "quarantine"])
def test_shared_unique_email_folds_or_quarantines(tmp_path: Path, on_duplicate: str) -> None:
    document = spec_document("aeronaclinic", objects=_mappings(on_duplicate))
    _, mapper = setup(tmp_path, "aeronaclinic", OBJECTS, document)
    run = run_all(mapper)
    conserved(run)
    first = run.record("patients", "1")
    second = run.outcome("patients", "2")
    assert second.code == "duplicate_email"
    if on_duplicate == "deduplicate":
        assert second.fate is Fate.DEDUPLICATED
        appointment = run.record("appointments", "10")
        assert appointment.payload["pointOfContactId"] == first.twenty_id
    else:
        assert second.fate is Fate.QUARANTINED
        assert "family@example.org" not in second.reason.lower()
        held = run.outcome("appointments", "10")
        assert (held.fate, held.code) == (Fate.HELD, "parent_not_written")
        assert held.blocked_by == second.address
