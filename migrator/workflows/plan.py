"""``migrator plan SPEC``: compute the plan of a spec against its source, state and destination.

:func:`plan` loads and checks the spec, compiles its graph (limited by ``targets``), opens and
verifies the source bundle (its fingerprint binds the plan), opens the state read-only (its
lineage and serial bind the plan; no state means ``prior_state = None``), opens the destination
(its base URL and workspace id bind the plan), reads Twenty's metadata and members, diffs the
schema, and streams the records through the planner into a plan file (``out``) or only into a
header. Nothing is written to Twenty or the state.

Relative paths in the spec (bundle, state, ``sandbox:PATH``) resolve against the spec file's
directory, which the plan records (``spec_dir``).

With ``sample=N`` the plan is a sample migration's (kind ``sample``): the mapper reads only the
rows :mod:`migrator.sample` chooses, the plan carries the sample's warning, and the state's
guard applies (:mod:`migrator.sample.guard`: samples and full runs do not mix in one state).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migrator.destination import Destination
from migrator.graph import MigrationGraph, NodeKind, compile_graph
from migrator.identity import migration_namespace
from migrator.mapping import Mapper, PhaseKind
from migrator.model import canonical_json, digest
from migrator.plan.budget import compute_budget
from migrator.plan.build import PlanBuilder, PlanContext
from migrator.plan.fetch import CHUNK, TwentyReader
from migrator.plan.model import (
    DestinationIdentity,
    PlanHeader,
    PlanKind,
    PriorState,
    SourceFingerprint,
)
from migrator.plan.planfile import plan_file_sha256
from migrator.plan.planner import Planner, PlannerSettings, RecordSource
from migrator.plan.schema_diff import diff_schema, raise_errors
from migrator.sample import (
    SampledBundle,
    check_full_run,
    check_sample_run,
    sample_bundle,
    sample_status,
    sample_warning,
)
from migrator.sources.bundle import Bundle
from migrator.spec.models import MigrationSpec
from migrator.spec.validation import load_spec
from migrator.state.location import open_existing_state, state_location_for_spec
from migrator.state.sqlstore import SqlStateStore
from migrator.twenty.models import WorkspaceMember
from migrator.workflows.spec_inputs import open_spec_bundle, open_spec_destination

PlannerClass = Callable[..., Planner]
"""Builds the planner: ``planner_class(settings, *, mapper, state, reader, builder)``."""

MapperFactory = Callable[..., RecordSource]
"""Builds the mapper: ``factory(spec, bundle, *, spec_dir, members, namespace)``."""


@dataclass(frozen=True)
class PlanResult:
    """A computed plan: its header, and the file it was saved to (with its sha256), if any."""

    header: PlanHeader
    path: Path | None
    sha256: str | None


def default_mapper_factory() -> MapperFactory:
    """The mapper of :mod:`migrator.mapping`."""
    return Mapper


def spec_document(spec: MigrationSpec) -> dict[str, Any]:
    """The spec as embedded in a plan: canonical JSON data, aliases as written in YAML, and only
    what the spec wrote (no defaults), so reading it back gives the model the loader gave — what
    was written stays written (``const: null``), what was not stays unwritten — and a field added
    to the spec language later does not change the digest of specs that do not use it."""
    data: dict[str, Any] = spec.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return data


def _open_state(spec_path: Path, spec: MigrationSpec) -> SqlStateStore | None:
    location = state_location_for_spec(spec.state, spec_path=spec_path, name=spec.name)
    return open_existing_state(location)


def _prior_and_namespace(
    state: SqlStateStore | None, spec: MigrationSpec
) -> tuple[PriorState | None, uuid.UUID]:
    if state is None:
        return None, migration_namespace(spec.name)
    meta = state.meta()
    namespace = uuid.UUID(meta.namespace) if meta.namespace else migration_namespace(spec.name)
    if meta.lineage is None:
        return None, namespace
    return PriorState(lineage=meta.lineage, serial=meta.serial), namespace


def _fingerprint(bundle: Bundle) -> SourceFingerprint:
    return SourceFingerprint(
        system=bundle.system,
        digest=bundle.fingerprint,
        records={name: bundle.count(name) for name in bundle.objects},
    )


def refresh_reads(state: SqlStateStore | None, graph: MigrationGraph) -> int:
    """Requests ``--refresh`` spends reading back the state's records of the planned mappings."""
    if state is None:
        return 0
    planned = {n.mapping for n in graph.phases() if n.kind is NodeKind.RECORDS}
    per_mapping: dict[str, int] = {}
    for row in state.record_counts():
        if row.mapping in planned:
            per_mapping[row.mapping] = per_mapping.get(row.mapping, 0) + row.count
    return sum(math.ceil(count / CHUNK) for count in per_mapping.values())


def plan(
    spec_path: Path,
    *,
    environ: Mapping[str, str],
    out: Path | None = None,
    targets: tuple[str, ...] = (),
    refresh: bool = False,
    mapper_factory: MapperFactory | None = None,
    on_refresh_budget: Callable[[int], None] | None = None,
    display_path: str | None = None,
    kind: PlanKind = "apply",
    planner_class: PlannerClass | None = None,
    sample: int | None = None,
) -> PlanResult:
    """Compute the plan of the spec at ``spec_path`` (see the module docstring).

    ``environ`` supplies the spec's variables and the API key (``destination.api_key_env``).
    ``on_refresh_budget`` is told the read requests ``--refresh`` will make before any is made.
    ``kind`` and ``planner_class`` let ``delta`` (:mod:`migrator.workflows.delta`) plan with its
    own planner (a :class:`Planner` subclass) under its own plan kind. ``sample`` makes it the
    plan of a sample of about that many records (module docstring).
    """
    loaded = load_spec(spec_path, environ=environ, display_path=display_path)
    spec, spec_dir = loaded.spec, spec_path.resolve().parent
    graph = compile_graph(spec)
    if targets:
        graph = graph.restrict(targets)
    bundle = open_spec_bundle(spec, spec_dir)
    state = _open_state(spec_path, spec)
    try:
        status, shown = sample_status(state), display_path or str(spec_path)
        if sample is not None:
            check_sample_run(status, sample, shown)
            kind = "sample"
        elif kind != "destroy":
            check_full_run(status, shown)
        mapped = sample_bundle(spec, bundle, sample) if sample is not None else bundle
        prior, namespace = _prior_and_namespace(state, spec)
        api_key = environ.get(spec.destination.api_key_env)
        with open_spec_destination(spec, spec_dir, api_key) as destination:
            if state is not None:
                state.check_binding(
                    destination.identity.base_url, destination.identity.workspace_id
                )
            if refresh and on_refresh_budget is not None:
                on_refresh_budget(refresh_reads(state, graph))
            context = PlanContext(
                name=spec.name,
                spec=spec_document(spec),
                spec_digest=digest(spec_document(spec)),
                spec_dir=str(spec_dir),
                source=_fingerprint(bundle),
                destination=DestinationIdentity(
                    base_url=destination.identity.base_url,
                    workspace_id=destination.identity.workspace_id,
                ),
                prior_state=prior,
                targets=tuple(sorted(set(targets))),
                namespace=str(namespace),
                kind=kind,
            )
            return _compute(
                spec,
                graph,
                mapped,
                state,
                destination,
                context,
                namespace=namespace,
                out=out,
                refresh=refresh,
                factory=mapper_factory or default_mapper_factory(),
                spec_dir=spec_dir,
                planner_class=planner_class or Planner,
            )
    finally:
        if state is not None:
            state.close()


def _compute(
    spec: MigrationSpec,
    graph: MigrationGraph,
    bundle: Bundle,
    state: SqlStateStore | None,
    destination: Destination,
    context: PlanContext,
    *,
    namespace: uuid.UUID,
    out: Path | None,
    refresh: bool,
    factory: MapperFactory,
    spec_dir: Path,
    planner_class: PlannerClass = Planner,
) -> PlanResult:
    reader = TwentyReader(destination.client)
    metadata = {meta.name_singular: meta for meta in reader.metadata()}
    members: tuple[WorkspaceMember, ...] = reader.members() if spec.owners is not None else ()
    schema = diff_schema(spec, graph.schema_nodes(), tuple(metadata.values()))
    raise_errors(schema)
    phases = graph.phases()
    objects = {n.mapping or "": n.twenty_object for n in phases if n.kind is NodeKind.RECORDS}
    builder = PlanBuilder(
        context,
        [n.address for n in phases],
        objects,
        spool_dir=out.parent if out is not None else None,
    )
    sampled = (sample_warning(bundle),) if isinstance(bundle, SampledBundle) else ()
    builder.set_schema(schema.changes, (*schema.warnings, *sampled))
    expected = {m: bundle.count(spec.source_object_of(m) or "") for m in objects}
    mapper = factory(spec, bundle, spec_dir=spec_dir, members=members, namespace=namespace)
    counted: tuple[str, ...] = ()
    if isinstance(mapper, Mapper) and not context.targets:
        kinds = (PhaseKind.AGGREGATED, PhaseKind.SKIPPED)
        counted = tuple(p.name for p in mapper.phases() if p.kind in kinds)
    settings = PlannerSettings(
        spec=spec,
        graph=graph,
        namespace=namespace,
        metadata=metadata,
        expected_rows=expected,
        refresh=refresh,
        counted_phases=counted,
    )
    try:
        planner = planner_class(
            settings, mapper=mapper, state=state, reader=reader, builder=builder
        )
        if state is not None:
            with state.snapshot():
                planner.run()
        else:
            planner.run()
        budget = compute_budget(
            schema.changes,
            builder.tallies.values(),
            batch_size=spec.destination.batch_size,
            per_minute=spec.destination.rate_limit.per_minute,
            member_reads=math.ceil(len(members) / CHUNK) if spec.owners is not None else 0,
            reads_for_plan=reader.data_requests,
            metadata_reads_for_plan=reader.metadata_requests,
        )
    except BaseException:
        builder.discard()
        raise
    finally:
        mapper.close()
    header = builder.finish(budget, out)
    return PlanResult(header, out, plan_file_sha256(out) if out is not None else None)


def header_json(header: PlanHeader) -> str:
    """The header as canonical, indented JSON (for ``--format json`` until #9 renders it)."""
    return canonical_json(header.model_dump(mode="json"), indent=2)
