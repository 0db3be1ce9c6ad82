"""``migrator delta SPEC [-o FILE] [--auto-approve] [--refresh] [--overwrite-drift]``.

Plans what changed in the source since the last apply and shows it. With ``-o`` the plan is
saved for review and ``migrator apply FILE``; without, it is applied after the user types
``yes`` (without a terminal, only with ``--auto-approve``). An unchanged source prints "No
changes" and sends no write request.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from migrator.cli.apply import PlainProgress, TerminalProgress
from migrator.cli.errors import EXIT_OK
from migrator.errors import UsageError
from migrator.plan.summary import summary_lines
from migrator.workflows.delta import apply_delta, plan_delta


def _confirm(destination: str, auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise UsageError(
            "delta needs a confirmation and there is no terminal to ask",
            detail="Nothing was written.",
            hint="review the plan and pass --auto-approve, or save it with -o FILE and run "
            "`migrator apply FILE`",
        )
    answer = click.prompt(
        f"Apply this delta to {destination}? Only 'yes' will be accepted", default=""
    )
    if answer.strip() != "yes":
        raise UsageError("delta cancelled", detail="Nothing was written.")


@click.command("delta")
@click.argument("spec", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("-o", "--out", type=click.Path(path_type=Path), help="Save the plan, do not apply.")
@click.option("--auto-approve", is_flag=True, help="Apply without asking.")
@click.option("--refresh", is_flag=True, help="Read back what migrator wrote to find drift.")
@click.option(
    "--overwrite-drift", is_flag=True, help="Write the source back over records edited in Twenty."
)
def delta_command(
    spec: Path, out: Path | None, auto_approve: bool, refresh: bool, overwrite_drift: bool
) -> int:
    """Plan and apply what changed in the source since the last apply."""

    def announce(requests: int) -> None:
        click.echo(f"--refresh reads back the state's records: {requests} requests.", err=True)

    environ = dict(os.environ)
    planned = plan_delta(
        spec,
        environ=environ,
        out=out,
        refresh=refresh,
        overwrite_drift=overwrite_drift,
        on_refresh_budget=announce,
    )
    click.echo("\n".join(summary_lines(planned.header)))
    for warning in planned.header.warnings:
        if warning.code.startswith(("drift_conflict", "source_deleted")):
            click.echo(f"{warning.message}: {warning.count}", err=True)
    if not planned.header.has_changes or planned.path is None:
        click.echo("No changes: the source is as it was at the last apply.")
        return EXIT_OK
    if out is not None:
        click.echo(f"Saved the delta plan to {out} (sha256 {planned.sha256}).", err=True)
        click.echo(f"Apply it with: migrator apply {out}", err=True)
        return EXIT_OK
    _confirm(planned.header.destination.base_url, auto_approve)
    progress = TerminalProgress() if sys.stderr.isatty() else PlainProgress()
    try:
        result = apply_delta(planned.path, environ=environ, progress=progress)
    finally:
        progress.close()
    click.echo(
        f"Delta complete: {sum(p.created + p.updated for p in result.phases)} records written, "
        f"{sum(p.deleted for p in result.phases)} deleted or put back; {result.requests} data "
        f"requests in {result.seconds:.1f}s (run {result.run_id}, state serial {result.serial})."
    )
    return EXIT_OK
