"""``migrator plan SPEC [-o FILE] [--target MAPPING]… [--refresh] [--detailed-exitcode]``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from migrator import workflows
from migrator.cli.errors import EXIT_CHANGES, EXIT_OK
from migrator.plan.summary import summary_lines


@click.command("plan")
@click.argument("spec", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), help="Save the plan for apply.")
@click.option(
    "--target", "targets", multiple=True, help="Only this mapping and what it needs (repeatable)."
)
@click.option("--refresh", is_flag=True, help="Read back every record migrator wrote (drift).")
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 0 with no changes, 2 with changes, 1 on error."
)
def plan_command(
    spec: Path, out: Path | None, targets: tuple[str, ...], refresh: bool, detailed_exitcode: bool
) -> int:
    """Compute what applying SPEC would change in Twenty, and optionally save it."""

    def announce(requests: int) -> None:
        click.echo(f"--refresh reads back the state's records: {requests} requests.", err=True)

    result = workflows.plan(
        spec,
        environ=dict(os.environ),
        out=out,
        targets=targets,
        refresh=refresh,
        on_refresh_budget=announce,
        display_path=str(spec),
    )
    click.echo("\n".join(summary_lines(result.header)))
    if result.path is not None:
        click.echo(f"\nSaved the plan to {result.path} (sha256 {result.sha256}).")
        click.echo(f"Apply it with: migrator apply {result.path}")
    if detailed_exitcode and result.header.has_changes:
        return EXIT_CHANGES
    return EXIT_OK
