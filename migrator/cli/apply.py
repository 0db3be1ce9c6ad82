"""``migrator apply PLANFILE`` or ``migrator apply SPEC [--auto-approve]``.

A saved plan (gzip) runs as it is; a spec is planned first, its summary shown, and applied only
after the user types ``yes`` (without a terminal, only with ``--auto-approve``); ``--sample N``
plans and applies a sample migration of about N related records (:mod:`migrator.sample`).
The destination is printed before anything is written. Progress goes to stderr: a bar per phase
on a terminal (records, rate, ETA at the rate limit), a plain line every few seconds otherwise;
each phase's reconciliation and the run's summary go to stdout.
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from migrator.apply.model import ApplyResult, PhaseReport
from migrator.apply.progress import ProgressSink
from migrator.cli.errors import EXIT_OK
from migrator.errors import UsageError
from migrator.plan.summary import summary_lines
from migrator.state.location import parse_state_location
from migrator.workflows import apply as apply_workflows

PLAIN_EVERY_S = 5.0
GZIP_MAGIC = b"\x1f\x8b"


def _eta(remaining: int, ceiling_per_minute: float) -> str:
    if not math.isfinite(ceiling_per_minute) or ceiling_per_minute <= 0:
        return "-"
    seconds = int(remaining / ceiling_per_minute * 60)
    return f"{seconds // 60}m{seconds % 60:02d}s"


def reconciliation_line(report: PhaseReport) -> str:
    """One phase's row counts, as printed after the phase."""
    c = report.counts
    return (
        f"{c.phase}: source {c.source} = written {c.written} + merged {c.merged} + "
        f"deduplicated {c.deduplicated} + quarantined {c.quarantined} + held {c.held} + "
        f"skipped {c.skipped}"
        + ("" if c.is_balanced else "  (DOES NOT ADD UP)")
        + f"  [{report.requests} requests, {report.seconds:.1f}s]"
    )


class _Phase:
    def __init__(self, total: int, ceiling: float) -> None:
        self.total, self.ceiling, self.done = total, ceiling, 0
        self.started = self.last = time.monotonic()

    def rate_per_minute(self) -> float:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return self.done / elapsed * 60


class TerminalProgress:
    """A rich bar per phase (stderr)."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}/min  ETA {task.fields[eta]}"),
            console=Console(stderr=True),
            transient=False,
        )
        self._tasks: dict[str, tuple[TaskID, _Phase]] = {}
        self._progress.start()

    def note(self, message: str) -> None:
        self._progress.console.print(message, markup=False, highlight=False)

    def phase_started(self, phase: str, total: int, ceiling_per_minute: float) -> None:
        task = self._progress.add_task(phase, total=max(total, 1), rate="0", eta="-")
        self._tasks[phase] = (task, _Phase(total, ceiling_per_minute))

    def advanced(self, phase: str, done: int) -> None:
        task, state = self._tasks[phase]
        state.done += done
        eta = _eta(state.total - state.done, min(state.ceiling, state.rate_per_minute() or 1))
        self._progress.update(
            task, completed=state.done, rate=f"{state.rate_per_minute():,.0f}", eta=eta
        )

    def phase_finished(self, report: PhaseReport) -> None:
        task, _ = self._tasks.get(report.counts.phase, (None, None))
        if task is not None:
            self._progress.update(task, completed=self._progress.tasks[task].total)
        # through the live display's console, so the bars are not drawn twice
        self._progress.console.print(reconciliation_line(report), markup=False, highlight=False)

    def close(self) -> None:
        self._progress.stop()


class PlainProgress:
    """Periodic plain lines (stderr), for logs and CI."""

    def __init__(self) -> None:
        self._phases: dict[str, _Phase] = {}

    def note(self, message: str) -> None:
        click.echo(message, err=True)

    def phase_started(self, phase: str, total: int, ceiling_per_minute: float) -> None:
        self._phases[phase] = _Phase(total, ceiling_per_minute)
        click.echo(f"{phase}: {total} changes", err=True)

    def advanced(self, phase: str, done: int) -> None:
        state = self._phases[phase]
        state.done += done
        now = time.monotonic()
        if now - state.last >= PLAIN_EVERY_S:
            state.last = now
            rate = state.rate_per_minute()
            eta = _eta(state.total - state.done, min(state.ceiling, rate or 1))
            click.echo(
                f"{phase}: {state.done}/{state.total} ({rate:,.0f}/min, ETA {eta})", err=True
            )

    def phase_finished(self, report: PhaseReport) -> None:
        click.echo(reconciliation_line(report))

    def close(self) -> None:
        """Nothing to stop."""


def _is_plan_file(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(2) == GZIP_MAGIC
    except OSError:
        raise UsageError(f"cannot read {path}", hint="pass a saved plan file or a spec") from None


def _confirm(destination: str, auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise UsageError(
            "apply SPEC needs a confirmation and there is no terminal to ask",
            detail="Nothing was written.",
            hint="review the plan and pass --auto-approve, or apply a saved plan file "
            "(`migrator plan SPEC -o FILE`, then `migrator apply FILE`)",
        )
    answer = click.prompt(
        f"Apply this plan to {destination}? Only 'yes' will be accepted", default=""
    )
    if answer.strip() != "yes":
        raise UsageError("apply cancelled", detail="Nothing was written.")


def _summary(result: ApplyResult) -> str:
    quarantined = sum(p.counts.quarantined for p in result.phases)
    held = sum(p.counts.held for p in result.phases)
    return (
        f"Apply complete{' (resumed)' if result.resumed else ''}: the migration now holds "
        f"{result.written} records written or merged, {quarantined} quarantined, {held} held; "
        f"this run sent {result.requests} data requests in {result.seconds:.1f}s "
        f"(run {result.run_id}, state serial {result.serial})."
        f"\nAudit log: {result.audit_log}"
    )


@click.command("apply")
@click.argument("target", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--auto-approve", is_flag=True, help="Apply a spec's plan without asking.")
@click.option(
    "--state",
    "state_path",
    metavar="PATH|URI",
    envvar="MIGRATOR_STATE",
    help="The state (default: where the plan's spec keeps it).",
)
@click.option(
    "--audit-log",
    type=click.Path(path_type=Path, dir_okay=False),
    help="JSON Lines audit log (default: .migrator/<name>.audit.jsonl beside the state).",
)
@click.option(
    "--lock-timeout",
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds to wait for the lock.",
)
@click.option("--expect-digest", help="Refuse a plan file whose sha256 differs.")
@click.option(
    "--sample",
    type=click.IntRange(min=1),
    metavar="N",
    help="Apply a sample migration of SPEC: about N records, related records together.",
)
def apply_command(
    target: Path,
    auto_approve: bool,
    state_path: str | None,
    audit_log: Path | None,
    lock_timeout: float,
    expect_digest: str | None,
    sample: int | None,
) -> int:
    """Apply a saved plan (PLANFILE), or plan SPEC, show it and apply it after confirmation."""
    environ = dict(os.environ)
    plan_path = target
    is_plan = _is_plan_file(target)
    if expect_digest and not is_plan:
        raise UsageError(
            f"--expect-digest names a plan file's sha256, and {target} is not a plan file",
            detail="Nothing was planned or written.",
            hint="pass the approved plan file itself: migrator apply --expect-digest SHA256 FILE",
        )
    if sample is not None and is_plan:
        raise UsageError(
            "--sample goes with a spec; a saved plan is applied as it was made",
            detail="Nothing was written.",
            hint="make the sample plan with `migrator plan SPEC --sample N -o FILE`, "
            "then `migrator apply FILE`",
        )
    if not is_plan:
        planned = apply_workflows.plan_for_apply(
            target, environ=environ, display_path=str(target), sample=sample
        )
        click.echo("\n".join(summary_lines(planned.header)))
        if not planned.header.has_changes or planned.path is None:
            click.echo("No changes: nothing to apply.")
            return EXIT_OK
        _confirm(planned.header.destination.base_url, auto_approve)
        plan_path = planned.path
    progress: TerminalProgress | PlainProgress = (
        TerminalProgress() if sys.stderr.isatty() else PlainProgress()
    )
    sink: ProgressSink = progress
    try:
        result = apply_workflows.apply_plan_file(
            plan_path,
            environ=environ,
            state_path=parse_state_location(state_path) if state_path else None,
            audit_path=audit_log,
            expect_digest=expect_digest,
            lock_timeout=lock_timeout,
            progress=sink,
        )
    finally:
        progress.close()
    click.echo(_summary(result))
    return EXIT_OK
