"""The phases a spec's source rows go through, and an order that satisfies every dependency.

Every source row a migration accounts for belongs to one phase:

* ``records`` — a mapping or child mapping (named as in the spec): its rows become records;
* ``targets`` — ``<mapping>-targets``: the ``noteTarget``/``taskTarget`` records of a note or task
  mapping (the graph's ``link.<mapping>.targets`` node);
* ``aggregated`` — ``<object>-aggregated``: a source object read only by ``aggregate`` values; its
  rows are folded into other mappings' records and are counted, not written;
* ``skipped`` — ``<object>-skipped``: a source object listed under ``skip``, counted from the
  manifest without being read.

Objects read only as lookups (``appointment_types``) or as the owners' users are reference data,
not migrated rows, and have no phase. :func:`phase_order` follows the dependency graph's apply
order (:mod:`migrator.graph`), which puts record phases after the mappings their payloads point
at, children after their parents and targets after the mappings they name; the aggregated and
skipped phases come last.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from migrator.mapping.targets import TARGETS_SUFFIX
from migrator.spec.models import MigrationSpec, ValueSpec
from migrator.spec.walk import iter_values

AGGREGATED_SUFFIX = "-aggregated"
SKIPPED_SUFFIX = "-skipped"


class PhaseKind(enum.StrEnum):
    """What a phase does with its rows (module doc)."""

    RECORDS = "records"
    TARGETS = "targets"
    AGGREGATED = "aggregated"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Phase:
    """One phase: its name (what :meth:`Mapper.run` takes) and what it reads and writes."""

    name: str
    kind: PhaseKind
    source_object: str
    twenty_object: str
    """The Twenty object written; empty for aggregated and skipped phases."""
    mapping: str
    """The mapping it belongs to (records, targets); empty otherwise."""
    needs: tuple[str, ...] = ()
    """Phases that must have run first."""


def first_pass_refs(spec: MigrationSpec, name: str) -> set[str]:
    """The mappings whose records ``name``'s payloads point at (not self, not deferred)."""
    found: set[str] = set()
    body = spec.all_mappings()[name]
    for raw in body.fields.values():
        parts = list(raw.values()) if isinstance(raw, dict) else [raw]
        for part in parts:
            if isinstance(part, ValueSpec) and part.ref and part.ref != name and not part.deferred:
                found.add(part.ref)
    return found


def aggregated_objects(spec: MigrationSpec) -> list[str]:
    """Source objects read only by aggregates (not mapped, not skipped), in spec order."""
    mapped = {m.from_ for m in spec.objects.values()}
    found: list[str] = []
    for site in iter_values(spec):
        agg = site.value.aggregate
        if agg is None or agg.from_ in mapped or agg.from_ in spec.skip:
            continue
        if agg.from_ not in found:
            found.append(agg.from_)
    return found


def spec_phases(spec: MigrationSpec, *, target_objects: dict[str, str]) -> list[Phase]:
    """Every phase of ``spec`` with its hard dependencies, in spec order.

    ``target_objects`` maps each note/task mapping with targets to its holder object.
    """
    phases: list[Phase] = []
    for name, mapping in spec.objects.items():
        phases.append(Phase(name, PhaseKind.RECORDS, mapping.from_, mapping.to, name,
                            tuple(sorted(first_pass_refs(spec, name)))))  # fmt: skip
        for child, body in mapping.children.items():
            needs = tuple(sorted(first_pass_refs(spec, child) | {name}))
            phases.append(Phase(child, PhaseKind.RECORDS, mapping.from_, body.to, child, needs))
    for name, holder in target_objects.items():
        targets = spec.all_mappings()[name].targets
        needs = tuple(sorted({name, *(t.ref for t in targets)}))
        source = spec.source_object_of(name) or ""
        phases.append(Phase(name + TARGETS_SUFFIX, PhaseKind.TARGETS, source, holder, name, needs))
    for obj in aggregated_objects(spec):
        phases.append(Phase(obj + AGGREGATED_SUFFIX, PhaseKind.AGGREGATED, obj, "", ""))
    for obj in spec.skip:
        phases.append(Phase(obj + SKIPPED_SUFFIX, PhaseKind.SKIPPED, obj, "", ""))
    return phases


def _kahn(phases: list[Phase]) -> list[Phase]:
    """Kahn's order with the given order as the tie-break (a cycle is a bug: the spec checks
    refuse reference cycles)."""
    names = {p.name for p in phases}
    done: set[str] = set()
    ordered: list[Phase] = []
    while len(ordered) < len(phases):
        ready = next(
            (p for p in phases if p.name not in done and set(p.needs) & names <= done), None
        )
        if ready is None:
            cycle = ", ".join(p.name for p in phases if p.name not in done)
            raise ValueError(f"the mapper phases {cycle} depend on each other in a cycle")
        ordered.append(ready)
        done.add(ready.name)
    return ordered


def phase_order(phases: list[Phase], preferred: list[str]) -> list[Phase]:
    """``phases`` in the ``preferred`` order of names (the graph's apply order) as far as every
    phase's ``needs`` allow; phases it does not name keep their place after those it does."""
    rank = {name: position for position, name in enumerate(preferred)}
    known = sorted((p for p in phases if p.name in rank), key=lambda p: rank[p.name])
    return _kahn(known + [p for p in phases if p.name not in rank])
