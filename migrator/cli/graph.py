"""``migrator graph SPEC [--format mermaid|dot] [--target MAPPING]…``."""

from __future__ import annotations

import os
from pathlib import Path

import click

from migrator import workflows


@click.command("graph")
@click.argument("spec", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="Mermaid (for pull requests) or Graphviz DOT.",
)
@click.option("--target", "targets", multiple=True, help="Only this mapping and what it needs.")
def graph_command(spec: Path, fmt: str, targets: tuple[str, ...]) -> int:
    """Print the dependency graph of SPEC: schema, record phases, links and targets in order."""
    text = workflows.graph(
        spec,
        environ=dict(os.environ),
        fmt="dot" if fmt == "dot" else "mermaid",
        targets=targets,
        display_path=str(spec),
    )
    click.echo(text, nl=False)
    return 0
