"""Both committed examples mapped end to end: every row accounted for, deterministic, and no
patient value in any reason or finding."""

from __future__ import annotations

import json
from typing import Any

import pytest

from migrator.identity import migration_namespace
from migrator.mapping.mapper import Mapper
from migrator.mapping.model import DesiredRecord, Finding, RowOutcome
from migrator.mapping.phases import PhaseKind
from migrator.sources.bundle import Bundle, open_bundle
from migrator.sources.schema_types import Sensitivity
from migrator.spec.models import MigrationSpec
from migrator.spec.validation import load_spec
from tests.conftest import REPO_ROOT
from tests.unit.mapping.helpers import Run, conserved, member_id, run_all

EXAMPLES = REPO_ROOT / "examples"
SYSTEMS = ("oplacrm", "aeronaclinic")


def _open(system: str) -> tuple[MigrationSpec, Bundle]:
    folder = EXAMPLES / system
    if not (folder / "data" / "manifest.json").exists():
        pytest.skip(f"the {system} example bundle has not landed")
    spec = load_spec(folder / "migration.yaml", environ={}).spec
    return spec, open_bundle(system, folder / "data", timezone=spec.source.timezone)


def _members(spec: MigrationSpec, bundle: Bundle) -> dict[str, str]:
    emails = {str(r.fields["email"]) for r in bundle.read("users") if r.fields.get("email")}
    fallback = getattr(spec.owners.fallback, "member", None) if spec.owners else None
    if fallback:
        emails.add(fallback)
    return {email: member_id(email) for email in sorted(emails)}


def _mapper(system: str) -> tuple[MigrationSpec, Bundle, Mapper]:
    spec, bundle = _open(system)
    namespace = migration_namespace(spec.name)
    return spec, bundle, Mapper(spec, bundle, members=_members(spec, bundle), namespace=namespace)


@pytest.mark.parametrize("system", SYSTEMS)
def test_every_source_row_of_the_example_is_accounted_for(system: str) -> None:
    spec, bundle, mapper = _mapper(system)
    run = run_all(mapper)
    conserved(run)
    for phase in mapper.phases():
        result = run.results[phase.name]
        if phase.kind in (PhaseKind.RECORDS, PhaseKind.AGGREGATED, PhaseKind.SKIPPED):
            assert result.source_rows == bundle.count(phase.source_object), phase.name
    mapped = {m.from_ for m in spec.objects.values()}
    covered = {p.source_object for p in mapper.phases()}
    assert mapped <= covered and set(spec.skip) <= covered
    assert sum(run.results[name].desired for name in spec.objects) > 0


@pytest.mark.parametrize("system", SYSTEMS)
def test_mapping_the_example_twice_gives_the_same_records(system: str) -> None:
    first, second = run_all(_mapper(system)[2]), run_all(_mapper(system)[2])
    for phase, items in first.items.items():
        again = second.items[phase]
        assert [_key(i) for i in items] == [_key(i) for i in again], phase


def _key(item: DesiredRecord | RowOutcome | Finding) -> tuple[Any, ...]:
    if isinstance(item, DesiredRecord):
        return (item.address, item.twenty_id, item.payload_digest, item.links, item.files)
    if isinstance(item, RowOutcome):
        return (item.address, item.fate, item.code, item.reason, item.blocked_by)
    return (item.address, item.code, item.message)


def _clinical_texts(spec: MigrationSpec, bundle: Bundle) -> set[str]:
    """Every text value of the clinical objects (the identities aside), as written."""
    found: set[str] = set()
    for obj in bundle.schema.objects:
        if obj.sensitivity is not Sensitivity.CLINICAL or bundle.count(obj.name) == 0:
            continue
        for record in bundle.read(obj.name):
            for name, value in record.fields.items():
                if name != obj.primary_key and isinstance(value, str) and len(value) >= 4:
                    found.add(value)
    return found


def _said(run: Run) -> list[str]:
    texts: list[str] = []
    for items in run.items.values():
        for item in items:
            if isinstance(item, RowOutcome):
                texts += [item.reason, item.blocked_by, item.code]
            elif isinstance(item, Finding):
                texts += [item.message, item.code]
    return texts


def test_no_patient_value_appears_in_any_reason_or_finding() -> None:
    spec, bundle, mapper = _mapper("aeronaclinic")
    run = run_all(mapper)
    values = _clinical_texts(spec, bundle)
    said = "\n".join(_said(run))
    leaked = sorted(v for v in values if v in said and not v.isupper())
    assert leaked == []
    assert any(isinstance(i, RowOutcome) for items in run.items.values() for i in items)


def test_clinical_payload_fields_are_marked_sensitive() -> None:
    _spec, _bundle, mapper = _mapper("aeronaclinic")
    run = run_all(mapper)
    patient = run.records("patients")[0]
    assert {"name", "emails", "nhsNumber", "dateOfBirth"} <= patient.sensitive_fields
    appointment = run.records("appointments")[0]
    assert "durationMinutes" not in appointment.sensitive_fields
    practice = run.records("practices")[0]
    assert practice.sensitive_fields == frozenset()
    payloads = json.dumps([dict(r.payload) for r in run.records("patients")], ensure_ascii=False)
    assert patient.payload["migrationSourceId"] in payloads
