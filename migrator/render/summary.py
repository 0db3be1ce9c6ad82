"""What every human view says about a plan header: counts, totals, values, schema details.

Shared by the text and Markdown views so both name things the same way. Values are shown as
JSON (quoted strings, escaped control characters: a value can never inject terminal escapes or
break a line) and cut to a bounded length; a sensitive value is never shown at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from migrator.plan.model import (
    SENSITIVE_MARKER,
    FieldDiff,
    MappingCounts,
    PlanHeader,
    PlanWarning,
    SchemaChange,
)

_COUNT_LABELS = {"noop": "no-op"}

_ALWAYS_SHOWN = (
    "create",
    "update",
    "merge",
    "restore",
    "delete",
    "noop",
    "quarantined",
    "held",
    "deduplicated",
    "skipped",
)

COUNT_COLUMNS: tuple[str, ...] = tuple(
    name
    for name, info in MappingCounts.model_fields.items()
    if info.annotation is int and name != "source"
)
"""Every per-object count field, in the model's order (create … skipped, and any added later)."""


def count_columns(header: PlanHeader) -> tuple[str, ...]:
    """The columns a view shows: create … skipped always, any other count only when non-zero."""
    return tuple(
        column
        for column in COUNT_COLUMNS
        if column in _ALWAYS_SHOWN or any(getattr(c, column) for c in header.counts)
    )


def count_label(column: str) -> str:
    """The column's heading (``noop`` reads ``no-op``)."""
    return _COUNT_LABELS.get(column, column)


def totals(header: PlanHeader) -> dict[str, int]:
    """Each count column (and ``source``) summed over every object."""
    summed = dict.fromkeys(("source", *COUNT_COLUMNS), 0)
    for counts in header.counts:
        for column in summed:
            summed[column] += int(getattr(counts, column))
    return summed


def show_value(value: Any, *, limit: int = 80) -> str:
    """``value`` as one line of JSON, cut to ``limit`` characters with an ellipsis."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show_diff(diff: FieldDiff, *, limit: int = 80) -> str:
    """``before -> after``, or the sensitive marker whatever values the diff carries."""
    if diff.sensitive:
        return SENSITIVE_MARKER
    return f"{show_value(diff.before, limit=limit)} -> {show_value(diff.after, limit=limit)}"


def flatten(payload: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(dotted.path, value)`` for every leaf of a nested payload, keys sorted."""
    for key in sorted(payload):
        value = payload[key]
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from flatten(value, f"{path}.")
        else:
            yield path, value


def schema_detail(change: SchemaChange) -> str:
    """A short description of what a schema change provisions (type, label, target, options)."""
    after = change.after if isinstance(change.after, Mapping) else {}
    if change.kind == "object":
        return f"custom object {show_value(after.get('labelSingular', change.name))}"
    if change.kind == "options":
        return (
            f"option {after.get('value', '?')} {show_value(after.get('label'))} "
            f"on {change.twenty_object}.{change.name}"
        )
    parts = [str(after.get("type", change.kind.upper()))]
    if "target" in after:
        parts.append(f"to {after['target']}")
    if "label" in after:
        parts.append(show_value(after["label"]))
    if after.get("isUnique"):
        parts.append("unique")
    options = after.get("options")
    if isinstance(options, list) and options:
        values = [str(o.get("value")) for o in options if isinstance(o, Mapping)]
        parts.append("options " + ", ".join(values))
    return " ".join(parts)


def safe_url(url: str) -> str:
    """``url`` without user info, query or fragment (where a credential could hide)."""
    if ":" not in url or url.startswith("sandbox:"):
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def destination_text(header: PlanHeader) -> str:
    """Where the plan applies: base URL (credentials stripped) and workspace id.

    A sandbox database inside the spec's directory is shown relative to it, as the spec names
    it, so a comment made on a CI runner does not show the runner's paths.
    """
    where = header.destination
    return f"{_display_url(where.base_url, header)} (workspace {where.workspace_id})"


def _display_url(url: str, header: PlanHeader) -> str:
    spec_dir = str(getattr(header, "spec_dir", "") or "")
    prefix = "sandbox:"
    if url.startswith(prefix) and spec_dir:
        path = PurePath(url[len(prefix) :])
        if path.is_absolute() and path.is_relative_to(spec_dir):
            return prefix + path.relative_to(spec_dir).as_posix()
    return safe_url(url)


def state_text(header: PlanHeader) -> str:
    """What state the plan was made against."""
    prior = header.prior_state
    if prior is None:
        return "no state yet (this plan applies only while there is none)"
    return f"lineage {prior.lineage}, serial {prior.serial}"


def source_text(header: PlanHeader) -> str:
    """Which source data the plan was made from."""
    source = header.source
    if source is None:
        return "none (no source records read)"
    records = sum(source.records.values())
    return (
        f"{source.system} {source.digest} ({records:,} records in "
        f"{len(source.records)} source objects)"
    )


def warning_examples(warning: PlanWarning) -> str:
    """The warning's example addresses and how many more there are, or empty."""
    if not warning.addresses:
        return ""
    shown = ", ".join(warning.addresses)
    more = max(warning.count - len(warning.addresses), 0)
    return f"{shown} and {more:,} more" if more else shown


def warning_count(warning: PlanWarning) -> int:
    """How many things the warning is about (at least its examples)."""
    return max(warning.count, len(warning.addresses))


def duration_text(seconds: float) -> str:
    """``42 s``, ``3 min 20 s`` or ``2 h 5 min``."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def plural(count: int, noun: str) -> str:
    """``1 schema change``, ``2 schema changes`` (thousands separated)."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
