"""``migrator state list|show|rm|unlock|migrate``: inspect, repair and move a state.

A state is a file path or a :class:`~migrator.state.location.StateLocation` (a file, or a
PostgreSQL schema). Every function opens the state it is given (never creating one, except
the target of ``migrate``), does its work and closes it.
Listing and the JSON view stream, so they run in constant memory at a million records; they
close the store when the iteration ends. ``state import`` (adopting records already in Twenty)
needs the Twenty client and comes with apply (#10).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from migrator.addresses import AddressError, AddressKind, parse_address, sort_addresses
from migrator.clock import Clock
from migrator.errors import StateError, UsageError
from migrator.model import canonical_json
from migrator.state import LockInfo
from migrator.state.location import (
    SqliteLocation,
    StateLocation,
    is_postgres_uri,
    open_state,
    parse_state_location,
)
from migrator.state.lock import check_breakable
from migrator.state.show import (
    StateSummary,
    iter_state_json,
    record_view,
    summarize_state,
)
from migrator.state.sqlstore import SqlStateStore
from migrator.state.transfer import StateCopy, copy_state

STATE_DIR = ".migrator"
STATE_SUFFIX = ".state.db"


def state_path_for_spec(spec_path: Path, *, name: str, configured: str | None) -> Path:
    """Where a spec's state lives: its ``state.path`` (relative to the spec file), else
    ``.migrator/<name>.state.db`` next to the spec."""
    relative = configured if configured is not None else f"{STATE_DIR}/{name}{STATE_SUFFIX}"
    return spec_path.parent / relative


def resolve_state_path(explicit: Path | None, *, cwd: Path) -> Path:
    """The state to use: ``explicit``, else the only ``.migrator/*.state.db`` under ``cwd``."""
    if explicit is not None:
        return explicit
    found = sorted((cwd / STATE_DIR).glob(f"*{STATE_SUFFIX}"))
    if len(found) == 1:
        return found[0]
    where = f"{STATE_DIR}/*{STATE_SUFFIX}"
    if not found:
        raise UsageError(
            "no state given and none found",
            detail=f"There is no {where} in {cwd}.",
            hint="pass the state file with --state PATH",
        )
    names = ", ".join(p.name for p in found)
    raise UsageError(
        "no state given and several found",
        detail=f"{where} in {cwd} matches {names}.",
        hint="choose one with --state PATH",
    )


def resolve_state_location(explicit: str | None, *, cwd: Path) -> StateLocation:
    """The state to use: ``explicit`` (a path, or ``postgresql://…?schema=NAME``), else the only
    ``.migrator/*.state.db`` under ``cwd``."""
    if explicit is not None:
        return parse_state_location(explicit)
    return SqliteLocation(path=resolve_state_path(None, cwd=cwd))


def _open(path: Path | StateLocation, clock: Clock | None = None) -> SqlStateStore:
    return open_state(path, create=False, clock=clock)


def _parse(address: str) -> str:
    try:
        return str(parse_address(address))
    except AddressError as exc:
        raise UsageError(
            f"{address!r} is not a state address",
            detail=str(exc),
            hint="copy the address from `migrator state list`",
        ) from None


def list_state(path: Path | StateLocation, *, mapping: str | None = None) -> Iterator[str]:
    """Every address in the state (schema resources, then records), in address order."""
    store = _open(path)
    try:
        if mapping is None:
            yield from sort_addresses(s.address for s in store.schema_resources())
        yield from (entry.address for entry in store.records(mapping))
    finally:
        store.close()


def show_state(path: Path | StateLocation) -> StateSummary:
    """The headline facts and counts of the state."""
    with _open(path) as store:
        return summarize_state(store)


def show_state_json(
    path: Path | StateLocation, *, include_pre_images: bool = False
) -> Iterator[str]:
    """The canonical JSON of the whole state, in chunks (equal states give equal bytes)."""
    store = _open(path)
    try:
        yield from iter_state_json(store, include_pre_images=include_pre_images)
    finally:
        store.close()


def show_state_entry(
    path: Path | StateLocation, address: str, *, include_pre_images: bool = False
) -> str:
    """The canonical JSON of what the state holds at ``address`` (record, schema, quarantine or
    hold entry)."""
    address = _parse(address)
    with _open(path) as store:
        found: dict[str, object] = {}
        record = store.record(address)
        if record is not None:
            found["record"] = record_view(record, include_pre_images=include_pre_images)
        schema = store.schema_resource(address)
        if schema is not None:
            found["schema"] = schema.model_dump(mode="json")
        quarantined = store.quarantine_entry(address)
        if quarantined is not None:
            found["quarantine"] = quarantined.model_dump(mode="json")
        hold = store.hold_entry(address)
        if hold is not None:
            found["hold"] = hold.model_dump(mode="json")
        if not found:
            raise _not_in_state([address], store.location)
        return canonical_json({"address": address, **found}, indent=2)


def _not_in_state(addresses: Sequence[str], location: str) -> StateError:
    return StateError(
        f"not in the state: {', '.join(addresses)}",
        detail=f"{location} holds no record, schema resource, quarantine or hold at that address.",
        hint="list what the state holds with `migrator state list`",
    )


def remove_from_state(
    path: Path | StateLocation,
    addresses: Sequence[str],
    *,
    lock_timeout: float = 0.0,
    clock: Clock | None = None,
) -> int:
    """Forget ``addresses`` (records, schema resources, their quarantine and hold entries)
    without touching Twenty; all or nothing. Returns the state's new serial."""
    wanted = [_parse(address) for address in addresses]
    with _open(path, clock) as store:
        store.acquire_lock("state rm", timeout=lock_timeout)
        missing = [a for a in wanted if not _is_held(store, a)]
        if missing:
            raise _not_in_state(missing, store.location)
        with store.batch() as tx:
            for address in wanted:
                if parse_address(address).kind is AddressKind.RECORD:
                    tx.forget_record(address)
                    tx.release(address)
                else:
                    tx.forget_schema_resource(address)
        return store.meta().serial


def _is_held(store: SqlStateStore, address: str) -> bool:
    kind = parse_address(address).kind
    if kind is not AddressKind.RECORD:
        return store.schema_resource(address) is not None
    return (
        store.record(address) is not None
        or store.quarantine_entry(address) is not None
        or store.hold_entry(address) is not None
    )


def unlock_state(path: Path | StateLocation, *, force: bool = False) -> LockInfo | None:
    """Release a lock whose holder is gone (or any lock with ``force``); return what was
    released, or ``None`` when the state was not locked."""
    with _open(path) as store:
        holder = store.lock_info()
        if holder is None:
            return None
        check_breakable(
            holder,
            location=store.location,
            force=force,
            holder_connected=store.lock_holder_connected(),
        )
        store.break_lock(holder)
        return holder


def target_location(backend: str, target: str) -> StateLocation:
    """The target of ``state migrate --to BACKEND TARGET``, checked against the backend."""
    if backend == "postgres" and not is_postgres_uri(target):
        raise UsageError(
            "--to postgres needs a PostgreSQL URI as the target",
            detail="The target is where the copy goes: a schema of a PostgreSQL database.",
            hint="e.g. postgresql://migrator@db.example.com/crm?schema=oplacrm_to_twenty "
            "(the password from PGPASSWORD or a .pgpass file)",
        )
    if backend == "sqlite" and is_postgres_uri(target):
        raise UsageError(
            "--to sqlite needs a file path as the target",
            hint="e.g. .migrator/oplacrm-to-twenty.state.db",
        )
    return parse_state_location(target)


def migrate_state(
    source: Path | StateLocation,
    target: StateLocation,
    *,
    lock_timeout: float = 0.0,
    clock: Clock | None = None,
) -> StateCopy:
    """Copy the state at ``source`` into ``target`` (new or empty, usually another backend)
    without loss: lineage, serial, the journal and pre-images, proven by equal
    ``state show --json`` digests. Both are locked while it runs; the source is left as it
    was (point the spec at the target afterwards)."""
    with _open(source, clock) as src:
        src.acquire_lock("state migrate", timeout=lock_timeout)
        with open_state(target, create=True, clock=clock) as dst:
            dst.acquire_lock("state migrate", timeout=lock_timeout)
            return copy_state(src, dst)
