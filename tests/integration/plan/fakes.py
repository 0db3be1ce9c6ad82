"""A small stand-in mapper for planner tests: accounts → companies, contacts → people.

It produces :class:`DesiredRecord` values in the mapper's contract (deterministic ids, payloads
with foreign keys, the provenance field, digests) from a generated OplaCRM bundle, so the
planner, the diff and the plan file are tested on real data without the real mapper.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from migrator.addresses import record_address
from migrator.identity import twenty_id
from migrator.mapping.model import DesiredRecord, Finding, Link, MappingResult, RowOutcome
from migrator.model import digest
from migrator.sources.bundle import Bundle
from migrator.spec.models import MigrationSpec

SPEC = """\
version: 1
name: fake-plan
source: {system: oplacrm, bundle: ./data, timezone: Asia/Ho_Chi_Minh, currency: VND}
destination: {url: "sandbox:.migrator/sandbox.db"}
provenance: {created_by: Test import}
objects:
  companies:
    from: accounts
    to: company
    fields:
      name: name
      domainName: {primaryLinkUrl: short_id}
      oplaParent: {ref: companies, by: parent_account_id}
  people:
    from: contacts
    to: person
    match: [emails]
    fields:
      name: {firstName: first_name, lastName: last_name}
      emails: {primaryEmail: email}
      company: {ref: companies, by: account_id}
schema:
  company:
    fields:
      oplaParent: {type: RELATION, to: company, label: Parent, inverse_label: Children}
"""


def domain_of(short_id: str) -> str:
    """The company domain the fake mapper writes for an account's short id."""
    return f"https://{short_id.lower()}.example.com"


class FakeMapper:
    """Maps ``companies`` and ``people`` of a generated OplaCRM bundle."""

    def __init__(
        self,
        spec: MigrationSpec,
        bundle: Bundle,
        *,
        spec_dir: Path,
        members: Any,
        namespace: uuid.UUID,
    ) -> None:
        del spec_dir, members
        self.spec = spec
        self.bundle = bundle
        self.namespace = namespace
        self.results: dict[str, MappingResult] = {}

    def _ids(self, obj: str, ident: str) -> tuple[str, str]:
        key = f"oplacrm:{obj}:{ident}"
        return key, twenty_id(self.namespace, key)

    def run(self, mapping: str) -> Iterator[DesiredRecord | RowOutcome | Finding]:
        result = MappingResult(mapping, "company" if mapping == "companies" else "person")
        self.results[mapping] = result
        if mapping == "companies":
            for row in self.bundle.read("accounts"):
                result.source_rows += 1
                yield self._company(
                    row.id, row.get("name"), row.get("short_id"), row.get("parent_account_id")
                )
        else:
            for row in self.bundle.read("contacts"):
                result.source_rows += 1
                yield self._person(
                    row.id,
                    row.get("first_name"),
                    row.get("last_name"),
                    row.get("email"),
                    row.get("account_id"),
                )

    def result(self, mapping: str) -> MappingResult:
        return self.results[mapping]

    def resolve_link(self, link: Link) -> Link | None:
        return link

    def close(self) -> None:
        self.results.clear()

    def _company(self, ident: str, name: Any, short_id: Any, parent: Any) -> DesiredRecord:
        key, rid = self._ids("accounts", ident)
        payload: dict[str, Any] = {
            "id": rid,
            "name": name,
            "domainName": {"primaryLinkUrl": domain_of(str(short_id))},
            "migrationSourceId": key,
            "createdBy": {"source": "IMPORT", "name": "Test import"},
        }
        links: tuple[Link, ...] = ()
        if parent:
            pkey, pid = self._ids("accounts", str(parent))
            links = (Link("oplaParent", record_address("companies", pkey), pid),)
        return DesiredRecord(
            mapping="companies",
            address=record_address("companies", key),
            source_key=key,
            twenty_object="company",
            twenty_id=rid,
            payload=payload,
            payload_digest=digest(payload),
            links=links,
        )

    def _person(self, ident: str, first: Any, last: Any, email: Any, account: Any) -> DesiredRecord:
        key, rid = self._ids("contacts", ident)
        payload: dict[str, Any] = {
            "id": rid,
            "name": {"firstName": first or "", "lastName": last or ""},
            "emails": {"primaryEmail": (email or "").lower() or None},
            "migrationSourceId": key,
            "createdBy": {"source": "IMPORT", "name": "Test import"},
        }
        depends: tuple[str, ...] = ()
        if account:
            akey, aid = self._ids("accounts", str(account))
            payload["companyId"] = aid
            depends = (record_address("companies", akey),)
        return DesiredRecord(
            mapping="people",
            address=record_address("people", key),
            source_key=key,
            twenty_object="person",
            twenty_id=rid,
            payload=payload,
            payload_digest=digest(payload),
            depends_on=depends,
            sensitive_fields=frozenset({"emails", "name"}),
        )
