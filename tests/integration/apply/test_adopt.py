"""``state import``: records already in Twenty are adopted by provenance or a unique field."""

from __future__ import annotations

from pathlib import Path

import httpx

from migrator.apply.adopt import AdoptResult, adopt_records
from migrator.identity import migration_namespace
from migrator.model import digest
from migrator.state import Destination, RecordStatus, RunKind, open_sqlite_state
from migrator.twenty.client import TwentyClient
from migrator.twenty.identity import DestinationIdentity
from migrator.twenty.metadata import NewField
from tests.integration.apply.harness import NAME, Scenario


def _adopt(
    client: TwentyClient, identity: DestinationIdentity, state: Path, **kw: str
) -> AdoptResult:
    scenario = Scenario.make(companies=5, people_per_company=2)
    with open_sqlite_state(state, create=True) as store:
        return adopt_records(
            source=scenario.source(),
            client=client,
            store=store,
            destination=Destination(**identity.model_dump()),
            migration_name=NAME,
            namespace=str(migration_namespace(NAME)),
            source_field="migrationSourceId",
            **kw,
        )


def test_adopt_by_provenance_field(
    client: TwentyClient, identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    company = client.metadata.find_object("company")
    assert company is not None
    client.metadata.create_field(
        NewField(object_metadata_id=company.id, type="TEXT", name="migrationSourceId", label="S")
    )
    scenario = Scenario.make(companies=5, people_per_company=2)
    made = {}
    for item in scenario.companies[:3]:
        body = {"name": "By hand", "migrationSourceId": item.source_key}
        response = http.post("/rest/companies", json=body)
        made[item.address] = response.json()["data"]["createCompany"]
    state = tmp_path / "s.db"

    result = _adopt(
        client, identity, state, mapping="companies", by="migrationSourceId", plural="companies"
    )

    assert (result.desired, result.adopted, result.not_found) == (5, 3, 2)
    with open_sqlite_state(state) as store:
        for address, record in made.items():
            entry = store.record(address)
            assert entry is not None and entry.status is RecordStatus.ADOPTED
            assert entry.twenty_id == record["id"]
            assert entry.payload_digest == digest(record)
        assert store.runs()[-1].kind is RunKind.IMPORT
        assert store.meta().destination is not None

    again = _adopt(
        client, identity, state, mapping="companies", by="migrationSourceId", plural="companies"
    )
    assert (again.adopted, again.already_known) == (0, 3)


def test_adopt_by_a_unique_email(
    client: TwentyClient, identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=5, people_per_company=2)
    person = scenario.people[3]
    email = str(person.payload["emails"]["primaryEmail"]).upper()
    body = {"name": {"firstName": "A", "lastName": "B"}, "emails": {"primaryEmail": email}}
    created = http.post("/rest/people", json=body).json()["data"]["createPerson"]

    result = _adopt(
        client,
        identity,
        tmp_path / "s.db",
        mapping="people",
        by="emails.primaryEmail",
        plural="people",
    )

    assert (result.desired, result.adopted) == (10, 1)
    with open_sqlite_state(tmp_path / "s.db") as store:
        entry = store.record(person.address)
        assert entry is not None and entry.twenty_id == created["id"]
