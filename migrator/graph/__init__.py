"""The dependency graph: a spec compiled into schema nodes, record phases, links and targets.

:func:`compile_graph` builds it (:mod:`migrator.graph.compile`), :mod:`migrator.graph.order`
gives its deterministic apply order, :mod:`migrator.graph.render` draws it. networkx is used only
inside this package.
"""

from __future__ import annotations

from migrator.graph.compile import TARGET_OBJECTS, MigrationGraph, compile_graph, is_active
from migrator.graph.nodes import (
    SCHEMA_KINDS,
    TARGETS_SUFFIX,
    EdgeReason,
    GraphNode,
    NodeKind,
    targets_mapping,
)
from migrator.graph.render import to_dot, to_mermaid

__all__ = [
    "SCHEMA_KINDS",
    "TARGETS_SUFFIX",
    "TARGET_OBJECTS",
    "EdgeReason",
    "GraphNode",
    "MigrationGraph",
    "NodeKind",
    "compile_graph",
    "is_active",
    "targets_mapping",
    "to_dot",
    "to_mermaid",
]
