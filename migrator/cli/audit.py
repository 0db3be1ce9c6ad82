"""``migrator audit SPEC [--format text|json] [--offline]``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from migrator import workflows
from migrator.audit.render import to_json, to_text


@click.command("audit")
@click.argument("spec", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text for people, JSON for machines.",
)
@click.option("--offline", is_flag=True, help="Do not ask Twenty (owners, existing records).")
def audit_command(spec: Path, fmt: str, offline: bool) -> int:
    """Pre-flight data-quality report of SPEC's bundle (and its Twenty workspace).

    Exits 1 when records would be quarantined, so CI can gate on it.
    """
    report = workflows.audit(
        spec, environ=dict(os.environ), check_destination=not offline, display_path=str(spec)
    )
    click.echo(to_json(report) if fmt == "json" else to_text(report), nl=False)
    return 1 if report.has_errors else 0
