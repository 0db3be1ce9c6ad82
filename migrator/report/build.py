"""``build_report``: the hand-off report from a state (if any), the spec and its bundle.

The state gives the journal (each run with its per-phase reconciliation), record counts, the
quarantine, the held records and the owner queue; the bundle and spec give the hand-off lists
(:mod:`migrator.report.sections`) and the lossy mappings (:mod:`migrator.report.lossy`). Without
a state (nothing applied yet) the state sections are empty and the lists show where records
would be.
"""

from __future__ import annotations

from migrator.report.lossy import lossy_mappings
from migrator.report.model import HandoffReport, HeldGroup, RunSummary
from migrator.report.sections import (
    TwentyIds,
    care_plans,
    joint_section,
    locked_section,
    renumbered,
)
from migrator.sources.bundle import Bundle
from migrator.spec.models import MigrationSpec
from migrator.state import StateReader

EXAMPLES = 5


def _runs(state: StateReader) -> tuple[RunSummary, ...]:
    return tuple(
        RunSummary(
            run_id=run.run_id,
            kind=run.kind.value,
            status=run.status.value,
            started_at=run.started_at,
            finished_at=run.finished_at,
            plan_digest=run.plan_digest,
            phases=run.phases,
        )
        for run in state.runs()
    )


def _held(state: StateReader) -> tuple[HeldGroup, ...]:
    groups: dict[tuple[str, str], tuple[int, list[str]]] = {}
    for entry in state.held():
        count, examples = groups.get((entry.mapping, entry.code), (0, []))
        if len(examples) < EXAMPLES:
            examples.append(entry.source_key)
        groups[(entry.mapping, entry.code)] = (count + 1, examples)
    return tuple(
        HeldGroup(mapping=mapping, code=code, count=count, examples=tuple(examples))
        for (mapping, code), (count, examples) in sorted(groups.items())
    )


def _without_state(spec: MigrationSpec, bundle: Bundle, ids: TwentyIds) -> HandoffReport:
    return HandoffReport(
        spec_name=spec.name,
        system=bundle.system,
        state_location=None,
        locked=locked_section(spec, bundle, ids),
        joint=joint_section(spec, bundle, ids),
        renumbered=renumbered(spec, bundle, ids),
        care_plans=care_plans(bundle),
        lossy=lossy_mappings(spec, bundle),
    )


def build_report(spec: MigrationSpec, bundle: Bundle, state: StateReader | None) -> HandoffReport:
    """The hand-off report; ``state`` None when nothing has been applied yet.

    Every read of the state happens in one snapshot, so the report is consistent even while
    another process writes.
    """
    if state is None:
        return _without_state(spec, bundle, TwentyIds(None))
    with state.snapshot():
        base = _without_state(spec, bundle, TwentyIds(state))
        meta = state.meta()
        return base.model_copy(
            update={
                "state_location": state.location,
                "lineage": meta.lineage,
                "serial": meta.serial,
                "runs": _runs(state),
                "record_counts": state.record_counts(),
                "quarantine": tuple(state.quarantined()),
                "held": _held(state),
                "owner_queue": state.owner_queue(),
            }
        )
