"""Builders of desired records and state rows for the planner's unit tests."""

from __future__ import annotations

import uuid
from typing import Any

from migrator.addresses import record_address
from migrator.identity import twenty_id
from migrator.mapping.model import DesiredRecord, Link
from migrator.model import digest
from migrator.state.model import RecordDigest, RecordStatus

NAMESPACE = uuid.UUID("3a1f0c2e-7b6d-4e5f-9a8b-0c1d2e3f4a5b")


def key(obj: str, ident: int | str) -> str:
    """``oplacrm:<obj>:<ident>``."""
    return f"oplacrm:{obj}:{ident}"


def rid(obj: str, ident: int | str) -> str:
    """The deterministic Twenty id of a test source record."""
    return twenty_id(NAMESPACE, key(obj, ident))


def make_desired(
    mapping: str,
    obj: str,
    ident: int | str,
    twenty_object: str,
    fields: dict[str, Any],
    *,
    links: tuple[Link, ...] = (),
    depends_on: tuple[str, ...] = (),
    sensitive: frozenset[str] = frozenset(),
) -> DesiredRecord:
    """A desired record with id, provenance and the given fields."""
    source_key = key(obj, ident)
    payload = {"id": rid(obj, ident), "migrationSourceId": source_key, **fields}
    return DesiredRecord(
        mapping=mapping,
        address=record_address(mapping, source_key),
        source_key=source_key,
        twenty_object=twenty_object,
        twenty_id=rid(obj, ident),
        payload=payload,
        payload_digest=digest(payload),
        links=links,
        depends_on=depends_on,
        sensitive_fields=sensitive,
    )


def state_row(
    desired: DesiredRecord,
    payload_digest: str,
    *,
    status: RecordStatus = RecordStatus.WRITTEN,
    twenty: str | None = None,
) -> RecordDigest:
    """The state's row for ``desired`` as apply would have stored it."""
    return RecordDigest(
        address=desired.address,
        source_key=desired.source_key,
        twenty_id=twenty or desired.twenty_id,
        payload_digest=payload_digest,
        status=status,
    )
