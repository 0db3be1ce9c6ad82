"""Reconciliation: where every source row of a phase went, and the checks that it all adds up.

For a mapping phase the plan decided some fates (deduplicated, skipped, quarantined and held at
plan time, no-ops) and apply decides the rest (written, merged, rejected by Twenty, held because a
parent was not written). :func:`phase_counts` puts them together as the journal's
:class:`~migrator.state.model.PhaseCounts`; :func:`reconcile_error` checks three things and
returns the error that stops the run if one fails:

* conservation: source = written + merged + deduplicated + quarantined + held + skipped;
* the recomputation read as many source rows as the plan counted;
* the state gained exactly the records the phase reported writing (nothing committed was lost,
  nothing uncounted was committed).

The plan's own quarantine and holds are stored in the state by :mod:`migrator.apply.outcomes`.
"""

from __future__ import annotations

from migrator.addresses import AddressKind, address_kind
from migrator.apply.phases import PhaseTally
from migrator.errors import ApplyError
from migrator.plan.model import MappingCounts, PlanHeader
from migrator.state.model import PhaseCounts

HINT = (
    "nothing after this phase was written; inspect the run with `migrator state show`, then make "
    "a new plan with `migrator plan SPEC -o FILE`"
)


def _mapping_of(phase: str) -> str | None:
    if address_kind(phase) is AddressKind.MAPPING:
        return phase.split(".", 1)[1]
    return None


def _counts_for(header: PlanHeader, phase: str) -> MappingCounts | None:
    mapping = _mapping_of(phase)
    return next((c for c in header.counts if c.mapping == mapping), None) if mapping else None


def phase_counts(header: PlanHeader, phase: str, tally: PhaseTally, *, planned: int) -> PhaseCounts:
    """The reconciliation of ``phase``: the plan's fates plus what apply did."""
    written = tally.created + tally.updated + tally.linked + tally.done_written
    merged = tally.merged + tally.done_merged
    quarantined = tally.rejected + tally.done_quarantined
    held = tally.cascaded + tally.done_held
    plan = _counts_for(header, phase)
    if plan is None:
        return PhaseCounts(
            phase=phase,
            source=planned,
            written=written,
            merged=merged,
            quarantined=quarantined,
            held=held,
        )
    return PhaseCounts(
        phase=phase,
        source=plan.source,
        written=written + plan.noop,
        merged=merged,
        deduplicated=plan.deduplicated,
        quarantined=quarantined + plan.quarantined,
        held=held + plan.held,
        skipped=plan.skipped,
    )


def reconcile_error(
    header: PlanHeader,
    phase: str,
    counts: PhaseCounts,
    rows_read: int,
    state_delta: int,
    expected_delta: int,
) -> ApplyError | None:
    """The error that stops the run when ``phase`` does not add up, else ``None``."""
    if not counts.is_balanced:
        return ApplyError(
            f"{phase} does not add up: {counts.source} source rows, {counts.accounted} accounted "
            "for",
            detail=(
                f"written {counts.written}, merged {counts.merged}, deduplicated "
                f"{counts.deduplicated}, quarantined {counts.quarantined}, held {counts.held}, "
                f"skipped {counts.skipped}."
            ),
            hint=HINT,
        )
    plan = _counts_for(header, phase)
    if plan is not None and rows_read != plan.source:
        return ApplyError(
            f"{phase} does not add up: the source gave {rows_read} rows, the plan counted "
            f"{plan.source}",
            hint=HINT,
        )
    if state_delta != expected_delta:
        return ApplyError(
            f"{phase} does not add up: the state gained {state_delta} records, the phase wrote "
            f"{expected_delta}",
            hint=HINT,
        )
    return None
