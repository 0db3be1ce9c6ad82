"""The state: what migrator has done to one Twenty workspace (DESIGN.md, State).

A store of rows, not one document: lineage and serial, the schema resources migrator created or
changed, the record map with pre-images, delta cursors, the run journal, the quarantine and the
owner queue. :class:`StateStore` is the protocol (:class:`StateReader` for planners, which never
write). A state lives in a SQLite file (the default) or a PostgreSQL schema (teams):
:func:`state_location_for_spec` and :func:`parse_state_location` say where, :func:`open_state`
opens either (:func:`open_existing_state` for a planner, which never creates one). The names
below are the package's public interface; the modules behind them are internals of the backends.
"""

from __future__ import annotations

from migrator.state.location import (
    PostgresLocation,
    SqliteLocation,
    StateLocation,
    open_existing_state,
    open_state,
    parse_state_location,
    state_location_for_spec,
)
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
    "PostgresLocation",
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
    "SqliteLocation",
    "StateBatch",
    "StateLocation",
    "StateMeta",
    "StateReader",
    "StateStore",
    "normalize_base_url",
    "open_existing_state",
    "open_sqlite_state",
    "open_state",
    "owner_email_hash",
    "parse_state_location",
    "state_location_for_spec",
]
