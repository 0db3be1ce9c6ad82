"""The check: the source mapped again, the state's records read back, every field compared.

:class:`Verifier` runs in two steps so the cost is known before anything is read:

1. :meth:`Verifier.collect` runs the mapper over every phase (local work, no request): each
   desired record is found in the state (written or merged), the quarantine or the holds, or is
   ``not_written``; row outcomes count as their fate — that is the per-mapping conservation. The
   records to read back (all, or a deterministic sample of about ``sample``) are kept with the
   body apply sends for them (ids of merged records resolved, second-pass links included);
2. :meth:`Verifier.check` reads them back, 200 ids a request, and compares each with its body
   (:func:`migrator.plan.diff.field_diffs`: composite sub-fields the payload sets, empty values
   alike, instants as instants). ``updatedAt`` is not compared (a second-pass link write moves
   it). Without a sample it also scans each written object for records that carry migrator's
   provenance field but are not in the state (``unexpected``).

:attr:`Verifier.budget` is the number of read requests step 2 makes (the unexpected-record scan
counted at one page per 200 records the state has of the object).
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from migrator.identity import twenty_id
from migrator.mapping.inline_images import as_in_bundle
from migrator.mapping.model import (
    DesiredRecord,
    Fate,
    FileRef,
    Finding,
    Link,
    MappingResult,
    RowOutcome,
)
from migrator.plan.diff import field_diffs
from migrator.plan.payloads import write_payload
from migrator.spec.models import MigrationSpec
from migrator.state.model import RecordDigest, RecordStatus
from migrator.state.store import StateReader
from migrator.twenty.client import TwentyClient
from migrator.twenty.models import ObjectMetadata
from migrator.verify.model import (
    Conservation,
    FieldDifference,
    QuarantinedRecord,
    RecordFinding,
    VerifyReport,
)

CHUNK = 200
MAX_LISTED = 500
"""Findings listed in a report (all are counted)."""
MAX_QUARANTINE_LISTED = 5_000
"""Quarantined records listed in a report (all are counted)."""
IGNORED_KEYS = frozenset({"updatedAt"})
"""Payload keys not compared: a second-pass link write (a partial upsert) moves ``updatedAt``."""


class VerifyMapper(Protocol):
    """What verify needs of the mapper (:class:`migrator.mapping.Mapper`)."""

    def phases(self) -> tuple[Any, ...]:
        """Every phase (each with a ``name``), in the order they must run."""
        ...

    def run(self, name: str) -> Iterator[DesiredRecord | RowOutcome | Finding]:
        """Run one phase."""
        ...

    def result(self, name: str) -> MappingResult:
        """The counts of a phase that ran."""
        ...

    def resolve_link(self, link: Link) -> Link | None:
        """A link retargeted at a deduplication's winner, or None when its target is unwritten."""
        ...


@dataclass
class _ToRead:
    address: str
    twenty_object: str
    twenty_id: str
    body: dict[str, Any]
    sensitive: frozenset[str]
    links: tuple[Link, ...]
    files: tuple[FileRef, ...] = ()
    """Its files (embedded images' links are compared as the bundle targets they replaced)."""


def in_sample(address: str, fraction: float) -> bool:
    """Deterministic sampling: the same addresses are picked on every run."""
    if fraction >= 1.0:
        return True
    value = int.from_bytes(hashlib.sha256(address.encode()).digest()[:8], "big")
    return value / 2**64 < fraction


@dataclass
class Verifier:
    """Verifies one migration (see the module docstring). A builder: collect, then check."""

    spec: MigrationSpec
    state: StateReader
    client: TwentyClient
    metadata: Mapping[str, ObjectMetadata]
    namespace: uuid.UUID
    sample: int | None = None
    migration_sample: int | None = None
    """The size of the sample migration the state holds, if it holds one (for the report)."""
    rows: dict[str, RecordDigest] = field(default_factory=dict)
    id_map: dict[str, str] = field(default_factory=dict)
    counts: dict[str, Conservation] = field(default_factory=dict)
    to_read: dict[str, list[_ToRead]] = field(default_factory=dict)
    findings: list[RecordFinding] = field(default_factory=list)
    finding_count: int = 0
    notes: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def _find(self, finding: RecordFinding) -> None:
        self.finding_count += 1
        if len(self.findings) < MAX_LISTED:
            self.findings.append(finding)

    # --- step 1: the mapper ----------------------------------------------------------------
    def collect(self, mapper: VerifyMapper) -> None:
        """Map the source again; count every row; keep what is to be read back."""
        for row in self.state.record_digests():
            self.rows[row.address] = row
            own = twenty_id(self.namespace, row.source_key)
            if row.status is not RecordStatus.WRITTEN and row.twenty_id != own:
                self.id_map[own] = row.twenty_id
        total = max(len(self.rows), 1)
        fraction = 1.0 if self.sample is None else min(self.sample / total, 1.0)
        for phase in mapper.phases():
            yielded: dict[str, int] = {}
            for item in mapper.run(phase.name):
                if isinstance(item, Finding):
                    continue
                yielded[item.mapping] = yielded.get(item.mapping, 0) + 1
                if isinstance(item, RowOutcome):
                    self._outcome(item)
                else:
                    self._desired(item, fraction)
            result = mapper.result(phase.name)
            counts = self._counts(phase.name, result.twenty_object)
            if not yielded.get(phase.name):
                for fate, count in result.fates.items():
                    self._add_fate(counts, fate, count)
            counts = self.counts[phase.name]
            self.counts[phase.name] = counts.model_copy(update={"source": result.source_rows})
        self._resolve_links(mapper)
        self._left_in_state()

    def _counts(self, mapping: str, twenty_object: str) -> Conservation:
        if mapping not in self.counts:
            self.counts[mapping] = Conservation(mapping=mapping, twenty_object=twenty_object)
        return self.counts[mapping]

    def _bump(self, mapping: str, twenty_object: str, what: str, count: int = 1) -> None:
        counts = self._counts(mapping, twenty_object)
        self.counts[mapping] = counts.model_copy(update={what: getattr(counts, what) + count})

    def _add_fate(self, counts: Conservation, fate: Fate, count: int) -> None:
        self._bump(counts.mapping, counts.twenty_object, fate.value, count)

    def _outcome(self, item: RowOutcome) -> None:
        obj = self.counts[item.mapping].twenty_object if item.mapping in self.counts else ""
        self._bump(item.mapping, obj, item.fate.value)

    def _desired(self, desired: DesiredRecord, fraction: float) -> None:
        self.seen.add(desired.address)
        row = self.rows.get(desired.address)
        obj = desired.twenty_object
        if row is None:
            if self.state.quarantine_entry(desired.address) is not None:
                self._bump(desired.mapping, obj, "quarantined")
            elif self.state.hold_entry(desired.address) is not None:
                self._bump(desired.mapping, obj, "held")
            else:
                self._bump(desired.mapping, obj, "not_written")
                self._find(
                    RecordFinding(kind="not_written", address=desired.address, twenty_object=obj)
                )
            return
        merged = row.status in (RecordStatus.MERGED, RecordStatus.RESTORED)
        self._bump(desired.mapping, obj, "merged" if merged else "written")
        if not in_sample(desired.address, fraction):
            return
        existing = row.twenty_id if row.twenty_id != desired.twenty_id else None
        body = write_payload(desired.payload, id_map=self.id_map, existing_id=existing)
        self.to_read.setdefault(obj, []).append(
            _ToRead(
                desired.address,
                obj,
                row.twenty_id,
                {k: v for k, v in body.items() if k not in IGNORED_KEYS},
                desired.sensitive_fields,
                desired.links,
                desired.files,
            )
        )

    def _resolve_links(self, mapper: VerifyMapper) -> None:
        """Add each record's second-pass links to its body (targets that were written)."""
        for items in self.to_read.values():
            for item in items:
                for link in item.links:
                    resolved = mapper.resolve_link(link)
                    if resolved is None or resolved.target_address not in self.rows:
                        continue
                    target = self.id_map.get(resolved.target_id, resolved.target_id)
                    item.body[f"{resolved.field}Id"] = target

    def _left_in_state(self) -> None:
        """State records the source no longer gives: a finding where the spec deletes them."""
        for address, row in self.rows.items():
            if address in self.seen:
                continue
            mapping = address[len("record.") : address.index("[")]
            body = self.spec.all_mappings().get(mapping)
            policy = getattr(body, "on_source_delete", None) or self.spec.on_source_delete
            if policy == "delete":
                self._find(
                    RecordFinding(
                        kind="not_in_source",
                        address=address,
                        twenty_object=body.to if body is not None else "",
                        twenty_id=row.twenty_id,
                    )
                )
            else:
                self.notes.append(f"{address}: gone from the source, {policy} (as the spec says)")

    # --- step 2: reading back --------------------------------------------------------------
    def _plural(self, obj: str) -> str | None:
        meta = self.metadata.get(obj)
        return meta.name_plural if meta is not None else None

    def _scanned_objects(self) -> list[str]:
        """Objects scanned for unexpected records (none when sampling)."""
        if self.sample is not None:
            return []
        name = self.spec.provenance.source_id_field
        objects = {mapping.to for mapping in self.spec.all_mappings().values()}
        return sorted(
            o for o in objects if (m := self.metadata.get(o)) is not None and m.field(name)
        )

    @property
    def budget(self) -> int:
        """Read requests :meth:`check` will make."""
        reads = sum(math.ceil(len(items) / CHUNK) for items in self.to_read.values())
        in_state: dict[str, int] = {}
        for counts in self.counts.values():
            written = counts.written + counts.merged
            in_state[counts.twenty_object] = in_state.get(counts.twenty_object, 0) + written
        for obj in self._scanned_objects():
            reads += max(1, math.ceil(in_state.get(obj, 0) / CHUNK))
        return reads

    def check(self) -> None:
        """Read back and compare (see the module docstring)."""
        for obj, items in sorted(self.to_read.items()):
            plural = self._plural(obj)
            for start in range(0, len(items), CHUNK):
                chunk = items[start : start + CHUNK]
                found = (
                    self.client.records.find_by_ids(plural, [i.twenty_id for i in chunk])
                    if plural is not None
                    else {}
                )
                for item in chunk:
                    self._compare(item, found.get(item.twenty_id))
        known = {row.twenty_id for row in self.rows.values()}
        field_name = self.spec.provenance.source_id_field
        for obj in self._scanned_objects():
            plural = self._plural(obj)
            assert plural is not None
            for record in self.client.records.iter(plural, filter=f"{field_name}[is]:NOT_NULL"):
                rid = str(record.get("id"))
                if record.get(field_name) and rid not in known:
                    self._find(
                        RecordFinding(
                            kind="unexpected",
                            address=str(record.get(field_name)),
                            twenty_object=obj,
                            twenty_id=rid,
                        )
                    )

    def _compare(self, item: _ToRead, record: Mapping[str, Any] | None) -> None:
        if record is None:
            self._find(
                RecordFinding(
                    kind="missing_in_twenty",
                    address=item.address,
                    twenty_object=item.twenty_object,
                    twenty_id=item.twenty_id,
                )
            )
            return
        diffs = field_diffs(as_in_bundle(record, item.files), item.body, item.sensitive)
        if not diffs:
            return
        fields = tuple(
            FieldDifference(path=d.path, sensitive=True)
            if d.sensitive
            else FieldDifference(path=d.path, twenty=d.before, expected=d.after)
            for d in diffs
        )
        self._find(
            RecordFinding(
                kind="differs",
                address=item.address,
                twenty_object=item.twenty_object,
                twenty_id=item.twenty_id,
                fields=fields,
            )
        )

    def quarantine(self) -> tuple[list[QuarantinedRecord], int]:
        """The state's quarantine, bounded, and how many entries it holds."""
        listed: list[QuarantinedRecord] = []
        count = 0
        for entry in self.state.quarantined():
            count += 1
            if len(listed) < MAX_QUARANTINE_LISTED:
                listed.append(
                    QuarantinedRecord(address=entry.address, code=entry.code, reason=entry.reason)
                )
        return listed, count

    def report(self, reads: int, budget: int) -> VerifyReport:
        """The report (findings in address order)."""
        quarantine, quarantined = self.quarantine()
        return VerifyReport(
            quarantine=tuple(quarantine),
            quarantine_count=quarantined,
            name=self.spec.name,
            checked=sum(len(items) for items in self.to_read.values()),
            sample=self.sample,
            migration_sample=self.migration_sample,
            findings=tuple(sorted(self.findings, key=lambda f: (f.address, f.kind))),
            finding_count=self.finding_count,
            conservation=tuple(self.counts[m] for m in sorted(self.counts)),
            reads=reads,
            budget=budget,
            notes=tuple(sorted(self.notes)[:MAX_LISTED]),
        )
