"""``migrator destroy SPEC [--auto-approve] [--force] [-o PLANFILE]``.

Plans the rollback from the state, lists what users changed since the migration (and refuses,
without ``--force``, when there is anything), shows the plan with its request count, asks for
``yes`` (without a terminal, only with ``--auto-approve``), and runs it through apply's executor.
Progress goes to stderr, the reconciliation and summary to stdout.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from migrator.cli.apply import PlainProgress, TerminalProgress
from migrator.cli.errors import EXIT_OK
from migrator.destroy.conflicts import ConflictReport
from migrator.errors import UsageError
from migrator.plan.model import PlanHeader
from migrator.plan.summary import summary_lines
from migrator.workflows.destroy import destroy


def conflict_text(conflicts: ConflictReport) -> str:
    """What users changed since the migration, or that they changed nothing."""
    if not conflicts.conflicts:
        return f"Users changed nothing a destroy would undo ({conflicts.reads} read requests)."
    head = f"Users changed {len(conflicts.conflicts)} thing(s) a destroy would undo or break:"
    return "\n".join([head, *conflicts.lines()])


def _confirmer(auto_approve: bool) -> Callable[[PlanHeader, ConflictReport], None]:
    def confirm(header: PlanHeader, conflicts: ConflictReport) -> None:
        click.echo("\n".join(summary_lines(header)))
        budget = header.budget
        kinds = ", ".join(f"{k} {v}" for k, v in budget.requests.items())
        click.echo(f"Requests: {budget.total_requests} ({kinds}).")
        click.echo(conflict_text(conflicts), err=True)
        if auto_approve or not header.has_changes:
            return
        if not sys.stdin.isatty():
            raise UsageError(
                "destroy needs a confirmation and there is no terminal to ask",
                detail="Nothing was written.",
                hint="review the plan (`migrator plan --destroy SPEC`) and pass --auto-approve",
            )
        answer = click.prompt(
            f"Destroy everything this migration wrote to {header.destination.base_url}? "
            "Only 'yes' will be accepted",
            default="",
        )
        if answer.strip() != "yes":
            raise UsageError("destroy cancelled", detail="Nothing was written.")

    return confirm


@click.command("destroy")
@click.argument("spec", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--auto-approve", is_flag=True, help="Destroy without asking.")
@click.option("--force", is_flag=True, help="Destroy even when users changed things since.")
@click.option(
    "-o", "--out", type=click.Path(path_type=Path), help="Where to save the destroy plan."
)
def destroy_command(spec: Path, auto_approve: bool, force: bool, out: Path | None) -> int:
    """Remove everything the migration wrote and put back what it changed."""
    progress = TerminalProgress() if sys.stderr.isatty() else PlainProgress()
    try:
        result = destroy(
            spec,
            environ=dict(os.environ),
            force=force,
            plan_path=out,
            confirm=_confirmer(auto_approve),
            progress=progress,
        )
    finally:
        progress.close()
    if result.applied is None:
        click.echo("Nothing to destroy: the state holds nothing migrator wrote.")
        return EXIT_OK
    applied = result.applied
    deleted = sum(p.deleted for p in applied.phases)
    click.echo(
        f"Destroy complete: {deleted} records destroyed or put back, "
        f"{applied.schema_report.deleted} schema resources removed; {applied.requests} data "
        f"requests in {applied.seconds:.1f}s (run {applied.run_id}, state serial "
        f"{applied.serial}).\nAudit log: {applied.audit_log}"
    )
    return EXIT_OK
