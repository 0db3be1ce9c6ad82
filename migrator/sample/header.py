"""How a plan says it is a sample: its kind, and one warning every view already shows.

A sample plan has ``kind: sample`` and carries the :data:`SAMPLE_WARNING` warning: its message
tells a reviewer what the sample holds and what happens next, its ``count`` is the number of
records asked for (``--sample N``), from which apply (and verify, through the state) chooses the
very same rows again (:mod:`migrator.sample.select` is deterministic). The warning travels in the
plan's existing ``warnings`` so the plan format does not change and every renderer (text,
markdown, JSON) shows it without knowing about samples.
"""

from __future__ import annotations

from migrator.errors import PlanError
from migrator.plan.model import PlanHeader, PlanWarning
from migrator.sample.bundle import SampledBundle

SAMPLE_WARNING = "sample"
"""The code of the warning that makes a plan a sample's."""


def sample_warning(bundle: SampledBundle) -> PlanWarning:
    """The warning a sample plan carries (``count``: the records asked for)."""
    selection = bundle.selection
    total = sum(bundle.full.count(obj) for obj in selection.counts)
    kept = sum(selection.counts.values())
    per_object = ", ".join(
        f"{obj} {count}/{bundle.full.count(obj)}" for obj, count in selection.counts.items()
    )
    message = (
        f"a sample migration: {kept} of {total} source rows ({selection.records} records, "
        f"{selection.size} asked for), each with the rows it refers to and the rows that depend "
        f"on it; the other {total - kept} rows are outside the sample ({per_object}). Review it "
        "in Twenty and `migrator verify` it, then `migrator destroy` it before the full run"
    )
    return PlanWarning(code=SAMPLE_WARNING, message=message, count=selection.size)


def sample_size_of(header: PlanHeader) -> int | None:
    """The records a sample plan asked for; None for any other plan.

    Raises :class:`PlanError` for a plan of kind ``sample`` without its warning (a plan file
    edited by hand, or made by a migrator that wrote samples differently).
    """
    if header.kind != "sample":
        return None
    for warning in header.warnings:
        if warning.code == SAMPLE_WARNING and warning.count > 0:
            return warning.count
    raise PlanError(
        "the plan is a sample's but does not say how large the sample is",
        hint="make the plan again: migrator plan SPEC --sample N -o FILE",
    )
