"""Source paths, key texts and ``where`` conditions, compiled once into small closures.

A source path (``name``, ``phone.call_code``, ``contact_ids[0]``, ``custom_fields.quan``,
``raw.legacy``) is compiled by :func:`record_getter` into a function of a
:class:`~migrator.sources.records.SourceRecord` and by :func:`object_getter` into a function of a
plain mapping (an element of a list field, for ``format``). Both return None when any step is
missing, so a path never raises on data.

:func:`key_text` is how values are compared when one row refers to another (``by``/``key``,
lookups, aggregates, value maps): text as is, integers and integral decimals as digits, booleans
as ``true``/``false``. :func:`compile_where` turns a ``where`` block into a predicate.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from migrator.sources.records import SourceRecord
from migrator.spec.values import Condition, Present, Where

RecordGetter = Callable[[SourceRecord], Any]
ObjectGetter = Callable[[Any], Any]

_STEP = re.compile(r"^([A-Za-z0-9_]+)((?:\[\d+\])*)$")
_INDEX = re.compile(r"\[(\d+)\]")
_HEAD = re.compile(r"[A-Za-z0-9_]+")


def _steps(path: str) -> list[str | int]:
    """``a.b[0].c`` → ``["a", "b", 0, "c"]``; raises ValueError for a malformed path."""
    steps: list[str | int] = []
    for part in path.split("."):
        match = _STEP.match(part)
        if match is None:
            raise ValueError(f"malformed source path {path!r}")
        steps.append(match.group(1))
        steps.extend(int(i) for i in _INDEX.findall(match.group(2)))
    return steps


def _walk(value: Any, steps: list[str | int]) -> Any:
    for step in steps:
        if value is None:
            return None
        if isinstance(step, int):
            if not isinstance(value, list | tuple) or step >= len(value):
                return None
            value = value[step]
        elif isinstance(value, Mapping):
            value = value.get(step)
        else:
            return None
    return value


def record_getter(path: str) -> RecordGetter:
    """A function reading ``path`` from a source record (``raw.<key>`` reads ``record.raw``)."""
    steps = _steps(path)
    head, rest = str(steps[0]), steps[1:]
    if head == "raw" and rest:
        return lambda record: _walk(record.raw, rest)
    if not rest:
        return lambda record: record.fields.get(head)
    if len(rest) == 1 and isinstance(rest[0], str):
        part = rest[0]

        def nested(record: SourceRecord) -> Any:
            value = record.fields.get(head)
            return value.get(part) if isinstance(value, Mapping) else None

        return nested
    return lambda record: _walk(record.fields.get(head), rest)


def object_getter(path: str) -> ObjectGetter:
    """A function reading ``path`` inside a plain mapping (None for anything else)."""
    steps = _steps(path)
    return lambda value: _walk(value, steps)


def path_head(path: str) -> str:
    """The top-level field a path reads (``phone`` for ``phone.call_code``)."""
    match = _HEAD.match(path)
    return match.group(0) if match else path


def key_text(value: Any) -> str | None:
    """The text a value is compared by when rows refer to each other; None stays None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value.normalize())
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def is_present(value: Any) -> bool:
    """Present: not None, not blank text, not an empty list or mapping."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | Mapping):
        return len(value) > 0
    return True


Predicate = Callable[[SourceRecord], bool]


def _condition(getter: RecordGetter, condition: Condition) -> Predicate:
    if isinstance(condition, Present):
        wanted = condition.present
        return lambda record: is_present(getter(record)) is wanted
    if isinstance(condition, tuple):
        allowed = frozenset(key_text(item) for item in condition)
        return lambda record: key_text(getter(record)) in allowed
    if condition is None:
        return lambda record: getter(record) is None
    expected = key_text(condition)
    return lambda record: key_text(getter(record)) == expected


def compile_where(where: Where) -> Predicate | None:
    """A predicate true when every condition holds; None for an empty ``where``."""
    if not where:
        return None
    checks = [_condition(record_getter(path), cond) for path, cond in where.items()]
    if len(checks) == 1:
        return checks[0]
    return lambda record: all(check(record) for check in checks)
