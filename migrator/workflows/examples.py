"""``migrator examples generate``: write a deterministic synthetic source bundle.

Wraps :func:`migrator.sources.generator.generate_bundle` with the one piece of file handling the
command needs: ``force`` replaces a bundle this generator wrote before (recognised by its
manifest's ``generator`` section), and refuses to touch any other folder content.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from migrator.errors import SourceError
from migrator.sources.generator import DEFAULT_DIRTY_RATE, GenerateResult, generate_bundle
from migrator.sources.manifest import MANIFEST_NAME

_BUNDLE_DIRS = ("csv", "attachments")


def _is_generated_bundle(folder: Path) -> bool:
    try:
        document = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    marker = document.get("generator") if isinstance(document, dict) else None
    return isinstance(marker, dict) and marker.get("synthetic") is True


def _clear_generated_bundle(folder: Path) -> None:
    """Remove what a previous generation wrote; refuse if anything else is there."""
    if not _is_generated_bundle(folder):
        raise SourceError(
            f"Refusing to replace {folder}: it is not a bundle this generator wrote",
            hint="Choose an empty or new --out folder.",
        )
    for entry in folder.iterdir():
        expected = entry.name == MANIFEST_NAME or entry.suffix == ".jsonl"
        if not (expected and entry.is_file()) and entry.name not in _BUNDLE_DIRS:
            raise SourceError(
                f"Refusing to replace {folder}: it holds {entry.name}, which the generator "
                "does not write",
                hint="Move that file away, or choose another --out folder.",
            )
    for entry in folder.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def generate_example(
    system: str,
    out: Path,
    *,
    records: int,
    seed: int,
    with_csv: bool = False,
    dirty_rate: float = DEFAULT_DIRTY_RATE,
    oversized_attachment_bytes: int | None = None,
    force: bool = False,
) -> GenerateResult:
    """Generate a synthetic ``system`` bundle of about ``records`` records into ``out``.

    The same arguments always give the same bytes. ``force`` replaces a previously generated
    bundle in ``out``.
    """
    if force and out.is_dir() and any(out.iterdir()):
        _clear_generated_bundle(out)
    return generate_bundle(
        system,
        out,
        records=records,
        seed=seed,
        with_csv=with_csv,
        dirty_rate=dirty_rate,
        oversized_attachment_bytes=oversized_attachment_bytes,
    )
