"""What the metadata API accepts in a field: names, types, options, defaults (twenty-api.md §5).

Every rule records a problem in a :class:`Problems` instead of raising, so one answer lists them
all (capture 09). Names use :func:`migrator.catalogue.name_problem`, option values
:func:`migrator.catalogue.option_value_problem`: the catalogue is the one place that knows the
rules.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from migrator import catalogue
from migrator.catalogue import FieldType
from migrator.sandbox.metadata_errors import NOT_AVAILABLE, Problems
from migrator.sandbox.schema import FieldMeta, ObjectMeta

_TYPE_MESSAGES: dict[str, tuple[str, str]] = {
    "NUMERIC": (
        "Field type NUMERIC is not supported for field creation. Use NUMBER instead.",
        "Field type NUMERIC is not supported. Use Number instead.",
    ),
    "TS_VECTOR": ("TS Vector is not supported for field creation", ""),
    "MORPH_RELATION": (catalogue.REFUSED_TYPE_REASONS[FieldType.MORPH_RELATION], ""),
}
ACTOR_DEFAULT = {
    "name": "'System'",
    "source": "'MANUAL'",
    "context": None,
    "workspaceMemberId": None,
}


def camel_case(label: str) -> str:
    """A field name from a label, as Twenty names the other side of a relation."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    words = [word for word in re.split(r"[^A-Za-z0-9]+", ascii_text) if word]
    if not words:
        return ""
    return words[0][0].lower() + words[0][1:] + "".join(w[0].upper() + w[1:] for w in words[1:])


def taken_names(obj: ObjectMeta, ignore: FieldMeta | None = None) -> set[str]:
    """Names a new field of ``obj`` may not take: every field name and join column."""
    others = [item for item in obj.fields if ignore is None or item.id != ignore.id]
    names = {item.name for item in others}
    names |= {item.join_column for item in others if item.join_column}
    return names


def check_name(
    problems: Problems, name: Any, obj: ObjectMeta | None, ignore: FieldMeta | None = None
) -> None:
    """Name rules and availability (captures 04, 05, 06)."""
    if not isinstance(name, str):
        problems.add("Name is required", name)
        return
    problem = catalogue.name_problem(name)
    if problem:
        problems.add(problem, name)
    elif obj is not None and name in taken_names(obj, ignore):
        message = f'Name "{name}" is not available as it is already used by another field'
        problems.add(message, name, code=NOT_AVAILABLE)


def check_type(problems: Problems, kind: Any, name: Any) -> None:
    """Only the creatable types; NUMERIC, TS_VECTOR and POSITION refused as Twenty does."""
    if kind in _TYPE_MESSAGES:
        message, friendly = _TYPE_MESSAGES[kind]
        problems.add(message, None if kind == "TS_VECTOR" else kind, friendly=friendly)
    elif kind == "POSITION":
        problems.add(
            f'Field type POSITION must be named "position", got "{name}"',
            name,
            friendly='Field type POSITION must be named "position"',
        )
        problems.add("Field type POSITION must be a system field", False)
    elif kind not in {item.value for item in catalogue.CREATABLE_FIELD_TYPES}:
        problems.add(f"Invalid field type {kind}", kind)


def check_options(
    problems: Problems, kind: str, options: Any, existing: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]] | None:
    """Normalised options of a SELECT/MULTI_SELECT (existing ids kept), RATING's automatic five."""
    if kind == "RATING":
        return [
            {"id": str(uuid.uuid4()), "label": str(n), "value": f"RATING_{n}", "position": n - 1}
            for n in range(1, 6)
        ]
    if kind not in ("SELECT", "MULTI_SELECT"):
        return None
    if not isinstance(options, list) or not options:
        problems.add("Options are required for select fields", options)
        return None
    by_value = {str(item.get("value")): item for item in existing or []}
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for position, item in enumerate(options):
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, str):
            problems.add("Option value is required", value)
            continue
        problem = catalogue.option_value_problem(value)
        if problem:
            problems.add(problem, value)
        if value in seen:
            problems.add(f'Duplicate option value "{value}"', value)
        seen.add(value)
        color = item.get("color")
        if color is not None and color not in catalogue.OPTION_COLORS:
            problems.add(f'Invalid option color "{color}"', color)
        previous = by_value.get(value, {})
        out.append(
            {
                "id": item.get("id") or previous.get("id") or str(uuid.uuid4()),
                "color": color,
                "label": item.get("label", value),
                "value": value,
                "position": item.get("position", position),
            }
        )
    return out


def check_default(
    problems: Problems, kind: str, default: Any, options: list[dict[str, Any]] | None
) -> Any:
    """A SELECT default must be a quoted option value (capture 09); ACTOR gets Twenty's default."""
    if kind == "ACTOR" and default is None:
        return dict(ACTOR_DEFAULT)
    if default is None or kind not in ("SELECT", "MULTI_SELECT"):
        return default
    values = {str(item["value"]) for item in options or []}
    items = default if kind == "MULTI_SELECT" and isinstance(default, list) else [default]
    for item in items:
        text = str(item)
        quoted = len(text) >= 2 and text[0] == text[-1] == "'"
        if not quoted:
            problems.add("Default value should be as quoted string", item)
        bare = text[1:-1] if quoted else text
        if bare not in values:
            problems.add(f'Default value "{bare}" must be one of the option values', item)
    return default


def check_settings(problems: Problems, kind: str, settings: Any) -> Any:
    """FILES needs ``settings.maxNumberOfValues`` between 1 and 60."""
    if kind == "FILES":
        count = settings.get("maxNumberOfValues") if isinstance(settings, dict) else None
        if not isinstance(count, int) or not 1 <= count <= 60:
            problems.add("FILES fields need settings.maxNumberOfValues between 1 and 60", count)
    return settings
