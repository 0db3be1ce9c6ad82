"""``migrator plan SPEC [-o FILE] [--format text|markdown|json] [--target MAPPING]… [--refresh]
[--destroy] [--sample N] [--detailed-exitcode]``; ``--destroy`` plans the rollback from the state
(:func:`migrator.workflows.destroy.plan_destroy`) and lists what users changed since; ``--sample
N`` plans a sample migration of about N related records (:mod:`migrator.sample`)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from migrator import workflows
from migrator.cli.destroy import conflict_text
from migrator.cli.errors import EXIT_CHANGES, EXIT_OK
from migrator.errors import UsageError
from migrator.plan.planfile import iter_plan_outcomes, iter_record_changes
from migrator.render.views import PLAN_FORMATS, PlanFormat, render_plan


@click.command("plan")
@click.argument("spec", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), help="Save the plan for apply.")
@click.option(
    "--target", "targets", multiple=True, help="Only this mapping and what it needs (repeatable)."
)
@click.option("--refresh", is_flag=True, help="Read back every record migrator wrote (drift).")
@click.option(
    "--destroy", is_flag=True, help="Plan the rollback of everything the state says was written."
)
@click.option(
    "--sample",
    type=click.IntRange(min=1),
    metavar="N",
    help="Plan a sample migration: about N records of every mapping, related records together.",
)
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 0 with no changes, 2 with changes, 1 on error."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(PLAN_FORMATS),
    default="text",
    show_default=True,
    help="text (a terminal), markdown (a pull-request comment) or json (the plan document).",
)
def plan_command(
    spec: Path,
    out: Path | None,
    targets: tuple[str, ...],
    refresh: bool,
    destroy: bool,
    sample: int | None,
    detailed_exitcode: bool,
    fmt: PlanFormat,
) -> int:
    """Compute what applying SPEC would change in Twenty, and optionally save it."""
    if destroy and sample is not None:
        raise UsageError(
            "--destroy and --sample do not go together",
            hint="a destroy removes whatever the state holds, a sample included: "
            "migrator plan SPEC --destroy",
        )

    def announce(requests: int) -> None:
        click.echo(f"--refresh reads back the state's records: {requests} requests.", err=True)

    # The views stream record changes from a plan file: an unsaved plan goes to a private
    # scratch file, removed after it is shown (and named by no digest, as it cannot be applied).
    with tempfile.TemporaryDirectory(prefix="migrator-plan-") as scratch:
        path = out if out is not None else Path(scratch) / "unsaved.plan"
        if destroy:
            result, conflicts = workflows.plan_destroy(spec, environ=dict(os.environ), out=path)
            click.echo(conflict_text(conflicts), err=True)
        else:
            result = workflows.plan(
                spec,
                environ=dict(os.environ),
                out=path,
                targets=targets,
                refresh=refresh,
                on_refresh_budget=announce,
                display_path=str(spec),
                sample=sample,
            )
        mermaid = None
        if fmt == "markdown":
            mermaid = workflows.graph(
                spec, environ=dict(os.environ), targets=targets, display_path=str(spec)
            )
        color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        sha256 = result.sha256 if out is not None else None
        changes = iter_record_changes(path)
        for chunk in render_plan(
            fmt,
            result.header,
            changes,
            color=color,
            plan_sha256=sha256,
            mermaid=mermaid,
            outcomes=iter_plan_outcomes(path),
        ):
            click.echo(chunk, nl=False)
    if out is not None:
        click.echo(f"\nSaved the plan to {out} (sha256 {result.sha256}).", err=True)
        click.echo(f"Apply it with: migrator apply {out}", err=True)
    if detailed_exitcode and result.header.has_changes:
        return EXIT_CHANGES
    return EXIT_OK
