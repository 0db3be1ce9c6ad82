"""The deterministic apply order of a graph, and the cycle error when there is none.

Order: tier first (schema, records, links, targets), then the node's topological generation
within its tier (a node comes after everything it needs), then its address. That key respects
every edge (edges never go from a later tier to an earlier one, and within a tier the generation
grows along each edge), and :func:`networkx.lexicographical_topological_sort` checks it. The same
spec therefore always gives the same order, on every machine.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from migrator.errors import GraphError
from migrator.graph.nodes import GraphNode, node_order_key


def _node(graph: Any, address: str) -> GraphNode:
    node: GraphNode = graph.nodes[address]["node"]
    return node


def check_acyclic(graph: Any) -> None:
    """Raise :class:`GraphError` naming one cycle (``a → b → a``) if the graph has any."""
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    names = [source for source, _target, *_ in cycle]
    path = " → ".join([*names, names[0]])
    raise GraphError(
        f"the spec's references form a cycle that no second pass can break: {path}",
        detail="No record of these mappings can be written before the others exist.",
        hint="mark one of the refs in this cycle `deferred: true` so it is linked in a "
        "second pass, then run `migrator graph SPEC` to check",
    )


def _generations(graph: Any) -> dict[str, int]:
    """Each node's generation inside the subgraph of its own tier."""
    found: dict[str, int] = {}
    tiers: dict[int, list[str]] = {}
    for address in graph.nodes:
        tiers.setdefault(_node(graph, address).tier, []).append(address)
    for members in tiers.values():
        sub = graph.subgraph(members)
        for depth, layer in enumerate(nx.topological_generations(sub)):
            for address in layer:
                found[address] = depth
    return found


def apply_order(graph: Any) -> tuple[str, ...]:
    """Every node address in apply order; :class:`GraphError` on a cycle."""
    check_acyclic(graph)
    generations = _generations(graph)

    def key(address: str) -> tuple[int, int, tuple[int, str]]:
        return node_order_key(_node(graph, address), generations[address])

    return tuple(nx.lexicographical_topological_sort(graph, key=key))
