"""``migrator init --source oplacrm|aeronaclinic BUNDLE [-o FILE] [--force]``."""

from __future__ import annotations

from pathlib import Path

import click

from migrator import workflows
from migrator.sources.schema import SYSTEMS

LOW_CONFIDENCE = 0.7


@click.command("init")
@click.option("--source", "system", type=click.Choice(list(SYSTEMS)), required=True)
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), help="Write the spec to FILE.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
def init_command(system: str, bundle: Path, out: Path | None, force: bool) -> int:
    """Propose a starter migration spec from BUNDLE: the standard map for known objects and a
    commented guess (type, name, confidence) for every other field."""
    proposal = workflows.init(system, bundle, out=out, force=force)
    if out is None:
        click.echo(proposal.text, nl=False)
        return 0
    low = sum(1 for f in proposal.fields if f.guessed and f.confidence < LOW_CONFIDENCE)
    click.echo(
        f"Wrote {out}: {len(proposal.fields)} custom fields proposed, {low} guesses below "
        f"{LOW_CONFIDENCE} confidence. Review the `guess:` comments, then run "
        f"`migrator validate {out}`."
    )
    return 0
