"""Deterministic synthetic export bundles for OplaCRM and AeronaClinic.

:func:`generate_bundle` writes a complete, valid bundle (JSON Lines, optional CSV mirror,
attachments, manifest) with realistic proportions and a controlled share of dirty data. The same
arguments always give the same bytes: values come from one seeded generator, times count back
from a fixed export instant, and dirt decisions use their own seeded stream so the dirt rate
does not move the clean values. Everything is synthetic (NHS numbers from the 999 test range,
Ofcom drama phone numbers, ``example.*`` emails).
"""

from __future__ import annotations

from pathlib import Path

from migrator.errors import SourceError
from migrator.model import FrozenModel
from migrator.sources.manifest import parse_manifest
from migrator.sources.schema import SYSTEMS

#: The per-run default share of candidate records that carry each kind of defect.
DEFAULT_DIRTY_RATE = 0.02
#: The size used when an oversized attachment is requested without a size (Twenty's 25 MB policy
#: default plus one MiB).
DEFAULT_OVERSIZED_BYTES = 26 * 1024 * 1024


class GenerateResult(FrozenModel):
    """What :func:`generate_bundle` wrote."""

    system: str
    path: str
    seed: int
    records: int
    """Records written across every JSON Lines file."""
    counts: dict[str, int]
    """Records per object."""
    attachments: int
    attachment_bytes: int
    fingerprint: str
    """The bundle fingerprint (digest of its manifest), as ``Bundle.fingerprint`` reports."""
    dirt: dict[str, int]
    """How many records carry each kind of injected defect."""


def generate_bundle(
    system: str,
    out: Path,
    *,
    records: int,
    seed: int,
    with_csv: bool = False,
    dirty_rate: float = DEFAULT_DIRTY_RATE,
    oversized_attachment_bytes: int | None = None,
) -> GenerateResult:
    """Write a synthetic ``system`` bundle of about ``records`` records into ``out``.

    ``out`` must be empty or absent. ``dirty_rate`` 0 gives a clean bundle.
    ``oversized_attachment_bytes`` adds one attachment of that size (never commit it).
    """
    if system not in SYSTEMS:
        raise SourceError(
            f"Unknown source system `{system}`", hint=f"Use one of: {', '.join(SYSTEMS)}."
        )
    if records < 1:
        raise SourceError("The number of records must be at least 1", hint="Pass --records N.")
    if not 0 <= dirty_rate <= 0.5:
        raise SourceError("The dirty rate must be between 0 and 0.5", hint="Pass --dirty-rate.")
    if out.exists() and any(out.iterdir()):
        raise SourceError(
            f"Output folder is not empty: {out}",
            hint="Choose a new folder, or pass --force to replace a generated bundle.",
        )
    if system == "oplacrm":
        from migrator.sources.generator.oplacrm_run import generate_oplacrm as run
    else:
        from migrator.sources.generator.aeronaclinic_run import generate_aeronaclinic as run
    document, dirt = run(out, records, seed, with_csv, dirty_rate, oversized_attachment_bytes)
    manifest = parse_manifest(document)
    counts = {f.object: f.records for f in manifest.files if not f.is_csv}
    attachments = manifest.attachments
    return GenerateResult(
        system=system,
        path=str(out),
        seed=seed,
        records=sum(counts.values()),
        counts=counts,
        attachments=attachments.count if attachments else 0,
        attachment_bytes=attachments.total_bytes if attachments else 0,
        fingerprint=manifest.fingerprint,
        dirt=dict(sorted(dirt.items())),
    )
