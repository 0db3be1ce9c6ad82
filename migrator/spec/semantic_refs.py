"""The reference graph between mappings, and the cycles no second pass can break.

A ``ref`` from mapping A to mapping B means B's record must exist when A's is written, unless
the ref is a self reference or ``deferred`` (both are written by a second-pass link once every
record exists). A cycle made only of the other refs can never be ordered: it is an error that
names the cycle. This is a small depth-first search on purpose: the dependency graph proper
(networkx) lives in ``migrator.graph``, which imports the spec, not the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass

from migrator.spec.checker import Checker
from migrator.spec.loader import PathKey
from migrator.spec.models import MigrationSpec
from migrator.spec.walk import iter_values


@dataclass(frozen=True)
class RefEdge:
    """A first-pass reference: ``source`` needs ``target`` written first."""

    source: str
    target: str
    path: PathKey
    """Where the ``ref`` is written in the spec."""


def first_pass_edges(spec: MigrationSpec) -> list[RefEdge]:
    """Every ref that must be satisfied when its record is written, in spec order."""
    return [
        RefEdge(site.mapping, site.value.ref, (*site.path, "ref"))
        for site in iter_values(spec)
        if site.value.ref and site.value.ref != site.mapping and not site.value.deferred
    ]


def find_cycles(edges: list[RefEdge]) -> list[list[RefEdge]]:
    """The elementary cycles found by a depth-first search, each once, deterministically."""
    graph: dict[str, list[RefEdge]] = {}
    for edge in edges:
        graph.setdefault(edge.source, []).append(edge)
    cycles: list[list[RefEdge]] = []
    seen_sets: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[RefEdge] = []

    def visit(node: str) -> None:
        state[node] = 1
        for edge in graph.get(node, []):
            if state.get(edge.target) == 1:
                starts = [i for i, e in enumerate(stack) if e.source == edge.target]
                cycle = [*stack[starts[0] if starts else len(stack) :], edge]
                members = frozenset(e.source for e in cycle)
                if members not in seen_sets:
                    seen_sets.add(members)
                    cycles.append(cycle)
            elif edge.target not in state:
                stack.append(edge)
                visit(edge.target)
                stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def check_reference_cycles(checker: Checker) -> None:
    """Report each unbreakable cycle once, at the first ref of its first mapping."""
    known = checker.spec.all_mappings()
    edges = [e for e in first_pass_edges(checker.spec) if e.target in known]
    for cycle in find_cycles(edges):
        names = " → ".join([*(edge.source for edge in cycle), cycle[0].source])
        checker.error(
            f"reference cycle {names}: no record of it can be written first",
            cycle[0].path,
            hint="mark one of these refs `deferred: true` so it is linked in a second pass",
        )
