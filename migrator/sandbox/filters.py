"""The REST ``filter`` and ``order_by`` grammars of Twenty (twenty-api.md §3.4), parsed to a tree.

Filter grammar::

    filter      := term ("," term)*                  top-level terms are ANDed
    term        := ("and" | "or" | "not") "(" filter ")" | condition
    condition   := path "[" comparator "]" ":" value
    path        := name ("." name)*                  composite sub-fields: emails.primaryEmail
    value       := quoted | "[" items "]" | bare     quoted with " or '; bare ends at , or )
    comparator  := eq neq in containsAny is gt gte lt lte startsWith endsWith like ilike

``not`` takes exactly one term. ``is`` takes ``NULL`` or ``NOT_NULL``; ``in`` and ``containsAny``
take a list. Errors are Twenty's 400s. The tree is pure data; :mod:`migrator.sandbox.query` turns it
into SQL against an object's fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from migrator.sandbox.http import bad_request

COMPARATORS = frozenset(
    {
        "eq",
        "neq",
        "in",
        "containsAny",
        "is",
        "gt",
        "gte",
        "lt",
        "lte",
        "startsWith",
        "endsWith",
        "like",
        "ilike",
    }
)
DIRECTIONS = ("AscNullsFirst", "AscNullsLast", "DescNullsFirst", "DescNullsLast")


@dataclass(frozen=True)
class Condition:
    """``path[op]:value``; ``value`` is a string, a list of strings (in, containsAny)."""

    path: tuple[str, ...]
    op: str
    value: str | tuple[str, ...]


@dataclass(frozen=True)
class Junction:
    """``and(...)``, ``or(...)`` or ``not(...)`` (one child)."""

    kind: str
    children: tuple[Node, ...]


Node = Condition | Junction


@dataclass(frozen=True)
class OrderItem:
    """One ``order_by`` entry."""

    path: tuple[str, ...]
    direction: str


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, why: str) -> Exception:
        return bad_request(f"'filter' invalid: {why} (at character {self.pos} of '{self.text}')")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.fail(f"expected '{char}'")
        self.pos += 1

    def skip_spaces(self) -> None:
        while self.peek() == " ":
            self.pos += 1

    def parse_list(self, stop: str) -> tuple[Node, ...]:
        nodes = [self.parse_term()]
        while True:
            self.skip_spaces()
            if self.peek() == ",":
                self.pos += 1
                nodes.append(self.parse_term())
            elif self.peek() == stop:
                return tuple(nodes)
            else:
                raise self.fail("expected ',' or the end of the group")

    def parse_term(self) -> Node:
        self.skip_spaces()
        for kind in ("and", "or", "not"):
            if self.text.startswith(kind + "(", self.pos):
                self.pos += len(kind) + 1
                children = self.parse_list(")")
                self.expect(")")
                if kind == "not" and len(children) != 1:
                    raise self.fail("'not' takes exactly one condition")
                return Junction(kind, children)
        return self.parse_condition()

    def parse_condition(self) -> Condition:
        start = self.pos
        while self.peek() not in ("[", ""):
            self.pos += 1
        path = self.text[start : self.pos].strip()
        if not path or not all(part.isidentifier() for part in path.split(".")):
            raise self.fail(f"'{path}' is not a field name")
        self.expect("[")
        end = self.text.find("]", self.pos)
        if end < 0:
            raise self.fail("missing ']'")
        op = self.text[self.pos : end]
        if op not in COMPARATORS:
            raise self.fail(f"unknown comparator '{op}'")
        self.pos = end + 1
        self.expect(":")
        value: str | tuple[str, ...] = (
            self.parse_items() if self.peek() == "[" else self.parse_value(stops=",)")
        )
        if op in ("in", "containsAny") and not isinstance(value, tuple):
            raise self.fail(f"'{op}' needs a list like [a,b]")
        if op == "is" and value not in ("NULL", "NOT_NULL"):
            raise self.fail("'is' takes NULL or NOT_NULL")
        return Condition(tuple(path.split(".")), op, value)

    def parse_items(self) -> tuple[str, ...]:
        self.expect("[")
        items: list[str] = []
        self.skip_spaces()
        if self.peek() == "]":
            self.pos += 1
            return ()
        while True:
            self.skip_spaces()
            items.append(self.parse_value(stops=",]"))
            self.skip_spaces()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() == "]":
                self.pos += 1
                return tuple(items)
            else:
                raise self.fail("unterminated list")

    def parse_value(self, stops: str) -> str:
        quote = self.peek()
        if quote in ('"', "'"):
            end = self.text.find(quote, self.pos + 1)
            if end < 0:
                raise self.fail("unterminated quoted string")
            value = self.text[self.pos + 1 : end]
            self.pos = end + 1
            return value
        start = self.pos
        while self.peek() and self.peek() not in stops:
            self.pos += 1
        return self.text[start : self.pos].strip()


def parse_filter(text: str) -> Node:
    """The tree of a ``filter`` parameter; top-level terms are wrapped in an ``and``."""
    parser = _Parser(text)
    nodes = parser.parse_list("")
    if parser.pos != len(text):
        raise parser.fail("unexpected text")
    return nodes[0] if len(nodes) == 1 else Junction("and", nodes)


def mentions(node: Node, name: str) -> bool:
    """True when any condition of the tree is on field ``name`` (e.g. ``deletedAt``)."""
    if isinstance(node, Condition):
        return node.path[0] == name
    return any(mentions(child, name) for child in node.children)


def parse_order_by(text: str) -> tuple[OrderItem, ...]:
    """``field[Direction],other[Direction]``; the direction defaults to ``AscNullsFirst``."""
    items: list[OrderItem] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        name, _, rest = part.partition("[")
        direction = rest.rstrip("]") if rest else "AscNullsFirst"
        if direction not in DIRECTIONS or (rest and not rest.endswith("]")):
            raise bad_request(
                f"'order_by' direction '{direction}' invalid. Allowed values are "
                + ", ".join(DIRECTIONS)
            )
        if not all(piece.isidentifier() for piece in name.split(".")):
            raise bad_request(f"'order_by' field '{name}' invalid")
        items.append(OrderItem(tuple(name.split(".")), direction))
    return tuple(items)
