"""The rows a sample chooses from: every written row of the bundle, linked as the spec links them.

:func:`read_row_graph` streams each written source object once (in constant memory per row: its
id, the key texts other rows match, the values it refers through) and resolves every
:class:`~migrator.sample.edges.Reference` into row-to-row links: ``up`` (the rows a row refers
to) and ``down`` (the rows that refer to it through a dependent reference). Keys compare as the
mapper compares them (:func:`migrator.mapping.paths.key_text`), case-insensitively: a sample that
keeps one row too many is still consistent, one that misses a referenced row is not.

A row is a :data:`Node`, an index into :attr:`RowGraph.objects` and :attr:`RowGraph.ids`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from migrator.mapping.paths import key_text, record_getter
from migrator.sample.edges import Reference, SampleEdges
from migrator.sources.bundle import Bundle

Node = int


@dataclass
class RowGraph:
    """Every written row (a node), the object and id of each, and the links between them."""

    objects: list[str] = field(default_factory=list)
    """The source object of each node."""
    ids: list[str] = field(default_factory=list)
    """The record id of each node (as the bundle reader gives it: ``line:N`` without a key)."""
    up: list[list[Node]] = field(default_factory=list)
    """Per node: the nodes it refers to."""
    down: list[list[Node]] = field(default_factory=list)
    """Per node: the nodes that refer to it through a dependent reference."""
    by_object: dict[str, list[Node]] = field(default_factory=dict)
    """Nodes of each written object, in file order."""

    def add(self, obj: str, record_id: str) -> Node:
        """A new node for row ``record_id`` of ``obj``."""
        node = len(self.ids)
        self.objects.append(obj)
        self.ids.append(record_id)
        self.up.append([])
        self.down.append([])
        self.by_object.setdefault(obj, []).append(node)
        return node


def _texts(value: Any) -> Iterator[str]:
    """The key texts of a value (each element of a list), lower-cased; empty ones left out."""
    items: Iterable[Any] = value if isinstance(value, list | tuple) else (value,)
    for item in items:
        text = key_text(item)
        if text:
            yield text.strip().lower()


@dataclass
class _Pending:
    """What one object's rows refer through, waiting until every target is indexed."""

    reference: Reference
    values: list[tuple[Node, tuple[str, ...]]] = field(default_factory=list)


def read_row_graph(bundle: Bundle, edges: SampleEdges) -> RowGraph:
    """Read every written object of ``bundle`` and link its rows (see the module docstring)."""
    graph = RowGraph()
    index: dict[tuple[str, str], dict[str, list[Node]]] = {}
    pending: list[_Pending] = []
    for obj in edges.written:
        keys = [(path, record_getter(path)) for path in edges.key_paths(obj)]
        outgoing = [_Pending(r) for r in edges.references if r.source == obj]
        getters = [record_getter(p.reference.path) for p in outgoing]
        for record in bundle.read(obj):
            node = graph.add(obj, record.id)
            for path, getter in keys:
                table = index.setdefault((obj, path), {})
                for text in _texts(getter(record)):
                    table.setdefault(text, []).append(node)
            for item, getter in zip(outgoing, getters, strict=True):
                texts = tuple(_texts(getter(record)))
                if texts:
                    item.values.append((node, texts))
        pending.extend(outgoing)
    for item in pending:
        _link(graph, item, index.get((item.reference.target, item.reference.key), {}))
    return graph


def _link(graph: RowGraph, item: _Pending, table: dict[str, list[Node]]) -> None:
    dependent = item.reference.dependent
    for node, texts in item.values:
        for text in texts:
            for target in table.get(text, ()):
                if target == node:
                    continue
                graph.up[node].append(target)
                if dependent:
                    graph.down[target].append(node)
