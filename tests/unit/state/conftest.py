"""Fixtures of the state tests: real SQLite files in tmp dirs, a fixed clock, counted ids.

``make_store`` is the one way the tests open a store, so a second backend (#15) can run the same
tests by parametrising it.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from migrator.addresses import record_address
from migrator.clock import FixedClock
from migrator.state import (
    HoldEntry,
    PreImage,
    QuarantineEntry,
    RecordEntry,
    RecordStatus,
    open_sqlite_state,
)
from migrator.state.sqlstore import SqlStateStore

StoreFactory = Callable[..., SqlStateStore]


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


@pytest.fixture
def make_store(state_path: Path, clock: FixedClock) -> Iterator[StoreFactory]:
    opened: list[SqlStateStore] = []

    def factory(
        path: Path | None = None,
        *,
        create: bool = True,
        new_id: Callable[[], str] | None = None,
    ) -> SqlStateStore:
        store = open_sqlite_state(
            path or state_path, create=create, clock=clock, new_id=new_id or counted_ids()
        )
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


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
