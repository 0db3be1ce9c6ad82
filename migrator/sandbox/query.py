"""Filter trees and ``order_by`` lists compiled to SQL over one object's record table.

Columns: ``id``, ``deleted_at`` and ``position`` are real columns; every other field is read from
the record JSON with ``json_extract``. Comparisons follow PostgreSQL's (and so Twenty's) rules: a
NULL never equals or differs from anything (``neq`` skips NULLs), ``like`` is case-sensitive,
``ilike`` is not (for every letter, not just ASCII), and a backslash escapes the next pattern
character (:mod:`migrator.sandbox.like`). Soft-deleted rows are left out unless the filter
mentions ``deletedAt``.

Cursors are Twenty's: base64 of the JSON of the order-by values plus ``id`` (captures 44, 45).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from migrator.sandbox import values
from migrator.sandbox.filters import Condition, Node, OrderItem, mentions
from migrator.sandbox.http import bad_request
from migrator.sandbox.like import BadPattern, compile_like
from migrator.sandbox.schema import ObjectMeta

_SQL_OPS = {"eq": "=", "neq": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_COLUMNS = {"id": "id", "deletedAt": "deleted_at", "position": "position"}


@dataclass(frozen=True)
class Target:
    """A filterable or sortable path: its SQL expression and the field type of its values."""

    sql: str
    kind: str
    path: tuple[str, ...]


def resolve(obj: ObjectMeta, path: tuple[str, ...], purpose: str) -> Target:
    """The SQL expression of ``path`` (``name``, ``companyId``, ``emails.primaryEmail``)."""
    head = path[0]
    if head in _COLUMNS and len(path) == 1:
        kind = {"id": "UUID", "deletedAt": "DATE_TIME", "position": "NUMBER"}[head]
        return Target(_COLUMNS[head], kind, path)
    join = obj.by_join_column.get(head)
    if join is not None and len(path) == 1:
        return Target(f"json_extract(data, '$.{head}')", "UUID", path)
    field_meta = obj.by_name.get(head)
    if field_meta is None or field_meta.relation_type is not None:
        raise bad_request(f"field '{head}' does not exist in '{obj.name_singular}' object")
    kind = field_meta.type
    if kind in values.COMPOSITES:
        if len(path) != 2 or path[1] not in values.COMPOSITES[kind]:
            raise bad_request(
                f"'{purpose}' on composite field '{head}' needs a sub-field such as "
                f"'{head}.{values.COMPOSITES[kind][0]}'"
            )
        sub = path[1]
        sub_kind = "NUMBER" if sub in values.NUMERIC_SUBFIELDS else "TEXT"
        return Target(f"json_extract(data, '$.{head}.{sub}')", sub_kind, path)
    if len(path) != 1:
        raise bad_request(
            f"field '{'.'.join(path)}' does not exist in '{obj.name_singular}' object"
        )
    return Target(f"json_extract(data, '$.{head}')", kind, path)


def _literal(target: Target, text: str) -> Any:
    """A filter value as the stored values of ``target`` compare."""
    if target.kind in ("NUMBER", "NUMERIC", "POSITION"):
        try:
            number = float(text)
        except ValueError as exc:
            raise bad_request(f"Invalid number value '{text}' for filter") from exc
        return int(number) if number.is_integer() else number
    if target.kind == "BOOLEAN":
        if text not in ("true", "false"):
            raise bad_request(f"Invalid boolean value '{text}' for filter")
        return 1 if text == "true" else 0
    if target.kind == "DATE_TIME":
        try:
            return values.date_time(text, ".".join(target.path))
        except Exception:  # a partial date such as 2020-01 compares as text
            return text
    return text


def _condition(obj: ObjectMeta, cond: Condition, params: list[Any]) -> str:
    target = resolve(obj, cond.path, "filter")
    expr, op, value = target.sql, cond.op, cond.value
    if op == "is":
        return f"{expr} IS NULL" if value == "NULL" else f"{expr} IS NOT NULL"
    if op in ("in", "containsAny"):
        items = [_literal(target, item) for item in value]
        if not items:
            return "0"
        marks = ",".join("?" * len(items))
        params.extend(items)
        if op == "containsAny" or target.kind in ("ARRAY", "MULTI_SELECT"):
            path = "$." + ".".join(cond.path)
            return f"EXISTS (SELECT 1 FROM json_each(data, '{path}') WHERE value IN ({marks}))"
        return f"{expr} IN ({marks})"
    assert isinstance(value, str)
    if op in _SQL_OPS:
        params.append(_literal(target, value))
        return f"{expr} {_SQL_OPS[op]} ?"
    if op in ("like", "ilike"):
        insensitive = op == "ilike"
        try:
            compile_like(value, insensitive=insensitive)
        except BadPattern as exc:
            raise bad_request(str(exc)) from exc
        params.extend([value, int(insensitive)])
        return f"pg_like({expr}, ?, ?)"
    if not value:
        return f"{expr} IS NOT NULL"
    if op == "startsWith":
        params.extend([len(value), value])
        return f"substr({expr}, 1, ?) = ?"
    params.extend([-len(value), value])
    return f"(length({expr}) >= {len(value)} AND substr({expr}, ?) = ?)"


def where_sql(
    obj: ObjectMeta, node: Node | None, params: list[Any], *, include_deleted: bool = False
) -> str:
    """The WHERE clause (without the keyword) of a filter.

    Soft-deleted rows are excluded unless the filter names ``deletedAt`` or ``include_deleted``.
    """
    clause = "1" if node is None else _node(obj, node, params)
    if not include_deleted and (node is None or not mentions(node, "deletedAt")):
        clause = f"deleted_at IS NULL AND ({clause})"
    return clause


def _node(obj: ObjectMeta, node: Node, params: list[Any]) -> str:
    if isinstance(node, Condition):
        return _condition(obj, node, params)
    parts = [_node(obj, child, params) for child in node.children]
    if node.kind == "not":
        return f"NOT ({parts[0]})"
    joiner = " AND " if node.kind == "and" else " OR "
    return "(" + joiner.join(f"({part})" for part in parts) + ")"


@dataclass(frozen=True)
class Ordering:
    """The resolved ``order_by`` with the ``id`` tiebreak appended."""

    items: tuple[tuple[Target, bool, bool], ...]
    """(target, ascending, nulls_first) per key, ``id`` last."""

    def order_sql(self, *, reverse: bool = False) -> str:
        """The ORDER BY clause (without the keyword)."""
        parts = []
        for target, ascending, nulls_first in self.items:
            asc = ascending != reverse
            first = nulls_first != reverse
            nulls = "NULLS FIRST" if first else "NULLS LAST"
            parts.append(f"{target.sql} {'ASC' if asc else 'DESC'} {nulls}")
        return ", ".join(parts)

    def select_sql(self) -> str:
        """The order values as extra result columns (for cursors)."""
        return ", ".join(target.sql for target, _, _ in self.items)

    def after_sql(self, cursor_values: list[Any], params: list[Any], *, reverse: bool) -> str:
        """Rows strictly after (or, reversed, before) the row whose order values are given."""
        ors: list[str] = []
        for index, (target, ascending, nulls_first) in enumerate(self.items):
            asc, first = ascending != reverse, nulls_first != reverse
            ands = [
                _equal(t.sql, cursor_values[i], params)
                for i, (t, _, _) in enumerate(self.items[:index])
            ]
            ands.append(_beyond(target.sql, cursor_values[index], asc, first, params))
            ors.append("(" + " AND ".join(ands) + ")")
        return "(" + " OR ".join(ors) + ")"


def _equal(expr: str, value: Any, params: list[Any]) -> str:
    if value is None:
        return f"{expr} IS NULL"
    params.append(value)
    return f"{expr} = ?"


def _beyond(expr: str, value: Any, asc: bool, nulls_first: bool, params: list[Any]) -> str:
    if value is None:
        return f"{expr} IS NOT NULL" if nulls_first else "0"
    params.append(value)
    clause = f"{expr} {'>' if asc else '<'} ?"
    return f"({clause} OR {expr} IS NULL)" if not nulls_first else clause


def build_ordering(obj: ObjectMeta, items: tuple[OrderItem, ...]) -> Ordering:
    """Resolve ``order_by`` items and append the ``id`` tiebreak."""
    resolved = []
    for item in items:
        if item.path == ("id",):
            continue
        target = resolve(obj, item.path, "order_by")
        resolved.append(
            (target, item.direction.startswith("Asc"), item.direction.endswith("First"))
        )
    resolved.append((Target("id", "UUID", ("id",)), True, True))
    return Ordering(tuple(resolved))


def encode_cursor(ordering: Ordering, order_values: tuple[Any, ...]) -> str:
    """Twenty's cursor: base64 of ``{"<field>": value, ..., "id": id}``."""
    doc: dict[str, Any] = {}
    for (target, _, _), value in zip(ordering.items, order_values, strict=True):
        slot = doc
        for part in target.path[:-1]:
            slot = slot.setdefault(part, {})
        slot[target.path[-1]] = value
    return base64.b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode()


def decode_cursor(ordering: Ordering, cursor: str) -> list[Any]:
    """The order values stored in a cursor, in ordering order; a bad cursor is a 400."""
    try:
        doc = json.loads(base64.b64decode(cursor + "=" * (-len(cursor) % 4)))
        found = []
        for target, _, _ in ordering.items:
            slot = doc
            for part in target.path:
                slot = slot.get(part) if isinstance(slot, dict) else None
            found.append(slot)
    except (ValueError, TypeError) as exc:
        raise bad_request(f"Invalid cursor '{cursor}'") from exc
    if found[-1] is None:
        raise bad_request(f"Invalid cursor '{cursor}'")
    return found
