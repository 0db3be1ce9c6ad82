"""Text from values: templates over a row, ``format`` over an object, and JSON-ready values.

:func:`text_of` is the one way a source value becomes text inside a template or ``format``:
instants in UTC as Twenty writes them (``2025-09-27T01:33:35.005Z``), dates ``YYYY-MM-DD``,
decimals in plain notation, booleans ``true``/``false``, lists joined with ``, ``. A missing part
renders empty; a template whose every placeholder is empty gives None (no value), so
``"{a} ({b})"`` over an empty row writes nothing rather than ``" ()"``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from migrator.mapping.paths import ObjectGetter, RecordGetter, object_getter, record_getter
from migrator.sources.records import SourceRecord

#: ``{path}`` placeholders (the same pattern the spec checker uses).
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_UTC = dt.UTC


def instant_text(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z`` (Twenty's own spelling)."""
    zone = moment.tzinfo
    if zone is None:
        return moment.isoformat(timespec="milliseconds") + "Z"
    if zone is not _UTC:  # (most source instants are read in UTC already)
        moment = moment.astimezone(_UTC)
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"  # truncated ms, then +00:00


def decimal_text(value: Decimal) -> str:
    """A decimal in plain notation without exponent (``1E+3`` → ``1000``)."""
    return format(value, "f")


def text_of(value: Any) -> str:
    """The text of a value inside a template or ``format`` (module doc); None is empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dt.datetime):
        return instant_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(text_of(item) for item in value if item is not None)
    if isinstance(value, Mapping):
        return ", ".join(text_of(item) for item in value.values() if item is not None)
    return str(value)


def placeholders(template: str) -> list[str]:
    """The paths named in a template, in order."""
    return [part.strip() for part in PLACEHOLDER.findall(template)]


def _parts(template: str) -> tuple[list[str], list[str]]:
    """Literal pieces and placeholder paths, interleaved (len(literals) = len(paths) + 1)."""
    literals: list[str] = []
    paths: list[str] = []
    position = 0
    for match in PLACEHOLDER.finditer(template):
        literals.append(template[position : match.start()])
        paths.append(match.group(1).strip())
        position = match.end()
    literals.append(template[position:])
    return literals, paths


def _renderer(literals: list[str], getters: list[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    pairs = list(zip(literals, getters, strict=False))
    tail = literals[-1]

    def render(source: Any) -> str | None:
        pieces: list[str] = []
        filled = False
        for literal, getter in pairs:
            pieces.append(literal)
            text = text_of(getter(source))
            if text:
                filled = True
            pieces.append(text)
        if getters and not filled:
            return None
        pieces.append(tail)
        return "".join(pieces)

    return render


def compile_template(template: str) -> Callable[[SourceRecord], str | None]:
    """A function rendering ``template`` over a source row (None when every part is empty)."""
    literals, paths = _parts(template)
    getters: list[RecordGetter] = [record_getter(path) for path in paths]
    return _renderer(literals, getters)


def compile_format(template: str) -> Callable[[Any], str | None]:
    """A function rendering ``template`` over one object (a mapping; anything else is empty)."""
    literals, paths = _parts(template)
    getters: list[ObjectGetter] = [object_getter(path) for path in paths]
    return _renderer(literals, getters)
