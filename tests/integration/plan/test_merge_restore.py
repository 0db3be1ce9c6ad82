"""Existing Twenty records a source record would land on are planned as merges and restores.

A contact whose email an existing Twenty person has becomes one ``merge``; an account whose
domain a soft-deleted company has becomes one ``restore``; nothing else in the plan touches
those two records, and every record that points at them points at their real ids.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from migrator.destination import open_destination
from migrator.identity import migration_namespace, twenty_id
from migrator.mapping.model import DesiredRecord
from migrator.model import Action
from migrator.plan.model import SENSITIVE_MARKER
from migrator.plan.payloads import link_payload, payload_digest, write_payload
from migrator.plan.planfile import iter_record_changes
from migrator.sources.bundle import open_bundle
from migrator.spec.models import MigrationSpec
from migrator.twenty.metadata import NewField
from migrator.workflows.plan import plan
from tests.integration.plan.conftest import Seeder, sandbox_url
from tests.integration.plan.fakes import FakeMapper, domain_of

EXISTING_PERSON = "0b6f7a1e-2c3d-4e5f-8a9b-1c2d3e4f5a6b"
DELETED_COMPANY = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"


def _first(project: Path, obj: str) -> dict[str, str]:
    bundle = open_bundle("oplacrm", project / "data")
    row = next(iter(bundle.read(obj)))
    return {k: str(v) for k, v in row.fields.items() if isinstance(v, str)} | {"id": row.id}


def test_an_email_match_is_one_merge_and_a_deleted_domain_is_one_restore(
    project: Path, seed: Seeder
) -> None:
    account, contact = _first(project, "accounts"), _first(project, "contacts")
    seed(
        "people",
        [
            {
                "id": EXISTING_PERSON,
                "name": {"firstName": "Kept", "lastName": "Here"},
                "emails": {"primaryEmail": contact["email"].lower()},
                "jobTitle": "kept",
            }
        ],
    )
    seed(
        "companies",
        [
            {
                "id": DELETED_COMPANY,
                "name": "Old name",
                "domainName": {"primaryLinkUrl": domain_of(account["short_id"])},
            }
        ],
    )
    with open_destination(sandbox_url(project), None) as destination:
        destination.client.records.delete_many("companies", [DELETED_COMPANY])

    result = plan(
        project / "migration.yaml", environ={}, out=project / "p.plan", mapper_factory=FakeMapper
    )
    changes = list(iter_record_changes(project / "p.plan"))
    counts = {c.mapping: c for c in result.header.counts}
    assert counts["people"].merge == 1 and counts["people"].restore == 0
    assert counts["companies"].restore == 1 and counts["companies"].merge == 0
    assert counts["people"].create == counts["people"].source - 1

    namespace = migration_namespace("fake-plan")
    company_key = f"oplacrm:accounts:{account['id']}"
    person_key = f"oplacrm:contacts:{contact['id']}"
    touching = [
        c for c in changes if {c.existing_id, c.twenty_id} & {EXISTING_PERSON, DELETED_COMPANY}
    ]
    assert [(c.action, c.source_key, c.existing_id) for c in touching] == [
        (Action.RESTORE, company_key, DELETED_COMPANY),
        (Action.MERGE, person_key, EXISTING_PERSON),
    ]
    merge = touching[1]
    assert merge.reason == "merge into the existing person with the same emails.primaryEmail"
    diffs = {d.path: d for d in merge.field_diffs}
    assert set(diffs) == {"companyId", "migrationSourceId", "name"}  # not jobTitle: kept
    assert diffs["name"].sensitive and diffs["name"].before is diffs["name"].after is None
    assert diffs["migrationSourceId"].after == person_key

    # Every record pointing at the restored company points at its real id.
    spec = MigrationSpec.model_validate(result.header.spec)
    mapper = FakeMapper(
        spec,
        open_bundle("oplacrm", project / "data"),
        spec_dir=project,
        members=(),
        namespace=namespace,
    )
    id_map = {
        twenty_id(namespace, company_key): DELETED_COMPANY,
        twenty_id(namespace, person_key): EXISTING_PERSON,
    }
    desired = {
        d.address: d
        for m in ("companies", "people")
        for d in mapper.run(m)
        if isinstance(d, DesiredRecord)
    }
    by_phase_address = {(c.phase, c.address): c for c in changes}
    for record in desired.values():
        change = by_phase_address[(f"mapping.{record.mapping}", record.address)]
        existing = id_map.get(record.twenty_id)
        body = write_payload(record.payload, id_map=id_map, existing_id=existing)
        assert change.payload_digest == payload_digest(body), record.address
        for link in record.links:
            linked = by_phase_address[(f"link.{record.mapping}.{link.field}", record.address)]
            expected = link_payload(
                existing or record.twenty_id, link.field, link.target_id, id_map
            )
            assert linked.payload_digest == payload_digest(expected)
    pointing = [
        d
        for d in desired.values()
        if d.payload.get("companyId") == twenty_id(namespace, company_key)
    ]
    assert pointing, "the first account has contacts"
    samples = [s for s in result.header.samples if s.address.startswith("record.people")]
    assert samples and all(s.payload["emails"] == SENSITIVE_MARKER for s in samples)
    assert result.header.budget.requests["preimage_read"] == 2
    assert result.header.budget.reads_for_plan >= 4


def test_a_second_record_landing_on_a_claimed_record_is_quarantined_not_merged(
    project: Path, seed: Seeder
) -> None:
    contact = _first(project, "contacts")
    with open_destination(sandbox_url(project), None) as destination:
        person = destination.client.metadata.find_object("person")
        assert person is not None
        destination.client.metadata.create_field(
            NewField(
                object_metadata_id=person.id,
                type="TEXT",
                name="migrationSourceId",
                label="Migration source id",
                is_unique=True,
            )
        )
    seed(
        "people",
        [
            {
                "id": EXISTING_PERSON,
                "emails": {"primaryEmail": contact["email"].lower()},
                "migrationSourceId": "oplacrm:contacts:someone-else",
            }
        ],
    )
    result = plan(project / "migration.yaml", environ={}, mapper_factory=FakeMapper)
    assert result.path is None and result.sha256 is None
    counts = {c.mapping: c for c in result.header.counts}
    assert counts["people"].merge == 0 and counts["people"].quarantined == 1
    (entry,) = result.header.quarantine
    assert entry.code == "unique_value_taken"
    assert "oplacrm:contacts:someone-else" in entry.reason
    assert contact["email"] not in entry.reason


def test_a_big_object_is_looked_up_by_value_instead_of_read_whole(
    project: Path, seed: Seeder
) -> None:
    contact = _first(project, "contacts")
    crowd = [
        {"id": str(uuid.UUID(int=i + 1)), "emails": {"primaryEmail": f"crowd{i}@example.org"}}
        for i in range(599)
    ]
    target = {"id": EXISTING_PERSON, "emails": {"primaryEmail": contact["email"].lower()}}
    for start in range(0, 600, 200):
        seed("people", [target, *crowd][start : start + 200])
    result = plan(project / "migration.yaml", environ={}, mapper_factory=FakeMapper)
    counts = {c.mapping: c for c in result.header.counts}
    assert counts["people"].merge == 1
    # companies: one count (empty); people: one count and one lookup of the 46 emails (not
    # three pages of 200), then the merged record's current values for its field diffs
    assert result.header.budget.reads_for_plan == 4


def test_a_looked_up_match_rule_finds_a_company_differing_only_in_letter_case(
    project: Path, seed: Seeder
) -> None:
    spec = project / "migration.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace(
            "    to: company\n", "    to: company\n    match: [name]\n"
        ),
        encoding="utf-8",
    )
    bundle = open_bundle("oplacrm", project / "data")
    accounts = {str(row.get("name")): row.id for row in bundle.read("accounts")}
    shouting = "CÔNG TY TNHH VIỆT TIẾN"  # "Công ty TNHH Việt Tiến", letters beyond ASCII too
    ascii_case = "nhà thuốc MEKONG"  # "Nhà thuốc Mekong"
    existing = {shouting: str(uuid.UUID(int=10_001)), ascii_case: str(uuid.UUID(int=10_002))}
    crowd = [{"id": str(uuid.UUID(int=i + 1)), "name": f"Crowd {i}"} for i in range(800)]
    rows = [{"id": rid, "name": name} for name, rid in existing.items()] + crowd
    for start in range(0, len(rows), 200):
        seed("companies", rows[start : start + 200])

    result = plan(spec, environ={}, out=project / "p.plan", mapper_factory=FakeMapper)

    counts = {c.mapping: c for c in result.header.counts}
    assert counts["companies"].merge == 2
    assert counts["companies"].create == counts["companies"].source - 2
    merges = {
        c.source_key: c.existing_id
        for c in iter_record_changes(project / "p.plan")
        if c.action is Action.MERGE
    }
    assert merges == {
        f"oplacrm:accounts:{accounts['Công ty TNHH Việt Tiến']}": existing[shouting],
        f"oplacrm:accounts:{accounts['Nhà thuốc Mekong']}": existing[ascii_case],
    }
    # companies: one count, one `in` lookup of the 12 domains and one `ilike` lookup of the 12
    # names (not five pages of 200), the merged records' current values; people: one count
    assert result.header.budget.reads_for_plan == 5
