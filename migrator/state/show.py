"""Views of a state: the canonical JSON document and the short text summary.

:func:`iter_state_json` writes the whole state as canonical JSON (sorted keys, 2-space indent,
trailing newline, exactly :func:`migrator.model.canonical_json` of the document) in chunks, so a
state of a million records prints in constant memory, and two equal states print identical bytes.
It reads inside one snapshot, and it leaves out what is local-only (the lock).

Maps are keyed by address. Pre-images of records migrator merged into or restored are Twenty
records that may hold personal data, so by default the view shows their digest, not their values
(``include_pre_images`` shows them); equal states still print equal bytes either way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from migrator.model import FrozenModel, canonical_json, digest
from migrator.state.model import RecordCount, RecordEntry, RunEntry, StateMeta
from migrator.state.store import StateReader

_INDENT = "  "


def _indented(value: Any, level: int) -> str:
    text = canonical_json(value, indent=2).rstrip("\n")
    return text.replace("\n", "\n" + _INDENT * level)


def _iter_map(pairs: Iterable[tuple[str, Any]], level: int) -> Iterator[str]:
    """A JSON object written as ``json.dumps(indent=2)`` would nest it at ``level``.

    ``pairs`` must come in sorted key order (the readers give address order).
    """
    inner = _INDENT * (level + 1)
    first = True
    for key, value in pairs:
        opening = "{" if first else ","
        name = json.dumps(key, ensure_ascii=False)
        yield f"{opening}\n{inner}{name}: {_indented(value, level + 1)}"
        first = False
    yield "{}" if first else "\n" + _INDENT * level + "}"


def _without(model: FrozenModel, *keys: str) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude=set(keys))


def record_view(entry: RecordEntry, *, include_pre_images: bool = False) -> dict[str, Any]:
    """One record as the JSON view shows it (pre-image values as a digest by default)."""
    data = _without(entry, "address")
    if entry.pre_image is not None and not include_pre_images:
        data["pre_image"] = {
            "deleted_at": entry.pre_image.deleted_at,
            "updated_at": entry.pre_image.updated_at,
            "values_digest": digest(entry.pre_image.values),
        }
    return data


def _header(store: StateReader) -> dict[str, Any]:
    meta = store.meta()
    # a sample's size is shown only when there is one, so full-run states print as before
    sample = {"sample": meta.sample} if meta.sample is not None else {}
    return sample | {
        "cursors": {c.stream: _without(c, "stream") for c in store.cursors()},
        "destination": None if meta.destination is None else meta.destination.model_dump(),
        "format_version": meta.format_version,
        "lineage": meta.lineage,
        "migration": {"name": meta.migration_name, "namespace": meta.namespace},
        "migrator_version": meta.migrator_version,
        "runs": [run.model_dump(mode="json") for run in store.runs()],
        "schema": {s.address: _without(s, "address") for s in store.schema_resources()},
        "serial": meta.serial,
    }


def iter_state_json(store: StateReader, *, include_pre_images: bool = False) -> Iterator[str]:
    """The canonical JSON of the whole state, in chunks (join them for the document)."""
    with store.snapshot():
        document: dict[str, Any] = _header(store)
        streamed: dict[str, Iterable[tuple[str, Any]]] = {
            "holds": ((h.address, _without(h, "address")) for h in store.held()),
            "quarantine": ((q.address, _without(q, "address")) for q in store.quarantined()),
            "records": (
                (r.address, record_view(r, include_pre_images=include_pre_images))
                for r in store.records()
            ),
        }
        yield "{"
        for index, key in enumerate(sorted([*document, *streamed])):
            yield ("," if index else "") + f"\n{_INDENT}{json.dumps(key)}: "
            if key in streamed:
                yield from _iter_map(streamed[key], level=1)
            else:
                yield _indented(document[key], level=1)
        yield "\n}\n"


def state_json(store: StateReader, *, include_pre_images: bool = False) -> str:
    """The canonical JSON of the whole state as one string (small states, tests)."""
    return "".join(iter_state_json(store, include_pre_images=include_pre_images))


class StateSummary(FrozenModel):
    """What ``migrator state show`` prints without ``--json``."""

    location: str
    meta: StateMeta
    schema_resources: int
    record_counts: tuple[RecordCount, ...]
    quarantined: int
    held: int
    owners_waiting: int
    cursors: int
    last_run: RunEntry | None
    runs: int
    locked_by: str | None


def summarize_state(store: StateReader) -> StateSummary:
    """Counts and headline facts of a state, read in one snapshot."""
    with store.snapshot():
        runs = store.runs()
        lock = store.lock_info()
        return StateSummary(
            location=store.location,
            meta=store.meta(),
            schema_resources=len(store.schema_resources()),
            record_counts=store.record_counts(),
            quarantined=sum(1 for _ in store.quarantined()),
            held=sum(1 for _ in store.held()),
            owners_waiting=len(store.owner_queue()),
            cursors=len(store.cursors()),
            last_run=runs[-1] if runs else None,
            runs=len(runs),
            locked_by=None
            if lock is None
            else f"{lock.who} since {lock.since} ({lock.operation}, pid {lock.pid} on {lock.host})",
        )


def render_state_summary(summary: StateSummary) -> str:
    """The text of ``migrator state show``."""
    meta = summary.meta
    dest = meta.destination
    lines = [
        f"state:        {summary.location}",
        f"format:       {meta.format_version} (last written by migrator "
        f"{meta.migrator_version or '-'})",
        f"lineage:      {meta.lineage or '(empty state)'}",
        f"serial:       {meta.serial}",
        f"migration:    {meta.migration_name or '-'} (namespace {meta.namespace or '-'})",
        "destination:  "
        + ("-" if dest is None else f"{dest.base_url} (workspace {dest.workspace_id})"),
        f"schema:       {summary.schema_resources} resources",
        f"records:      {sum(c.count for c in summary.record_counts)}",
    ]
    lines.extend(f"  {c.mapping}: {c.count} {c.status.value}" for c in summary.record_counts)
    lines.append(
        f"quarantine:   {summary.quarantined}; held: {summary.held} "
        f"({summary.owners_waiting} owners waiting)"
    )
    lines.append(f"cursors:      {summary.cursors}")
    run = summary.last_run
    last = "-" if run is None else f"{run.kind.value} {run.run_id} {run.status.value}"
    lines.append(f"runs:         {summary.runs} (last: {last})")
    lines.append(f"lock:         {summary.locked_by or 'not locked'}")
    return "\n".join(lines)
