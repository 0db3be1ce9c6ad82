"""Samples and full runs do not mix in one state: what the state holds decides what may be planned.

The decision (docs/sample.md): a sample is a rehearsal that is destroyed before the full run, so

* a full plan (``plan``/``apply``/``delta``) is refused while the state holds a sample, with
  the command that removes it (``migrator destroy SPEC``). Treating sampled records as already
  written would let a rehearsal's records, reviewed and perhaps edited by hand, slip into the
  real migration unnoticed;
* a sample plan is refused once the state holds a full run's records (the sample goes first), or
  a sample of another size (its rows differ; destroy it first, or ask for the same size, which
  plans no changes, or resumes an interrupted sample apply).

:func:`sample_status` reads the state's mark (``StateMeta.sample``, written after a sample apply)
and, should a sample apply have been killed before it was marked, its journal: the latest run
since the last destroy being a sample's also means "holds a sample".
"""

from __future__ import annotations

from dataclasses import dataclass

from migrator.errors import PlanError
from migrator.state.model import RunKind
from migrator.state.store import StateReader

_WRITES = (RunKind.APPLY, RunKind.DELTA, RunKind.SAMPLE, RunKind.IMPORT)


@dataclass(frozen=True)
class SampleStatus:
    """What a state holds, as far as samples are concerned."""

    holds_sample: bool
    """Records (or a run) of a sample migration that has not been destroyed."""
    size: int | None
    """The records the sample asked for (None when unknown or no sample)."""
    holds_full_run: bool
    """Records or runs of full migrations that have not been destroyed."""


def sample_status(state: StateReader | None) -> SampleStatus:
    """What ``state`` holds (nothing, for no state)."""
    if state is None:
        return SampleStatus(False, None, False)
    meta = state.meta()
    runs = sorted(state.runs(), key=lambda run: (run.first_serial, run.run_id))
    since_destroy: list[RunKind] = []
    for run in runs:
        if run.kind is RunKind.DESTROY:
            since_destroy = []
        elif run.kind in _WRITES:
            since_destroy.append(run.kind)
    last_is_sample = bool(since_destroy) and since_destroy[-1] is RunKind.SAMPLE
    holds_sample = meta.sample is not None or last_is_sample
    full = any(kind is not RunKind.SAMPLE for kind in since_destroy)
    return SampleStatus(holds_sample, meta.sample, full and not holds_sample)


def check_full_run(status: SampleStatus, spec_display: str) -> None:
    """Refuse a full plan while the state holds a sample."""
    if not status.holds_sample:
        return
    size = f" of {status.size} records" if status.size is not None else ""
    raise PlanError(
        f"the state holds a sample migration{size}; a full run starts from no sample",
        detail=(
            "A sample is a rehearsal: its records are removed before the full run, so that "
            "nothing reviewed or edited during the rehearsal slips into the real migration."
        ),
        hint=f"remove the sample first: migrator destroy {spec_display}",
    )


def check_sample_run(status: SampleStatus, size: int, spec_display: str) -> None:
    """Refuse a sample plan over a full run, or over a sample of another size."""
    if status.holds_full_run:
        raise PlanError(
            "the state holds a full migration; a sample goes before the full run, not after it",
            hint=f"verify the full run instead (migrator verify {spec_display}), or destroy it "
            "first to rehearse again",
        )
    if status.holds_sample and status.size not in (None, size):
        raise PlanError(
            f"the state holds a sample of {status.size} records, not {size}",
            detail="Samples of different sizes hold different rows; one state holds one sample.",
            hint=f"ask for the same sample (--sample {status.size}), or remove it first: "
            f"migrator destroy {spec_display}",
        )
