"""The audit log: JSON Lines, one line per record written and per decision taken on the way.

Every line is canonical JSON with ``event``, ``run_id`` and ``time``. The events:

* ``run`` — a run starts (plan digest, destination, resumed or not) or ends (status, serial);
* ``decision`` — the rules that produce a phase's payloads (transforms, value maps, owner
  resolution, references: the *rule*, never a value), with ``rules`` (their digest) that each
  ``record`` line of the phase points at;
* ``schema`` — a schema resource created, updated or found done;
* ``record`` — a record written: address, action, Twenty id, payload digest (the digest of the
  whole payload, never a value), and ``rules``;
* ``quarantine`` / ``hold`` — a row refused by Twenty (scrubbed reason) or held back;
* ``phase`` — a phase's reconciliation counts.

Nothing here holds a source value: addresses name records by their source ids, reasons come
scrubbed from the client, and payloads appear only as digests. The file is created 0600 and
appended to across runs; lines are flushed per batch, so a killed process loses none it wrote.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from migrator.clock import Clock, isoformat_z
from migrator.model import canonical_json
from migrator.private_files import ensure_private_dir

FILE_MODE = 0o600


class AuditLog:
    """An append-only JSON Lines writer (thread-safe). Close it (or use ``with``) when done."""

    def __init__(self, path: Path, *, run_id: str, clock: Clock) -> None:
        ensure_private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        self.path = path
        self._handle: IO[str] = os.fdopen(fd, "a", encoding="utf-8")
        self._run_id = run_id
        self._clock = clock
        self._lock = threading.Lock()
        self._pending = 0

    def event(self, event: str, fields: Mapping[str, Any]) -> None:
        """Append one line (buffered until :meth:`flush`)."""
        line = {
            "event": event,
            "run_id": self._run_id,
            "time": isoformat_z(self._clock.now()),
            **fields,
        }
        text = canonical_json(line) + "\n"
        with self._lock:
            self._handle.write(text)
            self._pending += 1

    def record(
        self, *, address: str, action: str, twenty_id: str, payload_digest: str, rules: str
    ) -> None:
        """One record written."""
        fields = {
            "address": address,
            "action": action,
            "twenty_id": twenty_id,
            "payload_digest": payload_digest,
        }
        if rules:
            fields["rules"] = rules
        self.event("record", fields)

    def flush(self) -> None:
        """Hand the buffered lines to the operating system (survives the process being killed)."""
        with self._lock:
            if self._pending:
                self._handle.flush()
                self._pending = 0

    def close(self) -> None:
        """Flush and close (idempotent)."""
        with self._lock:
            if not self._handle.closed:
                self._handle.flush()
                self._handle.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def default_audit_path(base_dir: Path, migration_name: str) -> Path:
    """``<base_dir>/.migrator/<name>.audit.jsonl``: one log per migration, appended by runs."""
    return base_dir / ".migrator" / f"{migration_name}.audit.jsonl"
