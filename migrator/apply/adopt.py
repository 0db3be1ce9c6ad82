"""``state import``: adopt records already in Twenty into the state, without writing to Twenty.

A migration that was started by hand, by another tool, or by a state that was lost leaves records
in Twenty that the state does not know. :func:`adopt_records` recomputes a mapping's desired
records (the mapper), reads the Twenty records of its object that carry a value in the matching
field — the provenance field (``migrationSourceId``: the source key) or a unique field such as
``emails.primaryEmail`` — page by page, and records every match as ``adopted``: from then on the
record is migrator's (a plan updates it to the desired payload; destroy deletes it). The state's
digest of an adopted record is the digest of what Twenty holds, so the next plan shows exactly
which adopted records differ from the source. Records the state already has are left alone. The
run is journalled as an ``import`` run; the state is locked throughout.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from migrator.apply.model import Desired, DesiredSource
from migrator.errors import UsageError
from migrator.model import digest
from migrator.state.model import Destination, RecordEntry, RecordStatus, RunKind, RunStatus
from migrator.state.store import StateStore
from migrator.twenty.client import TwentyClient

CHUNK = 500


@dataclass(frozen=True)
class AdoptResult:
    """What ``state import`` did."""

    mapping: str
    by: str
    desired: int
    """Records the mapping wants."""
    adopted: int
    """Of those, found in Twenty and now recorded as adopted."""
    already_known: int
    """Of those, already in the state (left alone)."""
    not_found: int
    twenty_records_read: int
    run_id: str
    serial: int


def value_at(payload: Mapping[str, Any], path: str) -> str | None:
    """The text at a dotted ``path`` of a payload (``emails.primaryEmail``), if any."""
    node: Any = payload
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node if isinstance(node, str) and node else None


def _normal(path: str, value: str) -> str:
    return value.strip().lower() if "email" in path.lower() else value


def _wanted(items: Iterable[object], by: str, source_field: str) -> dict[str, Desired]:
    wanted: dict[str, Desired] = {}
    for item in items:
        if not isinstance(item, Desired):
            continue
        key = item.source_key if by == source_field else value_at(item.payload, by)
        if key is not None:
            wanted[_normal(by, key)] = item
    return wanted


def adopt_records(
    *,
    mapping: str,
    by: str,
    source_field: str,
    source: DesiredSource,
    client: TwentyClient,
    plural: str,
    store: StateStore,
    destination: Destination,
    migration_name: str,
    namespace: str,
) -> AdoptResult:
    """Adopt ``mapping``'s records found in Twenty by ``by`` (module docstring)."""
    wanted = _wanted(source.phase_items(f"mapping.{mapping}"), by, source_field)
    if not wanted:
        raise UsageError(
            f"mapping {mapping!r} gives no record with a value in {by!r}",
            hint="choose --by migrationSourceId or a unique field the mapping writes",
        )
    known = sum(1 for item in wanted.values() if store.record(item.address) is not None)
    entries: list[RecordEntry] = []
    read = 0
    for record in client.records.iter(plural, filter=f"{by}[is]:NOT_NULL"):
        read += 1
        value = value_at(record, by)
        item = wanted.get(_normal(by, value)) if value is not None else None
        if item is None or store.record(item.address) is not None:
            continue
        entries.append(
            RecordEntry(
                address=item.address,
                mapping=item.mapping,
                source_key=item.source_key,
                twenty_object=item.twenty_object,
                twenty_id=str(record["id"]),
                payload_digest=digest(record),
                status=RecordStatus.ADOPTED,
            )
        )
    with store.batch() as tx:
        tx.bind(destination, migration_name=migration_name, namespace=namespace)
        run = tx.start_run(RunKind.IMPORT, digest({"import": mapping, "by": by}))
    for start in range(0, len(entries), CHUNK):
        with store.batch(run_id=run.run_id) as tx:
            for entry in entries[start : start + CHUNK]:
                tx.record_written(entry)
    finished = store.finish_run(run.run_id, RunStatus.COMPLETE)
    return AdoptResult(
        mapping=mapping,
        by=by,
        desired=len(wanted),
        adopted=len(entries),
        already_known=known,
        not_found=len(wanted) - len(entries) - known,
        twenty_records_read=read,
        run_id=run.run_id,
        serial=finished.last_serial,
    )
