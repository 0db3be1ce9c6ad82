"""A bundle read through a sample: sampled rows, their folded rows, everything else whole."""

from __future__ import annotations

import json
from typing import Any

import pytest

from migrator.errors import UsageError
from migrator.sample import SampledBundle, sample_bundle
from migrator.sources.bundle import Bundle
from migrator.spec.models import MigrationSpec
from migrator.spec.validation import load_spec
from migrator.workflows.spec_inputs import open_spec_bundle
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "aeronaclinic"


@pytest.fixture(scope="module")
def opened() -> tuple[MigrationSpec, Bundle]:
    spec = load_spec(EXAMPLE / "migration.yaml", environ={}).spec
    return spec, open_spec_bundle(spec, EXAMPLE)


def _rows(name: str) -> list[dict[str, Any]]:
    lines = (EXAMPLE / "data" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_sample_bundle_reads_only_sampled_rows(opened: tuple[MigrationSpec, Bundle]) -> None:
    spec, bundle = opened
    sampled = sample_bundle(spec, bundle, 60)
    patients = [record.id for record in sampled.read("patients")]
    assert set(patients) == sampled.selection.rows["patients"]
    assert sampled.count("patients") == len(patients) < bundle.count("patients")
    assert sampled.fingerprint == bundle.fingerprint
    assert sampled.full is bundle


def test_sample_bundle_folds_follow_their_parents(opened: tuple[MigrationSpec, Bundle]) -> None:
    spec, bundle = opened
    sampled = sample_bundle(spec, bundle, 60)
    kept = sampled.selection.rows["patients"]
    expected = [str(row["consentId"]) for row in _rows("consents") if str(row["patientId"]) in kept]
    assert [record.id for record in sampled.read("consents")] == expected
    assert sampled.count("consents") == len(expected) > 0


def test_sample_bundle_lookups_and_skipped_objects_are_whole(
    opened: tuple[MigrationSpec, Bundle],
) -> None:
    spec, bundle = opened
    sampled = sample_bundle(spec, bundle, 60)
    for name in ("appointment_types", "users", "perio_readings"):
        assert sampled.count(name) == bundle.count(name)
        assert len(list(sampled.read(name))) == bundle.count(name)


def test_sample_bundle_same_inputs_same_rows(opened: tuple[MigrationSpec, Bundle]) -> None:
    spec, bundle = opened
    assert sample_bundle(spec, bundle, 60).selection == sample_bundle(spec, bundle, 60).selection
    assert isinstance(sample_bundle(spec, bundle, 60), SampledBundle)


def test_sample_bundle_refuses_an_empty_sample(opened: tuple[MigrationSpec, Bundle]) -> None:
    spec, bundle = opened
    with pytest.raises(UsageError, match="positive number of records"):
        sample_bundle(spec, bundle, 0)


def test_sample_bundle_every_row_keeps_what_it_refers_to(
    opened: tuple[MigrationSpec, Bundle],
) -> None:
    spec, bundle = opened
    sampled = sample_bundle(spec, bundle, 60)
    rows = sampled.selection.rows
    for appointment in _rows("appointments"):
        if str(appointment["appointmentId"]) in rows["appointments"]:
            assert str(appointment["patientId"]) in rows["patients"]
            assert str(appointment["practiceId"]) in rows["practices"]
    for patient in _rows("patients"):
        if str(patient["patientId"]) in rows["patients"]:
            mine = {str(a["appointmentId"]) for a in _rows("appointments")
                    if str(a["patientId"]) == str(patient["patientId"])}  # fmt: skip
            assert mine <= rows["appointments"]
