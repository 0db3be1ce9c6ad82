"""Hand-made plans and desired writes for the executor's tests (no planner or mapper needed).

A :class:`Scenario` holds synthetic companies and people (people point at their company) with
deterministic ids, and makes from them both sides apply joins: a saved plan file (header and
record changes, as the planner writes them) and a :class:`ListSource` that recomputes the same
payloads (as the mapper would). Tests change one side to play a stale plan or a changed source.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from migrator import __version__
from migrator.addresses import record_address
from migrator.apply.model import Desired, DesiredItem
from migrator.identity import migration_namespace, twenty_id
from migrator.mapping.model import Link
from migrator.model import Action, digest
from migrator.plan.model import (
    DestinationIdentity,
    HoldEntry,
    MappingCounts,
    PlanHeader,
    PriorState,
    QuarantineEntry,
    RecordChange,
    SchemaChange,
    SourceFingerprint,
)
from migrator.plan.payloads import link_payload, payload_digest, write_payload
from migrator.plan.planfile import PlanWriter

NAME = "apply-test"
NAMESPACE = migration_namespace(NAME)
FINGERPRINT = "sha256:" + "0" * 64


def company(number: int, *, name: str | None = None) -> Desired:
    """Company ``number`` with a unique domain and its provenance field."""
    key = f"oplacrm:accounts:{number}"
    ident = twenty_id(NAMESPACE, key)
    payload = {
        "id": ident,
        "name": name or f"Company {number}",
        "domainName": {"primaryLinkUrl": f"https://c{number}.example.test"},
        "migrationSourceId": key,
    }
    return Desired(
        address=record_address("companies", key),
        mapping="companies",
        source_key=key,
        twenty_object="company",
        twenty_id=ident,
        payload=payload,
    )


def person(number: int, company_number: int, *, email: str | None = None) -> Desired:
    """Person ``number`` working at company ``company_number``."""
    key = f"oplacrm:contacts:{number}"
    ident = twenty_id(NAMESPACE, key)
    parent = company(company_number)
    payload = {
        "id": ident,
        "name": {"firstName": f"First{number}", "lastName": f"Last{number}"},
        "emails": {"primaryEmail": email or f"p{number}@example.test"},
        "companyId": parent.twenty_id,
        "migrationSourceId": key,
    }
    return Desired(
        address=record_address("people", key),
        mapping="people",
        source_key=key,
        twenty_object="person",
        twenty_id=ident,
        payload=payload,
        depends_on=(parent.address,),
    )


def provenance_field(obj: str) -> SchemaChange:
    """The ``migrationSourceId`` custom field of ``obj`` (unique TEXT)."""
    return SchemaChange(
        address=f"field.{obj}.migrationSourceId",
        action=Action.CREATE,
        kind="field",
        twenty_object=obj,
        name="migrationSourceId",
        reason="provenance",
        after={"type": "TEXT", "name": "migrationSourceId", "label": "Source id", "isUnique": True},
    )


def change_for(
    item: Desired,
    action: Action = Action.CREATE,
    *,
    existing_id: str | None = None,
    id_map: Mapping[str, str] | None = None,
    phase: str | None = None,
) -> RecordChange:
    """The plan's record change for ``item``, its digest shaped as the planner shapes it."""
    if item.link is not None:
        body: dict[str, Any] = link_payload(
            existing_id or item.twenty_id, item.link.field, item.link.target_id, id_map or {}
        )
    else:
        body = write_payload(item.payload, id_map=id_map or {}, existing_id=existing_id)
    return RecordChange(
        address=item.address,
        mapping=item.mapping,
        source_key=item.source_key,
        twenty_object=item.twenty_object,
        twenty_id=item.twenty_id,
        action=action,
        reason="test",
        payload_digest=payload_digest(body),
        phase=phase or f"mapping.{item.mapping}",
        existing_id=existing_id,
    )


def link_item(record: Desired, field_name: str, target: Desired) -> Desired:
    """The second-pass link item setting ``field_name`` of ``record`` to ``target``."""
    link = Link(field=field_name, target_address=target.address, target_id=target.twenty_id)
    return replace(record, links=(link,), link=link, depends_on=(record.address, target.address))


@dataclass
class ListSource:
    """A :class:`~migrator.apply.model.DesiredSource` over lists (the mapper's stand-in)."""

    items: dict[str, list[DesiredItem]]
    root: Path | None = None

    def phase_items(self, phase: str) -> Iterator[DesiredItem]:
        """The phase's items, in order."""
        return iter(list(self.items.get(phase, [])))

    def source_rows(self, phase: str) -> int | None:
        """The items are the rows."""
        return None

    def phase_rules(self, phase: str) -> Mapping[str, Any]:
        """A rule description without values."""
        return {"phase": phase, "fields": {"name": {"from": "name"}}}

    @property
    def bundle_root(self) -> Path | None:
        """Where file references point."""
        return self.root


@dataclass
class Scenario:
    """Companies and people to plan and apply."""

    companies: list[Desired]
    people: list[Desired]
    schema: list[SchemaChange] = field(default_factory=list)
    actions: dict[str, tuple[Action, str | None]] = field(default_factory=dict)
    """Overrides of the action (and existing id) planned for an address (merges, restores)."""
    links: list[Desired] = field(default_factory=list)
    """Second-pass link items (phase ``link.people.company``)."""
    count_overrides: dict[str, dict[str, int]] = field(default_factory=dict)
    quarantine: list[QuarantineEntry] = field(default_factory=list)
    holds: list[HoldEntry] = field(default_factory=list)
    batch_size: int = 50
    concurrency: int = 4

    @classmethod
    def make(cls, companies: int, people_per_company: int, **kw: Any) -> Scenario:
        """``companies`` companies with ``people_per_company`` people each."""
        made = [company(n) for n in range(companies)]
        staff = [
            person(c * people_per_company + i, c)
            for c in range(companies)
            for i in range(people_per_company)
        ]
        schema = [provenance_field("company"), provenance_field("person")]
        return cls(made, staff, schema=schema, **kw)

    def phases(self) -> dict[str, list[Desired]]:
        """Desired records by phase."""
        phases = {"mapping.companies": self.companies, "mapping.people": self.people}
        if self.links:
            phases["link.people.company"] = self.links
        return phases

    def source(self, root: Path | None = None) -> ListSource:
        """The recomputation side."""
        return ListSource({k: list(v) for k, v in self.phases().items()}, root)

    def changes(self) -> list[RecordChange]:
        """The plan's record changes, in apply order."""
        out = []
        id_map: dict[str, str] = {}
        for phase, records in self.phases().items():
            for item in records:
                action, existing = self.actions.get(item.address, (Action.CREATE, None))
                if item.link is not None:
                    action = Action.UPDATE
                    existing = self.actions.get(item.address, (action, None))[1]
                change = change_for(item, action, existing_id=existing, id_map=id_map, phase=phase)
                if existing is not None and item.link is None:
                    id_map[item.twenty_id] = existing
                out.append(change)
        return out

    def counts(self) -> tuple[MappingCounts, ...]:
        """Per-mapping counts as the planner would make them."""
        result = []
        for phase, records in self.phases().items():
            if not phase.startswith("mapping."):
                continue
            mapping = phase.split(".", 1)[1]
            actions = [self.actions.get(r.address, (Action.CREATE, None))[0] for r in records]
            held = sum(1 for h in self.holds if h.mapping == mapping)
            quarantined = sum(1 for q in self.quarantine if q.mapping == mapping)
            result.append(
                MappingCounts(
                    mapping=mapping,
                    twenty_object=records[0].twenty_object if records else mapping,
                    source=len(records) + held + quarantined,
                    create=actions.count(Action.CREATE),
                    update=actions.count(Action.UPDATE),
                    merge=actions.count(Action.MERGE),
                    restore=actions.count(Action.RESTORE),
                    noop=actions.count(Action.NOOP),
                    quarantined=quarantined,
                    held=held,
                ).model_copy(update=self.count_overrides.get(mapping, {}))
            )
        return tuple(result)

    def header(self, identity: DestinationIdentity, prior: PriorState | None = None) -> PlanHeader:
        """The plan header for a destination."""
        spec = {
            "name": NAME,
            "destination": {"batch_size": self.batch_size, "concurrency": self.concurrency},
            "objects": {
                "companies": {"from": "accounts", "to": "company", "fields": {"name": "name"}},
                "people": {"from": "contacts", "to": "person", "fields": {"name": "name"}},
            },
        }
        return PlanHeader(
            migrator_version=__version__,
            name=NAME,
            spec=spec,
            spec_digest=digest(spec),
            source=SourceFingerprint(system="oplacrm", digest=FINGERPRINT),
            destination=identity,
            prior_state=prior,
            schema_changes=tuple(self.schema),
            phases=tuple(self.phases()),
            counts=self.counts(),
            quarantine=tuple(self.quarantine),
            holds=tuple(self.holds),
        )

    def write_plan(
        self,
        path: Path,
        identity: DestinationIdentity,
        prior: PriorState | None = None,
        changes: Sequence[RecordChange] | None = None,
    ) -> Path:
        """Save the plan to ``path``."""
        with PlanWriter(path.parent) as writer:
            for change in self.changes() if changes is None else changes:
                writer.add(change)
            writer.finish(self.header(identity, prior), path)
        return path


def with_payload(item: Desired, **changes: Any) -> Desired:
    """``item`` with payload keys changed."""
    return replace(item, payload={**item.payload, **changes})


def snapshot(http: httpx.Client) -> dict[str, Any]:
    """The sandbox's canonical snapshot."""
    response = http.get("/_sandbox/snapshot")
    response.raise_for_status()
    data: dict[str, Any] = json.loads(response.content)
    return data


def records_of(http: httpx.Client, plural: str) -> list[dict[str, Any]]:
    """Every stored record of ``plural`` (soft-deleted included)."""
    found: list[dict[str, Any]] = snapshot(http)["records"].get(plural, [])
    return found


def requests_log(http: httpx.Client) -> list[dict[str, Any]]:
    """The sandbox's request log."""
    response = http.get("/_sandbox/requests")
    response.raise_for_status()
    entries: list[dict[str, Any]] = response.json()["requests"]
    return entries
