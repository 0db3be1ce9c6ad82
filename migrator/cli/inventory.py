"""``migrator inventory SPEC [--format markdown|json] [-o FILE]``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from migrator import workflows
from migrator.inventory.render import to_json, to_markdown
from migrator.private_files import write_private_atomic


@click.command("inventory")
@click.argument("spec", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="Markdown for the admin, JSON for tools.",
)
@click.option("-o", "--out", type=click.Path(path_type=Path), help="Write to FILE (mode 0600).")
def inventory_command(spec: Path, fmt: str, out: Path | None) -> int:
    """The rebuild inventory of SPEC's bundle: automations, sequences, gamification,
    recall/reminder rules (as workflow JSON) and payment integrations."""
    result = workflows.inventory(spec, environ=dict(os.environ), display_path=str(spec))
    text = to_json(result) if fmt == "json" else to_markdown(result)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_private_atomic(out, text.encode("utf-8"))
        click.echo(f"Wrote {out}")
    return 0
