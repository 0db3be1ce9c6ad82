"""``migrator verify SPEC [--sample N] [--format text|json]``: exit 1 on any unexpected difference.

The read budget goes to stderr before anything is read; the report to stdout.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import click

from migrator.cli.errors import EXIT_ERROR, EXIT_OK
from migrator.model import canonical_json
from migrator.verify.render import render_text
from migrator.workflows.verify import verify


@click.command("verify")
@click.argument("spec", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--sample", type=int, help="Read back about N records instead of all.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def verify_command(spec: Path, sample: int | None, fmt: Literal["text", "json"]) -> int:
    """Read back what the migration wrote and compare it with the source, field by field."""

    def announce(requests: int) -> None:
        click.echo(f"verify reads Twenty: {requests} read requests.", err=True)

    report = verify(
        spec, environ=dict(os.environ), sample=sample, on_budget=announce, display_path=str(spec)
    )
    if fmt == "json":
        document = report.model_dump(mode="json") | {"ok": report.ok}
        click.echo(canonical_json(document, indent=2))
    else:
        click.echo(render_text(report), nl=False)
    return EXIT_OK if report.ok else EXIT_ERROR
