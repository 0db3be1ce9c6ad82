"""Compiling a spec into its dependency graph: schema nodes, record phases, links and targets.

:func:`compile_graph` reads a valid :class:`~migrator.spec.models.MigrationSpec` and returns a
:class:`MigrationGraph`: a ``networkx.DiGraph`` whose nodes are :class:`GraphNode` values keyed by
address (see :mod:`migrator.graph.nodes`) and whose edges say "before" with a reason, plus the
deterministic apply order. Switches are applied: a schema field or a field mapping switched off by
``when``/``unless`` is not in the graph. Edges come from:

* schema needs — a mapping needs every schema node of the object it writes (its custom object,
  custom fields, relations, added options and provenance fields); a field needs its custom
  object; a relation needs the custom objects at both ends;
* refs — a mapping comes after every mapping its records point at, except self references and
  refs marked ``deferred``, which become link nodes after both mappings;
* children — a child mapping comes after its parent;
* targets — a mapping's target node comes after the mapping and every mapping it targets.

Lookups and aggregates read the source bundle only (nothing has to be written first), so they
add no edge; owners resolve to workspace members, which exist before any run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from migrator.addresses import (
    field_address,
    link_address,
    mapping_address,
    object_address,
    option_address,
    relation_address,
)
from migrator.catalogue import FieldType
from migrator.errors import GraphError
from migrator.graph.nodes import EdgeReason, GraphNode, NodeKind, targets_mapping
from migrator.graph.order import apply_order
from migrator.spec.models import ChildMapping, Mapping, MigrationSpec, Target, ValueSpec

#: The Twenty objects that hold the targets of notes and tasks.
TARGET_OBJECTS: dict[str, str] = {"note": "noteTarget", "task": "taskTarget"}


@dataclass(frozen=True)
class MigrationGraph:
    """A compiled graph and its apply order. Treat ``graph`` as read-only."""

    graph: Any
    """The ``networkx.DiGraph``: node attribute ``node`` (a :class:`GraphNode`), edge attribute
    ``reason`` (an :class:`EdgeReason`)."""
    order: tuple[str, ...]
    """Every node address in apply order (:mod:`migrator.graph.order`)."""

    def node(self, address: str) -> GraphNode:
        """The node at ``address`` (``KeyError`` if absent)."""
        found: GraphNode = self.graph.nodes[address]["node"]
        return found

    def nodes(self) -> tuple[GraphNode, ...]:
        """Every node, in apply order."""
        return tuple(self.node(address) for address in self.order)

    def schema_nodes(self) -> tuple[GraphNode, ...]:
        """The schema nodes, in apply order."""
        return tuple(node for node in self.nodes() if node.is_schema)

    def phases(self) -> tuple[GraphNode, ...]:
        """The record, link and target nodes, in apply order."""
        return tuple(node for node in self.nodes() if not node.is_schema)

    def edges(self) -> tuple[tuple[str, str, EdgeReason], ...]:
        """Every edge ``(before, after, reason)``, sorted by the apply order of both ends."""
        rank = {address: index for index, address in enumerate(self.order)}
        found = [(a, b, EdgeReason(data["reason"])) for a, b, data in self.graph.edges(data=True)]
        return tuple(sorted(found, key=lambda edge: (rank[edge[0]], rank[edge[1]])))

    def needs(self, address: str) -> tuple[str, ...]:
        """The addresses ``address`` directly depends on, in apply order."""
        rank = {a: index for index, a in enumerate(self.order)}
        return tuple(sorted(self.graph.predecessors(address), key=rank.__getitem__))

    def restrict(self, mappings: Sequence[str]) -> MigrationGraph:
        """The subgraph for ``--target``: those mappings, their links and targets, and
        everything they need (transitively). Unknown names raise :class:`GraphError`."""
        known = {n.mapping for n in self.nodes() if n.kind is NodeKind.RECORDS}
        owners = {n.address: n.parent for n in self.nodes() if n.kind is NodeKind.TARGETS}
        unknown = sorted(set(mappings) - known)
        if unknown:
            raise GraphError(
                f"--target names no mapping of this spec: {', '.join(unknown)}",
                detail=f"The mappings are: {', '.join(sorted(m for m in known if m))}.",
                hint="pass mapping names as written under `objects` (or `children`)",
            )
        wanted = set(mappings)
        keep: set[str] = set()
        for node in self.nodes():
            owner = owners.get(node.address)
            if not node.is_schema and (node.mapping in wanted or owner in wanted):
                keep.add(node.address)
                keep.update(nx.ancestors(self.graph, node.address))
        sub = self.graph.subgraph(keep).copy()
        return MigrationGraph(sub, tuple(a for a in self.order if a in keep))


def is_active(spec: MigrationSpec, when: str | None, unless: str | None) -> bool:
    """Whether a ``when``/``unless`` guarded element is on under the spec's switches."""
    if when is not None and not spec.switches.get(when, False):
        return False
    return not (unless is not None and spec.switches.get(unless, False))


def iter_value_specs(raw: object) -> Iterator[ValueSpec]:
    """The :class:`ValueSpec` values of one field mapping (composite parts included)."""
    if isinstance(raw, ValueSpec):
        yield raw
    elif isinstance(raw, dict):
        for part in raw.values():
            if isinstance(part, ValueSpec):
                yield part


class _Builder:
    """Adds nodes and edges for one spec (used once by :func:`compile_graph`)."""

    def __init__(self, spec: MigrationSpec) -> None:
        self.spec = spec
        self.graph: Any = nx.DiGraph()
        self.schema_of: dict[str, list[str]] = {}
        """Schema node addresses by the Twenty object they belong to."""

    def add(self, node: GraphNode) -> str:
        if node.address not in self.graph:
            self.graph.add_node(node.address, node=node)
            if node.is_schema:
                self.schema_of.setdefault(node.twenty_object, []).append(node.address)
        return node.address

    def edge(self, before: str, after: str, reason: EdgeReason) -> None:
        if before in self.graph and after in self.graph and before != after:
            self.graph.add_edge(before, after, reason=reason.value)

    # -- schema -------------------------------------------------------------------------------

    def add_schema(self) -> None:
        for name, section in self.spec.schema_.items():
            if section.create is not None:
                self.add(
                    GraphNode(
                        address=object_address(name), kind=NodeKind.OBJECT, twenty_object=name
                    )
                )
        for name, section in self.spec.schema_.items():
            for field_name, item in section.fields.items():
                if not is_active(self.spec, item.when, item.unless):
                    continue
                if item.type is FieldType.RELATION:
                    address = relation_address(name, field_name)
                    kind = NodeKind.RELATION
                else:
                    address, kind = field_address(name, field_name), NodeKind.FIELD
                self.add(
                    GraphNode(address=address, kind=kind, twenty_object=name, field=field_name)
                )
                self.edge(object_address(name), address, EdgeReason.SCHEMA)
                if item.to is not None:
                    self.edge(object_address(item.to), address, EdgeReason.SCHEMA)
            for field_name, options in section.add_options.items():
                for option in options:
                    address = option_address(name, field_name, option.value)
                    self.add(
                        GraphNode(
                            address=address,
                            kind=NodeKind.OPTION,
                            twenty_object=name,
                            field=field_name,
                            option=option.value,
                        )
                    )
                    self.edge(field_address(name, field_name), address, EdgeReason.SCHEMA)
                    self.edge(object_address(name), address, EdgeReason.SCHEMA)

    def add_provenance(self, twenty_object: str, *, flagged: bool) -> None:
        names = [self.spec.provenance.source_id_field]
        if flagged:
            names.append(self.spec.provenance.source_deleted_field)
        for name in names:
            address = self.add(
                GraphNode(
                    address=field_address(twenty_object, name),
                    kind=NodeKind.FIELD,
                    twenty_object=twenty_object,
                    field=name,
                    provenance=True,
                )
            )
            self.edge(object_address(twenty_object), address, EdgeReason.SCHEMA)

    # -- record phases ------------------------------------------------------------------------

    def add_mappings(self) -> None:
        bodies: list[tuple[str, Mapping | ChildMapping, str | None, bool]] = []
        for name, mapping in self.spec.objects.items():
            flagged = (mapping.on_source_delete or self.spec.on_source_delete) == "flag"
            bodies.append((name, mapping, None, flagged))
            bodies.extend((child, body, name, flagged) for child, body in mapping.children.items())
        for name, body, parent, flagged in bodies:
            self.add_provenance(body.to, flagged=flagged)
            self.add(
                GraphNode(
                    address=mapping_address(name),
                    kind=NodeKind.RECORDS,
                    twenty_object=body.to,
                    mapping=name,
                    parent=parent,
                )
            )
            if body.targets and body.to in TARGET_OBJECTS:
                self.add_provenance(TARGET_OBJECTS[body.to], flagged=False)
        for name, body, parent, _flagged in bodies:
            address = mapping_address(name)
            for schema in self.schema_of.get(body.to, []):
                self.edge(schema, address, EdgeReason.SCHEMA)
            if parent is not None:
                self.edge(mapping_address(parent), address, EdgeReason.CHILD)
            self.add_refs(name, body)
            self.add_targets(name, body)

    def add_refs(self, name: str, body: Mapping | ChildMapping) -> None:
        known = self.spec.all_mappings()
        for field_name, raw in body.fields.items():
            for value in iter_value_specs(raw):
                if value.ref is None or value.ref not in known:
                    continue
                if not is_active(self.spec, value.when, value.unless):
                    continue
                if value.ref == name or value.deferred:
                    link = self.add(
                        GraphNode(
                            address=link_address(name, field_name),
                            kind=NodeKind.LINK,
                            twenty_object=body.to,
                            mapping=name,
                            field=field_name,
                            ref=value.ref,
                        )
                    )
                    self.edge(mapping_address(name), link, EdgeReason.LINK)
                    self.edge(mapping_address(value.ref), link, EdgeReason.LINK)
                else:
                    self.edge(mapping_address(value.ref), mapping_address(name), EdgeReason.REF)

    def add_targets(self, name: str, body: Mapping | ChildMapping) -> None:
        active: list[Target] = [t for t in body.targets if is_active(self.spec, t.when, t.unless)]
        if not active or body.to not in TARGET_OBJECTS:
            return
        holder = TARGET_OBJECTS[body.to]
        phase = targets_mapping(name)
        address = self.add(
            GraphNode(
                address=mapping_address(phase),
                kind=NodeKind.TARGETS,
                twenty_object=holder,
                mapping=phase,
                parent=name,
            )
        )
        self.edge(mapping_address(name), address, EdgeReason.TARGET)
        for schema in self.schema_of.get(holder, []):
            self.edge(schema, address, EdgeReason.SCHEMA)
        for target in active:
            self.edge(mapping_address(target.ref), address, EdgeReason.TARGET)
            # The note itself also runs after what it is about, so the mapper can hold a note
            # none of whose targets is written (a clinical note never lands unlinked). Skipped
            # where the targeted mapping itself needs the note: then the targets phase decides.
            source, note = mapping_address(target.ref), mapping_address(name)
            if note in self.graph and not nx.has_path(self.graph, note, source):
                self.edge(source, note, EdgeReason.TARGET)


def compile_graph(spec: MigrationSpec) -> MigrationGraph:
    """The dependency graph of ``spec`` with its apply order; :class:`GraphError` on a cycle
    that no second pass can break (it names the cycle)."""
    builder = _Builder(spec)
    builder.add_schema()
    builder.add_mappings()
    return MigrationGraph(builder.graph, apply_order(builder.graph))
