"""``migrator delta SPEC``: plan (and apply) only what changed in the source since the last apply.

:func:`plan_delta` is :func:`migrator.workflows.plan.plan` with the delta planner
(:class:`migrator.delta.planner.DeltaPlanner`) under plan kind ``delta``: new and changed source
records (their payload digest differs from the state's), records removed from the source (the
spec's ``on_source_delete``), and with ``refresh`` the drift conflicts. An unchanged source gives
a plan with no changes. :func:`apply_delta` runs the saved plan like any plan (the journal
records a ``delta`` run).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

from migrator.apply.model import ApplyResult
from migrator.apply.progress import ProgressSink
from migrator.delta.planner import DeltaPlanner
from migrator.errors import UsageError
from migrator.spec.validation import load_spec
from migrator.state.location import open_existing_state, state_location_for_spec
from migrator.workflows.apply import apply_plan_file
from migrator.workflows.plan import PlanResult, plan


def _require_state(spec_path: Path, environ: Mapping[str, str]) -> None:
    spec = load_spec(spec_path, environ=environ, display_path=str(spec_path)).spec
    location = state_location_for_spec(spec.state, spec_path=spec_path, name=spec.name)
    state = open_existing_state(location)
    empty = state is None or state.meta().lineage is None
    if state is not None:
        state.close()
    if empty:
        raise UsageError(
            f"delta needs a previous apply: {spec.name!r} has no state yet",
            hint="run `migrator apply SPEC` first",
        )


def plan_delta(
    spec_path: Path,
    *,
    environ: Mapping[str, str],
    out: Path | None = None,
    refresh: bool = False,
    overwrite_drift: bool = False,
    on_refresh_budget: Callable[[int], None] | None = None,
) -> PlanResult:
    """The delta plan, saved to ``out`` (default ``.migrator/<spec stem>.delta.plan``)."""
    _require_state(spec_path, environ)
    out = out or spec_path.resolve().parent / ".migrator" / f"{spec_path.stem}.delta.plan"
    out.parent.mkdir(parents=True, exist_ok=True)
    return plan(
        spec_path,
        environ=environ,
        out=out,
        refresh=refresh,
        on_refresh_budget=on_refresh_budget,
        display_path=str(spec_path),
        kind="delta",
        planner_class=partial(DeltaPlanner, overwrite_drift=overwrite_drift),
    )


def apply_delta(
    plan_path: Path, *, environ: Mapping[str, str], progress: ProgressSink | None = None
) -> ApplyResult:
    """Apply a delta plan (exactly as ``migrator apply PLANFILE`` would)."""
    return apply_plan_file(plan_path, environ=environ, progress=progress)
