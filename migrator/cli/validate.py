"""``migrator validate SPEC``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from migrator import workflows


@click.command("validate")
@click.argument("spec", type=click.Path(path_type=Path))
def validate_command(spec: Path) -> int:
    """Check SPEC and print every problem as FILE:LINE:COL: error: MESSAGE."""
    result = workflows.validate(spec, environ=dict(os.environ), display_path=str(spec))
    for diagnostic in result.diagnostics:
        click.echo(diagnostic.render())
    status = "valid" if result.is_valid else "invalid"
    click.echo(f"{result.display_path}: {status} ({result.diagnostics.summary_line()})")
    return 0 if result.is_valid else 1
