"""Text views of a compiled graph: Mermaid (for pull-request comments) and Graphviz DOT.

Both list nodes in apply order and edges sorted by the apply order of their ends, so the same
spec renders to the same text. Node ids are positions in the apply order (``n0``, ``n1`` …);
labels are addresses, which never contain quotes or brackets that would need escaping beyond
what is done here.
"""

from __future__ import annotations

from migrator.graph.compile import MigrationGraph
from migrator.graph.nodes import GraphNode, NodeKind

_MERMAID_SHAPES: dict[NodeKind, tuple[str, str]] = {
    NodeKind.OBJECT: ("[(", ")]"),
    NodeKind.FIELD: ("[", "]"),
    NodeKind.RELATION: ("[", "]"),
    NodeKind.OPTION: ("[", "]"),
    NodeKind.RECORDS: ("([", "])"),
    NodeKind.LINK: ("{{", "}}"),
    NodeKind.TARGETS: ("{{", "}}"),
}

_DOT_SHAPES: dict[NodeKind, str] = {
    NodeKind.OBJECT: "cylinder",
    NodeKind.FIELD: "box",
    NodeKind.RELATION: "box",
    NodeKind.OPTION: "box",
    NodeKind.RECORDS: "ellipse",
    NodeKind.LINK: "hexagon",
    NodeKind.TARGETS: "hexagon",
}


def _ids(graph: MigrationGraph) -> dict[str, str]:
    return {address: f"n{index}" for index, address in enumerate(graph.order)}


def _label(node: GraphNode) -> str:
    return node.address.replace('"', "'")


def to_mermaid(graph: MigrationGraph) -> str:
    """A Mermaid ``flowchart`` of the graph (schema as boxes, record phases as stadiums,
    second passes as hexagons), ending in a newline."""
    ids = _ids(graph)
    lines = ["flowchart TD"]
    for node in graph.nodes():
        opening, closing = _MERMAID_SHAPES[node.kind]
        lines.append(f'  {ids[node.address]}{opening}"{_label(node)}"{closing}')
    for before, after, reason in graph.edges():
        lines.append(f"  {ids[before]} -->|{reason.value}| {ids[after]}")
    return "\n".join(lines) + "\n"


def to_dot(graph: MigrationGraph) -> str:
    """A Graphviz ``digraph`` of the graph, ending in a newline."""
    ids = _ids(graph)
    lines = ["digraph migration {", "  rankdir=LR;", "  node [fontname=Helvetica];"]
    for node in graph.nodes():
        shape = _DOT_SHAPES[node.kind]
        lines.append(f'  {ids[node.address]} [label="{_label(node)}", shape={shape}];')
    for before, after, reason in graph.edges():
        lines.append(f'  {ids[before]} -> {ids[after]} [label="{reason.value}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"
