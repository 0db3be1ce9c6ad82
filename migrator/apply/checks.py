"""Is this plan still the one to run? Binding, lineage, serial, source and approval checks.

Apply refuses, before writing anything, a plan that was made against something else (DESIGN.md,
Binding): another destination (base URL or workspace), another state lineage, a state that moved
on since the plan was made (unless every write since came from runs of this same plan: an
interrupted apply is resumed), a source whose fingerprint changed, or a plan file other than the
one that was approved (``--expect-digest``). Each refusal names what changed and the command to
run. These are pure functions over documents; the executor gathers the documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from migrator.errors import LineageMismatch, PlanError, StalePlanError
from migrator.plan.model import PlanHeader
from migrator.state.model import RunEntry, RunStatus, StateMeta, normalize_base_url

REPLAN = "make a new plan with `migrator plan SPEC -o FILE`, review it, and apply that"


def check_expected_digest(actual_sha256: str, expected: str | None) -> None:
    """Refuse a plan file whose sha256 is not the approved one."""
    if expected is None:
        return
    wanted = expected.strip().lower().removeprefix("sha256:")
    if wanted != actual_sha256:
        raise PlanError(
            "the plan file is not the approved one: its sha256 differs",
            detail=f"Expected sha256 {wanted}, the file has {actual_sha256}.",
            hint="apply exactly the plan file that was reviewed, or review this one",
        )


def check_applicable(header: PlanHeader) -> None:
    """Refuse an errored plan (it can be shown, never applied)."""
    if header.errored:
        raise PlanError(
            f"plan {header.name!r} has errors and cannot be applied",
            detail="The plan was saved with errors so that it can be reviewed.",
            hint="fix the errors the plan lists, then " + REPLAN,
        )


def check_destination(header: PlanHeader, base_url: str, workspace_id: str) -> None:
    """Refuse when the destination opened is not the one the plan was made against."""
    planned = header.destination
    same_url = normalize_base_url(planned.base_url) == normalize_base_url(base_url)
    if same_url and planned.workspace_id == workspace_id:
        return
    what = "base URL" if not same_url else "workspace"
    raise LineageMismatch(
        f"the plan was made for another destination ({what} differs): nothing was written",
        detail=(
            f"The plan writes to {planned.base_url} (workspace {planned.workspace_id}); this "
            f"run would write to {base_url} (workspace {workspace_id})."
        ),
        hint=(
            "set the destination URL and API key the plan was made with, or " + REPLAN + " "
            "against this destination"
        ),
    )


@dataclass(frozen=True)
class Continuation:
    """What the state says about earlier runs of this plan."""

    runs: tuple[RunEntry, ...]
    """Earlier runs of this same plan (oldest first)."""

    @property
    def resuming(self) -> bool:
        """True when an earlier run of this plan wrote to the state."""
        return bool(self.runs)

    @property
    def completed(self) -> RunEntry | None:
        """The earlier run that completed this plan, if one did."""
        return next((r for r in self.runs if r.status is RunStatus.COMPLETE), None)


def _covered(runs: Sequence[RunEntry], low: int, high: int) -> bool:
    """True when every serial in ``(low, high]`` was written by one of ``runs``."""
    spans = sorted((r.first_serial, r.last_serial) for r in runs)
    reached = low
    for first, last in spans:
        if first > reached + 1:
            break
        reached = max(reached, last)
    return reached >= high


def check_state(
    header: PlanHeader, meta: StateMeta, runs: Sequence[RunEntry], plan_digest: str, location: str
) -> Continuation:
    """Refuse a plan made against another lineage, or a state written since by anything but runs
    of this plan; return the earlier runs of this plan (an interrupted apply resumes)."""
    ours = tuple(r for r in runs if r.plan_digest == plan_digest)
    prior = header.prior_state
    if meta.is_empty:
        if prior is not None:
            raise LineageMismatch(
                "the plan was made against a state that is not this one (this state is empty)",
                detail=(
                    f"The plan expects state lineage {prior.lineage} at serial {prior.serial}; "
                    f"{location} has never been written."
                ),
                hint="pass the state the plan was made with (--state PATH), or " + REPLAN,
            )
        return Continuation(())
    if prior is not None and meta.lineage != prior.lineage:
        raise LineageMismatch(
            "the plan was made against a different state (another lineage)",
            detail=(
                f"The plan expects lineage {prior.lineage}; {location} has lineage {meta.lineage}."
            ),
            hint="pass the state the plan was made with (--state PATH), or " + REPLAN,
        )
    base = prior.serial if prior is not None else 0
    if meta.serial < base or not _covered(ours, base, meta.serial):
        made = f"serial {base}" if prior is not None else "no state"
        raise StalePlanError(
            f"the plan is stale: the state is at serial {meta.serial} but the plan was made at "
            f"{made} (another run changed it since)",
            detail=f"{location} was written by something other than this plan since it was made.",
            hint=REPLAN,
        )
    return Continuation(ours)


def check_source(header: PlanHeader, fingerprint: str | None) -> None:
    """Refuse when the source data's fingerprint is not the one the plan was made from."""
    if header.source is None or fingerprint is None or header.source.digest == fingerprint:
        return
    raise StalePlanError(
        "the source data changed since the plan was made (records added, removed or edited)",
        detail=(
            f"The plan was made from {header.source.system} data {header.source.digest}; the "
            f"bundle is now {fingerprint}."
        ),
        hint=REPLAN,
    )
