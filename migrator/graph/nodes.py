"""The nodes and edges of the dependency graph: what a migration provisions and writes, in phases.

A node is one unit of apply order, named by its address (:mod:`migrator.addresses`):

* schema nodes — ``object.<object>`` (a custom object), ``field.<object>.<field>`` (a custom
  field, the provenance fields included), ``relation.<object>.<field>`` (a MANY_TO_ONE relation
  and the inverse side Twenty makes with it) and ``option.<object>.<field>.<VALUE>`` (an option
  added to a field migrator did not create);
* record nodes — ``mapping.<mapping>``: every record one mapping (or child mapping) writes;
* link nodes — ``link.<mapping>.<field>``: a relation written in a second pass once both records
  exist (a self reference, or a ``ref`` marked ``deferred``);
* target nodes — ``mapping.<mapping>-targets``: the ``noteTarget``/``taskTarget`` rows that tie
  a mapping's notes or tasks to the records they are about, written once those records exist
  (the mapper runs them as their own phase, ``<mapping>-targets``).

Nodes are frozen values; the graph (:mod:`migrator.graph.compile`) holds them by address.
"""

from __future__ import annotations

import enum

from migrator.addresses import address_sort_key
from migrator.model import FrozenModel

#: Appended to a note or task mapping's name to name its targets phase (``activities-targets``).
TARGETS_SUFFIX = "-targets"


def targets_mapping(mapping: str) -> str:
    """The name of ``mapping``'s targets phase, as the mapper runs it (``notes-targets``)."""
    return mapping + TARGETS_SUFFIX


class NodeKind(enum.StrEnum):
    """What a node stands for; the first four are schema, the rest are record phases."""

    OBJECT = "object"
    FIELD = "field"
    RELATION = "relation"
    OPTION = "option"
    RECORDS = "records"
    LINK = "link"
    TARGETS = "targets"


SCHEMA_KINDS: frozenset[NodeKind] = frozenset(
    {NodeKind.OBJECT, NodeKind.FIELD, NodeKind.RELATION, NodeKind.OPTION}
)

#: Apply tiers: schema first, then record phases, then second-pass links, then targets.
_TIER: dict[NodeKind, int] = {
    NodeKind.OBJECT: 0,
    NodeKind.FIELD: 0,
    NodeKind.RELATION: 0,
    NodeKind.OPTION: 0,
    NodeKind.RECORDS: 1,
    NodeKind.LINK: 2,
    NodeKind.TARGETS: 3,
}


class EdgeReason(enum.StrEnum):
    """Why one node must come before another (shown on the rendered graph)."""

    SCHEMA = "schema"
    """The later node writes into, or defines a field of, what the earlier one provisions."""
    REF = "ref"
    """A record's payload points at a record of the earlier mapping."""
    CHILD = "child"
    """A child mapping's records are made from its parent's rows, after them."""
    LINK = "link"
    """A second-pass link needs both records written."""
    TARGET = "target"
    """A note or task target needs the note or task and the record it is about."""


class GraphNode(FrozenModel):
    """One node of the graph. Which optional fields are set depends on ``kind``."""

    address: str
    """The node's address (the graph's key)."""
    kind: NodeKind
    twenty_object: str
    """The Twenty object (singular) the node provisions into or writes records of."""
    field: str | None = None
    """Schema nodes: the field (for options, the field the option is added to); link nodes: the
    relation field written in the second pass."""
    option: str | None = None
    """Option nodes: the option value."""
    mapping: str | None = None
    """Record, link and target nodes: the mapping (or child mapping) whose records they write;
    for target nodes the targets phase (``notes-targets``), whose records carry that name."""
    parent: str | None = None
    """Record nodes of child mappings: the parent mapping; target nodes: the note or task
    mapping whose targets they write."""
    ref: str | None = None
    """Link nodes: the mapping whose records the link points at."""
    provenance: bool = False
    """Field nodes: a provenance field (source id or source-deleted flag) migrator adds itself."""

    @property
    def is_schema(self) -> bool:
        """True for object, field, relation and option nodes."""
        return self.kind in SCHEMA_KINDS

    @property
    def tier(self) -> int:
        """0 schema, 1 records, 2 links, 3 targets: the coarse apply order."""
        return _TIER[self.kind]


def node_order_key(node: GraphNode, generation: int) -> tuple[int, int, tuple[int, str]]:
    """The deterministic order of nodes that are free to go: tier, generation, then address."""
    return (node.tier, generation, address_sort_key(node.address))
