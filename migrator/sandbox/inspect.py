"""The sandbox's own routes for tests: the request log and a canonical snapshot of everything.

``GET /_sandbox/requests`` lists what clients sent (method, path, query, status, records carried,
time); ``DELETE`` clears it. ``GET /_sandbox/snapshot`` returns all metadata and every record
(soft-deleted included) as canonical JSON via :func:`migrator.model.canonical_json`: keys sorted,
lists in a fixed order, so the same data always gives the same bytes. Neither holds the API key.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from typing import Any

from migrator.model import canonical_json
from migrator.sandbox import rows as rowlib
from migrator.sandbox.http import Request, Response, bad_request
from migrator.sandbox.workspace import Workspace

MAX_LOG_ENTRIES = 100_000


class RequestLog:
    """A bounded, thread-safe list of the requests the sandbox answered."""

    def __init__(self) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=MAX_LOG_ENTRIES)
        self._lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        """Append one entry."""
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        """A copy of the entries, oldest first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()


def snapshot(ws: Workspace, workspace_id: str) -> dict[str, Any]:
    """All metadata and records, with lists sorted so equal data compares equal."""
    schema = ws.schema
    objects = []
    records: dict[str, list[dict[str, Any]]] = {}
    with ws.store.read() as conn:
        for obj in schema.objects:
            doc = {key: value for key, value in obj.doc.items() if not key.startswith("_")}
            doc["fields"] = sorted(
                (
                    {k: v for k, v in item.doc.items() if not k.startswith("_")}
                    for item in obj.fields
                ),
                key=lambda item: str(item["name"]),
            )
            objects.append(doc)
            renderer = ws.renderer(obj)
            sql = f'SELECT {rowlib.SELECT_COLUMNS} FROM "{obj.table}" ORDER BY id'
            records[obj.name_plural] = [
                renderer.render(rowlib.decode(raw)) for raw in conn.execute(sql)
            ]
        files = [
            json.loads(doc) for (doc,) in conn.execute("SELECT doc FROM sandbox_files ORDER BY id")
        ]
    return {
        "workspaceId": workspace_id,
        "objects": sorted(objects, key=lambda item: str(item["nameSingular"])),
        "records": records,
        "files": files,
    }


def handle(
    ws: Workspace, log: RequestLog, workspace_id: str, req: Request, parts: list[str]
) -> Response:
    """Dispatch ``/_sandbox/<parts>`` (the fault knobs live in the fault layer, not here)."""
    route = "/".join(parts)
    if route == "requests" and req.method == "GET":
        entries = log.entries()
        return Response(200, {"requests": entries, "count": len(entries)})
    if route == "requests" and req.method == "DELETE":
        log.clear()
        return Response(200, {"cleared": True})
    if route == "snapshot" and req.method == "GET":
        text = canonical_json(snapshot(ws, workspace_id))
        return Response(200, raw=text.encode("utf-8"))
    raise bad_request(f"Unknown sandbox route {req.method} {req.path}")
