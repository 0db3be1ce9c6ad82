"""``migrator examples generate oplacrm|aeronaclinic --records N --seed S --out DIR``."""

from __future__ import annotations

from pathlib import Path

import click

from migrator.sources.generator import DEFAULT_DIRTY_RATE, DEFAULT_OVERSIZED_BYTES
from migrator.sources.schema import SYSTEMS
from migrator.workflows.examples import generate_example


@click.group("examples")
def examples_group() -> None:
    """Synthetic example data."""


@examples_group.command("generate")
@click.argument("system", type=click.Choice(SYSTEMS))
@click.option("--records", type=click.IntRange(min=1), required=True, help="About how many.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True)
@click.option("--csv/--no-csv", "with_csv", default=False, help="Also write the CSV mirror.")
@click.option(
    "--dirty-rate",
    type=click.FloatRange(0, 0.5),
    default=DEFAULT_DIRTY_RATE,
    show_default=True,
    help="Share of candidate records per defect kind (0: a clean bundle).",
)
@click.option(
    "--oversized-attachment-mb",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help=f"Add one attachment of this size (default policy test: "
    f"{DEFAULT_OVERSIZED_BYTES // 2**20} MB). Never commit it.",
)
@click.option("--force", is_flag=True, help="Replace a bundle this command generated before.")
def generate_command(
    system: str,
    records: int,
    seed: int,
    out: Path,
    with_csv: bool,
    dirty_rate: float,
    oversized_attachment_mb: float | None,
    force: bool,
) -> None:
    """Write a deterministic synthetic SYSTEM export bundle into --out."""
    oversized = None if oversized_attachment_mb is None else int(oversized_attachment_mb * 2**20)
    result = generate_example(
        system,
        out,
        records=records,
        seed=seed,
        with_csv=with_csv,
        dirty_rate=dirty_rate,
        oversized_attachment_bytes=oversized,
        force=force,
    )
    click.echo(
        f"Wrote {result.records} {system} records in {len(result.counts)} files"
        f" and {result.attachments} attachments ({result.attachment_bytes} bytes) to {out}"
    )
    click.echo(f"Fingerprint: {result.fingerprint}")
    if result.dirt:
        kinds = ", ".join(f"{kind} {count}" for kind, count in result.dirt.items())
        click.echo(f"Dirty data: {kinds}")
