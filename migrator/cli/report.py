"""``migrator report SPEC [--format markdown|json] [--state PATH] [-o FILE]``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from migrator import workflows
from migrator.private_files import write_private_atomic
from migrator.report.render import to_json, to_markdown
from migrator.state.location import parse_state_location


@click.command("report")
@click.argument("spec", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="Markdown for the customer, JSON for tools.",
)
@click.option("--state", "state", help="Another state: a file, or postgresql://…?schema=NAME.")
@click.option("-o", "--out", type=click.Path(path_type=Path), help="Write to FILE (mode 0600).")
def report_command(spec: Path, fmt: str, state: str | None, out: Path | None) -> int:
    """The hand-off report of SPEC: reconciliation per run and phase, quarantine, owner queue,
    locked records, joint opportunities, renumbered invoices, care plans, lossy mappings."""
    location = parse_state_location(state) if state else None
    result = workflows.report(
        spec, environ=dict(os.environ), state=location, display_path=str(spec)
    )
    text = to_json(result) if fmt == "json" else to_markdown(result)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_private_atomic(out, text.encode("utf-8"))
        click.echo(f"Wrote {out}")
    return 0
