"""Proving a bundle is exactly what its manifest says, before anything is planned from it.

:func:`verify_bundle` checks, file by file in manifest order: the file exists, every line is
UTF-8 and one complete JSON object (CSV: every row has the header's width), the record count and
the sha256 match the manifest; then every file in ``attachments/`` hashes to the sha256 in its
name, and their number and total size match the manifest. The first problem raises one
:class:`~migrator.errors.SourceError` naming the file (and line, when there is one).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from migrator.errors import SourceError
from migrator.model import FrozenModel
from migrator.sources.lines import CHUNK_SIZE, corrupt, iter_csv, iter_jsonl
from migrator.sources.manifest import Manifest, ManifestFile

ATTACHMENTS_DIR = "attachments"


class VerifiedFile(FrozenModel):
    """One data file as verified."""

    name: str
    object: str
    records: int
    bytes: int


class VerifyReport(FrozenModel):
    """What verification proved: the data files, and the attachments folder's totals."""

    files: tuple[VerifiedFile, ...]
    attachment_count: int
    attachment_bytes: int
    largest_attachment_bytes: int


def hash_file(path: Path) -> tuple[str, int]:
    """``(sha256 hex, size)`` of a file, read in large chunks."""
    hasher = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            hasher.update(chunk)
            size += len(chunk)
    return hasher.hexdigest(), size


def _verify_file(root: Path, entry: ManifestFile) -> VerifiedFile:
    path = root / entry.name
    if not path.is_file():
        raise SourceError(
            f"Corrupt source bundle: {entry.name}: named in the manifest but missing",
            hint="Re-export the bundle, or restore the missing file; nothing was planned.",
        )
    rows = iter_csv(path, entry.name) if entry.is_csv else iter_jsonl(path, entry.name)
    records = sum(1 for _ in rows)
    sha, size = hash_file(path)
    if sha != entry.sha256:
        raise corrupt(entry.name, 0, "sha256 does not match the manifest (the file was changed)")
    if records != entry.records:
        raise corrupt(
            entry.name, 0, f"the manifest says {entry.records} records, the file holds {records}"
        )
    return VerifiedFile(name=entry.name, object=entry.object, records=records, bytes=size)


def _verify_attachments(root: Path, manifest: Manifest) -> tuple[int, int, int]:
    folder = root / ATTACHMENTS_DIR
    count = total = largest = 0
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    for path in files:
        display = path.relative_to(root).as_posix()
        expected = path.name.split(".", 1)[0]
        sha, size = hash_file(path)
        if sha != expected:
            raise corrupt(display, 0, "attachment content does not match the sha256 in its name")
        count += 1
        total += size
        largest = max(largest, size)
    stated = manifest.attachments
    if stated is not None and (stated.count, stated.total_bytes) != (count, total):
        raise corrupt(
            ATTACHMENTS_DIR + "/",
            0,
            f"the manifest lists {stated.count} attachments ({stated.total_bytes} bytes), "
            f"the folder holds {count} ({total} bytes)",
        )
    return count, total, largest


def verify_bundle(root: Path, manifest: Manifest) -> VerifyReport:
    """Verify every file of the bundle at ``root`` against ``manifest`` (see module doc)."""
    verified = tuple(_verify_file(root, entry) for entry in manifest.files)
    count, total, largest = _verify_attachments(root, manifest)
    return VerifyReport(
        files=verified,
        attachment_count=count,
        attachment_bytes=total,
        largest_attachment_bytes=largest,
    )
