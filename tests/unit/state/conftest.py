"""Fixtures of the state tests: real stores on both backends, a fixed clock, counted ids.

``make_store`` is the one way the tests open a store. It is parametrised over the backends: a
SQLite file in a tmp dir, and a fresh schema on the PostgreSQL test server (dropped after the
test; see :mod:`tests.unit.state.pgserver`), so every test that uses it runs on both. A test
passes a path to get a second, distinct store; on PostgreSQL each path maps to its own schema.
:func:`state_arg` is what the CLI tests pass as ``--state`` for a store.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from migrator.addresses import record_address
from migrator.clock import FixedClock
from migrator.state import (
    HoldEntry,
    PreImage,
    QuarantineEntry,
    RecordEntry,
    RecordStatus,
)
from migrator.state.location import PostgresLocation, SqliteLocation, StateLocation, open_state
from migrator.state.sqlstore import SqlStateStore
from tests.unit.state.pgserver import drop_schema, new_schema_name, require_dsn, without_password

StoreFactory = Callable[..., SqlStateStore]
LocationFactory = Callable[[Path], StateLocation]


def counted_ids(start: int = 1) -> Callable[[], str]:
    """Deterministic uuid-shaped ids: 00000000-0000-0000-0000-000000000001, …"""
    counter = itertools.count(start)
    return lambda: str(uuid.UUID(int=next(counter)))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / ".migrator" / "test.state.db"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """The state backend under test (each test that opens a store runs on both)."""
    if request.param == "postgres":
        require_dsn()
    return str(request.param)


@pytest.fixture
def locations(backend: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocationFactory]:
    """Maps a test's state path to a location of the backend under test (one schema per path).

    On PostgreSQL the DSN carries no password: it is in PGPASSWORD, as users are told to do.
    """
    schemas: dict[Path, str] = {}
    if backend == "postgres":
        dsn, password = without_password(require_dsn())
        monkeypatch.setenv("PGPASSWORD", password)

    def location(path: Path) -> StateLocation:
        if backend == "sqlite":
            return SqliteLocation(path=path)
        schema = schemas.setdefault(path, new_schema_name())
        return PostgresLocation(dsn=SecretStr(dsn), schema_name=schema)

    yield location
    for schema in schemas.values():
        drop_schema(require_dsn(), schema)


@pytest.fixture
def make_store(
    state_path: Path, clock: FixedClock, locations: LocationFactory
) -> Iterator[StoreFactory]:
    opened: list[SqlStateStore] = []

    def factory(
        path: Path | None = None,
        *,
        create: bool = True,
        new_id: Callable[[], str] | None = None,
    ) -> SqlStateStore:
        store = open_state(
            locations(path or state_path),
            create=create,
            clock=clock,
            new_id=new_id or counted_ids(),
        )
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


def state_arg(location: StateLocation) -> str:
    """What a user passes as ``--state`` for ``location`` (also what messages show)."""
    return location.display()


@pytest.fixture
def store(make_store: StoreFactory) -> SqlStateStore:
    return make_store()


def written(mapping: str, key: str, *, digest: str = "sha256:aa", **extra: object) -> RecordEntry:
    """A record migrator created."""
    fields: dict[str, object] = {
        "address": record_address(mapping, key),
        "mapping": mapping,
        "source_key": key,
        "twenty_object": "company",
        "twenty_id": str(uuid.uuid5(uuid.NAMESPACE_URL, key)),
        "payload_digest": digest,
        "status": RecordStatus.WRITTEN,
    }
    fields.update(extra)
    return RecordEntry.model_validate(fields)


def merged(mapping: str, key: str, *, restored: bool = False) -> RecordEntry:
    """A pre-existing record migrator merged into (or restored), with its pre-image."""
    return written(
        mapping,
        key,
        status=RecordStatus.RESTORED if restored else RecordStatus.MERGED,
        twenty_id="9b1f0000-0000-4000-8000-000000000001",
        pre_image=PreImage(
            values={"name": "Existing Co", "domainName": {"primaryLinkUrl": "existing.example"}},
            updated_at="2025-01-02T03:04:05.000Z",
            deleted_at="2025-02-01T00:00:00.000Z" if restored else None,
        ),
    )


def quarantined(mapping: str, key: str, code: str = "invalid_nhs_number") -> QuarantineEntry:
    return QuarantineEntry(
        address=record_address(mapping, key),
        mapping=mapping,
        source_key=key,
        code=code,
        reason="NHS number fails the modulus 11 check",
    )


def held(mapping: str, key: str, owner: str = "oplacrm:users:MNV_009") -> HoldEntry:
    return HoldEntry(
        address=record_address(mapping, key),
        mapping=mapping,
        source_key=key,
        code="owner_unresolved",
        reason="owner has no workspace member",
        blocked_by=owner,
        owner_email_hash="sha256:" + "0" * 64,
    )
