"""The state: what migrator has done to one Twenty workspace (DESIGN.md, State).

A store of rows, not one document: lineage and serial, the schema resources migrator created or
changed, the record map with pre-images, delta cursors, the run journal, the quarantine and the
owner queue. :class:`StateStore` is the protocol (:class:`StateReader` for planners, which never
write); :func:`open_sqlite_state` opens the default backend. The names below are the package's
public interface; the modules behind them are internals of the backends.
"""

from __future__ import annotations

from migrator.state.lock import LockInfo
from migrator.state.model import (
    CursorState,
    Destination,
    HoldEntry,
    OwnerQueueEntry,
    PhaseCounts,
    PreImage,
    QuarantineEntry,
    RecordCount,
    RecordDigest,
    RecordEntry,
    RecordStatus,
    RunEntry,
    RunKind,
    RunStatus,
    SchemaKind,
    SchemaResource,
    StateMeta,
    normalize_base_url,
    owner_email_hash,
)
from migrator.state.sqlite import open_sqlite_state
from migrator.state.store import StateBatch, StateReader, StateStore
from migrator.state.upgrade import CURRENT_FORMAT_VERSION

__all__ = [
    "CURRENT_FORMAT_VERSION",
    "CursorState",
    "Destination",
    "HoldEntry",
    "LockInfo",
    "OwnerQueueEntry",
    "PhaseCounts",
    "PreImage",
    "QuarantineEntry",
    "RecordCount",
    "RecordDigest",
    "RecordEntry",
    "RecordStatus",
    "RunEntry",
    "RunKind",
    "RunStatus",
    "SchemaKind",
    "SchemaResource",
    "StateBatch",
    "StateMeta",
    "StateReader",
    "StateStore",
    "normalize_base_url",
    "open_sqlite_state",
    "owner_email_hash",
]
