"""Choosing a sample: about N records, every written object represented, related rows together.

:func:`select_sample` is a pure function of the spec's references (:mod:`migrator.sample.edges`),
the bundle's rows (:mod:`migrator.sample.rows`) and ``size``: the same inputs give the same
sample, so a sample plan made twice has the same bytes and apply recomputes exactly the rows the
plan was made from.

How rows are chosen:

* the candidates of each written object are its rows in the order of a stable hash of
  ``object`` and record id (:func:`rank`), which spreads them over the file;
* choosing a row chooses its *unit*: the rows it refers to, the rows referring to it through a
  dependent reference, and so on until nothing is missing (:func:`unit_of`). Every sampled row
  therefore has every row it refers to, and every sampled row of a non-top object has every row
  that depends on it (an opportunity its product lines, invoices and notes; a patient their
  appointments, notes and chart);
* first every object gets one unit (the smallest of the first few candidates, objects that
  depend on others first, since their units bring their parents along), then the objects take
  turns (by name) adding the unit of their next candidate while it fits in what is left of
  ``size``. Nothing depends on the order of the spec's mappings, which a plan's embedded spec
  does not keep.

The sample can exceed ``size`` only to represent every object (a unit is never cut: a cut unit
would leave a record without a row it needs), and falls short of it when the remaining units do
not fit; :attr:`SampleSelection.records` says how many records it makes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from migrator.sample.edges import SampleEdges
from migrator.sample.rows import Node, RowGraph

SEED_TRIES = 32
"""Candidates of one object whose unit did not fit before the object stops taking turns."""
COVER_CHOICES = 4
"""Units compared when an object is first represented (the smallest is taken)."""


def rank(obj: str, record_id: str) -> bytes:
    """The stable order of candidates: sha256 of the object and the record id."""
    return hashlib.sha256(f"{obj}\x00{record_id}".encode()).digest()


@dataclass(frozen=True)
class SampleSelection:
    """The rows of a sample: per written source object, the record ids it keeps."""

    size: int
    """The number of records asked for."""
    rows: dict[str, frozenset[str]]
    """Record ids kept, per written source object (every written object has an entry)."""
    counts: dict[str, int]
    """Rows kept per written source object."""
    records: int
    """Records the sample makes (a row read by several mappings counts once per mapping)."""

    def keeps(self, obj: str, record_id: str) -> bool:
        """True when row ``record_id`` of written object ``obj`` is in the sample."""
        return record_id in self.rows.get(obj, frozenset())


@dataclass
class _Chooser:
    graph: RowGraph
    weights: dict[str, int]
    chosen: set[Node] = field(default_factory=set)
    records: int = 0

    def weight(self, node: Node) -> int:
        return self.weights.get(self.graph.objects[node], 1)

    def unit_of(self, seed: Node, cap: int) -> list[Node] | None:
        """The rows ``seed`` brings that are not chosen yet; None when they weigh over ``cap``."""
        if seed in self.chosen:
            return []
        found, stack, seen, weight = [], [seed], {seed}, 0
        while stack:
            node = stack.pop()
            found.append(node)
            weight += self.weight(node)
            if weight > cap:
                return None
            for other in (*self.graph.up[node], *self.graph.down[node]):
                if other not in seen and other not in self.chosen:
                    seen.add(other)
                    stack.append(other)
        return found

    def take(self, unit: list[Node]) -> None:
        self.chosen.update(unit)
        self.records += sum(self.weight(node) for node in unit)


def _candidates(graph: RowGraph, obj: str) -> list[Node]:
    nodes = graph.by_object.get(obj, [])
    return sorted(nodes, key=lambda n: (rank(obj, graph.ids[n]), n))


def _cover(chooser: _Chooser, candidates: list[Node], cap: int) -> None:
    """Represent one object: the smallest unit among its first fitting candidates."""
    best: list[Node] | None = None
    fitting = 0
    for node in candidates[:SEED_TRIES]:
        unit = chooser.unit_of(node, cap)
        if unit is None:
            continue
        if best is None or len(unit) < len(best):
            best = unit
        fitting += 1
        if fitting >= COVER_CHOICES or not unit:
            break
    if best is not None:
        chooser.take(best)


def _turns(chooser: _Chooser, queues: dict[str, Iterator[Node]], size: int) -> None:
    """Objects take turns adding their next candidate's unit while it fits."""
    misses = dict.fromkeys(queues, 0)
    active = list(queues)
    while active and chooser.records < size:
        for obj in list(active):
            node = next(queues[obj], None)
            if node is None or misses[obj] >= SEED_TRIES:
                active.remove(obj)
                continue
            if node in chooser.chosen:
                continue
            unit = chooser.unit_of(node, size - chooser.records)
            if unit is None:
                misses[obj] += 1
            else:
                chooser.take(unit)
            if chooser.records >= size:
                return


def select_sample(graph: RowGraph, edges: SampleEdges, size: int) -> SampleSelection:
    """The sample of about ``size`` records of the rows in ``graph`` (see the module doc)."""
    chooser = _Chooser(graph, edges.weights)
    candidates = {obj: _candidates(graph, obj) for obj in edges.written}
    for obj in sorted(edges.written, key=lambda name: (-edges.depth(name), name)):
        if candidates[obj] and not any(n in chooser.chosen for n in graph.by_object[obj]):
            _cover(chooser, candidates[obj], max(size, 1))
    _turns(chooser, {obj: iter(candidates[obj]) for obj in edges.written}, size)
    rows: dict[str, set[str]] = {obj: set() for obj in edges.written}
    counts = dict.fromkeys(edges.written, 0)
    for node in chooser.chosen:
        obj = graph.objects[node]
        rows[obj].add(graph.ids[node])
        counts[obj] += 1
    return SampleSelection(
        size=size,
        rows={obj: frozenset(ids) for obj, ids in rows.items()},
        counts=counts,
        records=chooser.records,
    )
