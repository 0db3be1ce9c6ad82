"""Cross-record checks: orphan references, cycles and depth in parent hierarchies, singleton
groups (sources.md §7.7 "Referential integrity" and "Graphs").

These take plain mappings built while streaming a bundle (id -> parent id, the set of known ids),
so they need no graph library and stay linear in the number of records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Hashable, Iterable, Mapping
from typing import TypeVar

from migrator.validate.findings import error, warn

K = TypeVar("K", bound=Hashable)

WARN_ORPHAN = warn("orphan_reference", "reference does not resolve inside the bundle; link empty")
ERROR_CYCLE = error("hierarchy_cycle", "the record is part of a parent cycle")
WARN_DEPTH = warn("hierarchy_too_deep", "the hierarchy is deeper than allowed")
WARN_SINGLE_GROUP = warn("joint_group_single_member", "joint group has only one member")


def find_orphans(
    references: Iterable[tuple[str, str, K]], known: Container[K]
) -> list[tuple[str, str]]:
    """``(record_id, field)`` of every reference ``(record_id, field, target)`` whose target is
    not in ``known``, in input order."""
    return [(record, field) for record, field, target in references if target not in known]


def find_cycles(parent_of: Mapping[K, K | None]) -> list[tuple[K, ...]]:
    """Every cycle of a parent mapping (each node has at most one parent).

    Each cycle is listed once, rotated to start at its smallest member (by ``sorted`` order of
    the members' string forms), and the list is sorted: the result is deterministic.
    """
    state: dict[K, int] = {}  # 1 = on the current path, 2 = done
    cycles: list[tuple[K, ...]] = []
    for start in parent_of:
        path: list[K] = []
        node: K | None = start
        while node is not None and node in parent_of and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = parent_of[node]
        if node is not None and state.get(node) == 1:
            cycle = path[path.index(node) :]
            first = min(range(len(cycle)), key=lambda i: str(cycle[i]))
            cycles.append(tuple(cycle[first:] + cycle[:first]))
        for item in path:
            state[item] = 2
    return sorted(cycles, key=lambda c: [str(x) for x in c])


def depths(parent_of: Mapping[K, K | None]) -> dict[K, int]:
    """Each node's depth (a root is 1) for nodes not in a cycle; members of cycles and nodes
    hanging below them are left out."""
    in_cycle = {n for cycle in find_cycles(parent_of) for n in cycle}
    result: dict[K, int] = {}
    for start in parent_of:
        chain: list[K] = []
        node: K | None = start
        while node is not None and node not in result and node not in in_cycle:
            chain.append(node)
            node = parent_of.get(node)
        if node is not None and node in in_cycle:
            continue
        base = result[node] if node is not None else 0
        for offset, item in enumerate(reversed(chain), 1):
            result[item] = base + offset
    return result


def singleton_groups(group_of: Mapping[K, str | None]) -> list[K]:
    """Members whose group id (a joint-opportunity id) no other member shares."""
    sizes = Counter(g for g in group_of.values() if g is not None)
    return [member for member, group in group_of.items() if group is not None and sizes[group] == 1]
