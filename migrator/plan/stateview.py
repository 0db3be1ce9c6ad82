"""The state as the planner reads it: one mapping's record map at a time, compactly.

A plan compares every desired record with the state's row at its address. Reading the rows of
one mapping into a dictionary (:class:`MappingState`) makes that a lookup; values are packed
(payload digest and Twenty id as raw bytes, the status as one character) so a mapping of a
million records stays in a few hundred megabytes, and the dictionary is dropped when the mapping
is done. What is left in it then — records the state has but the source no longer yields — is
reported, not deleted (deletes are delta's, issue #11).

:func:`merged_ids` gives the id map of records migrator merged into or restored: the
deterministic id each stands for → the record's own Twenty id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from migrator.identity import twenty_id
from migrator.state.model import RecordDigest, RecordStatus
from migrator.state.store import StateReader

_PREFIX = "sha256:"
_STATUS_CODE = {status: status.value[0] for status in RecordStatus}
_STATUS_OF = {code: status for status, code in _STATUS_CODE.items()}


def _pack(row: RecordDigest) -> tuple[str, bytes | str, bytes | str]:
    digest: bytes | str = row.payload_digest
    if row.payload_digest.startswith(_PREFIX) and len(row.payload_digest) == len(_PREFIX) + 64:
        digest = bytes.fromhex(row.payload_digest[len(_PREFIX) :])
    try:
        ident: bytes | str = uuid.UUID(row.twenty_id).bytes
    except ValueError:
        ident = row.twenty_id
    return _STATUS_CODE[row.status], digest, ident


def _unpack(address: str, key: str, packed: tuple[str, bytes | str, bytes | str]) -> RecordDigest:
    status, digest, ident = packed
    return RecordDigest(
        address=address,
        source_key=key,
        twenty_id=str(uuid.UUID(bytes=ident)) if isinstance(ident, bytes) else ident,
        payload_digest=_PREFIX + digest.hex() if isinstance(digest, bytes) else digest,
        status=_STATUS_OF[status],
    )


class MappingState:
    """The state's records of one mapping, by address (a builder: entries are taken once)."""

    def __init__(self, mapping: str, rows: Iterator[RecordDigest]) -> None:
        self.mapping = mapping
        self._rows: dict[str, tuple[str, tuple[str, bytes | str, bytes | str]]] = {
            row.address: (row.source_key, _pack(row)) for row in rows
        }
        self.loaded = len(self._rows)

    def take(self, address: str) -> RecordDigest | None:
        """The state's row at ``address``, removed from what is left (None if absent)."""
        found = self._rows.pop(address, None)
        return None if found is None else _unpack(address, found[0], found[1])

    def has(self, address: str) -> bool:
        """True when the state has ``address`` and it was not taken yet."""
        return address in self._rows

    def left(self) -> list[str]:
        """Addresses never taken: records the state has that the source no longer yields."""
        return sorted(self._rows)

    def merged(self, namespace: uuid.UUID) -> dict[str, str]:
        """Deterministic id → Twenty id of this mapping's merged, restored or adopted records."""
        found: dict[str, str] = {}
        for address, (key, packed) in self._rows.items():
            if packed[0] != _STATUS_CODE[RecordStatus.WRITTEN]:
                row = _unpack(address, key, packed)
                own = twenty_id(namespace, key)
                if row.twenty_id != own:
                    found[own] = row.twenty_id
        return found


def load_mapping_state(state: StateReader | None, mapping: str) -> MappingState:
    """The record map of ``mapping`` (empty without a state)."""
    return MappingState(mapping, state.record_digests(mapping) if state is not None else iter(()))


def merged_ids(state: MappingState, namespace: uuid.UUID) -> dict[str, str]:
    """The id map entries of one mapping's records migrator did not create."""
    return state.merged(namespace)
