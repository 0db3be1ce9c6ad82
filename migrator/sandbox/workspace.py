"""The workspace a request works on: store, current schema, clock, API actor and files.

Holds the one mutable reference of the sandbox's data model, the current :class:`Schema`, and the
per-object payload readers and renderers built from it. :meth:`Workspace.reload` swaps all of them
at once (inside the metadata write's transaction), so a request that took the schema at its start
uses one consistent set.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from migrator.clock import Clock, isoformat_z
from migrator.sandbox.config import TwentyVersion
from migrator.sandbox.files import FileStore
from migrator.sandbox.http import bad_request
from migrator.sandbox.payloads import PayloadReader
from migrator.sandbox.render import RecordRenderer
from migrator.sandbox.schema import ObjectMeta, Schema, load_schema
from migrator.sandbox.store import Store


@dataclass(frozen=True)
class _Tools:
    schema: Schema
    readers: dict[str, PayloadReader]
    renderers: dict[str, RecordRenderer]


class Workspace:
    """Everything a route needs besides the request; safe to share across threads."""

    def __init__(
        self,
        store: Store,
        *,
        version: TwentyVersion,
        clock: Clock,
        api_key_name: str,
        files: FileStore,
    ) -> None:
        self.store = store
        self.version = version
        self.clock = clock
        self.files = files
        self.api_actor: dict[str, Any] = {
            "source": "API",
            "workspaceMemberId": None,
            "name": api_key_name,
            "context": {},
        }
        self._swap_lock = threading.Lock()
        with store.read() as conn:
            self._tools = self._build(conn)

    def _build(self, conn: sqlite3.Connection) -> _Tools:
        schema = load_schema(conn, self.version)
        return _Tools(
            schema=schema,
            readers={obj.id: PayloadReader(obj, self.api_actor) for obj in schema.objects},
            renderers={obj.id: RecordRenderer(obj, self.files.url) for obj in schema.objects},
        )

    def reload(self, conn: sqlite3.Connection) -> Schema:
        """Re-read the metadata (inside the caller's transaction) and swap in the new schema."""
        tools = self._build(conn)
        with self._swap_lock:
            self._tools = tools
        return tools.schema

    @property
    def schema(self) -> Schema:
        """The current schema snapshot."""
        return self._tools.schema

    def reader(self, obj: ObjectMeta) -> PayloadReader:
        """The payload reader of ``obj`` (built for ``obj``'s own schema snapshot)."""
        tools = self._tools
        reader = tools.readers.get(obj.id)
        return (
            reader
            if reader is not None and reader.obj is obj
            else PayloadReader(obj, self.api_actor)
        )

    def renderer(self, obj: ObjectMeta) -> RecordRenderer:
        """The renderer of ``obj``."""
        tools = self._tools
        renderer = tools.renderers.get(obj.id)
        return (
            renderer
            if renderer is not None and renderer.obj is obj
            else RecordRenderer(obj, self.files.url)
        )

    @staticmethod
    def new_id() -> str:
        """A fresh record id."""
        return str(uuid.uuid4())

    def now(self) -> str:
        """The current time as Twenty prints it."""
        return isoformat_z(self.clock.now())

    def object_by_plural(self, name: str) -> ObjectMeta:
        """The object whose plural is ``name``, or Twenty's "Did you mean" 400 (capture 37)."""
        schema = self.schema
        obj = schema.by_plural.get(name)
        if obj is not None:
            return obj
        singular = schema.by_singular.get(name)
        if singular is not None:
            raise bad_request(f"object '{name}' not found. Did you mean '{singular.name_plural}'?")
        raise bad_request(f"object '{name}' not found")
