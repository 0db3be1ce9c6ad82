"""``manifest.json``: what a bundle claims to hold, and the bundle's fingerprint.

The manifest lists every data file with its object, record count and sha256 (sources.md §5.4,
§6.5); CSV mirror files are listed the same way under ``csv/``. The tenant settings sit under
``tenant`` (OplaCRM) or at the top level (AeronaClinic); :class:`Manifest` reads both. The
fingerprint is the digest of the manifest's canonical JSON: equal manifests give equal
fingerprints whatever their whitespace or key order, and any change to a file's bytes changes
it through that file's sha256.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from migrator.errors import SourceError
from migrator.model import FrozenModel, digest

MANIFEST_NAME = "manifest.json"
SUPPORTED_MAJOR = "1"


class ManifestFile(FrozenModel):
    """One data file the manifest vouches for."""

    name: str
    """Path relative to the bundle root (``accounts.jsonl``, ``csv/accounts.csv``)."""
    object: str
    records: int
    """Records in the file: non-blank lines for JSON Lines, data rows for CSV."""
    sha256: str
    """Lower-case hex sha256 of the file's bytes."""

    @property
    def is_csv(self) -> bool:
        """True for a CSV mirror file."""
        return self.name.endswith(".csv")


class ManifestAttachments(FrozenModel):
    """The attachments folder summary: how many files and how many bytes in total."""

    count: int
    total_bytes: int


class Manifest(FrozenModel):
    """The parsed manifest. ``document`` keeps the whole JSON for the fingerprint."""

    source: str
    schema_version: str
    exported_at: str
    timezone: str | None
    currency: str | None
    files: tuple[ManifestFile, ...]
    attachments: ManifestAttachments | None
    document: dict[str, Any]

    @property
    def fingerprint(self) -> str:
        """``sha256:<hex>`` of the canonical manifest: the source data's identity for plans."""
        return digest(self.document)

    def file_for(self, object_name: str, *, csv: bool = False) -> ManifestFile | None:
        """The manifest entry of ``object_name``'s JSON Lines (or CSV mirror) file."""
        for entry in self.files:
            if entry.object == object_name and entry.is_csv == csv:
                return entry
        return None


def _problem(detail: str) -> SourceError:
    return SourceError(
        f"Invalid source bundle manifest: {MANIFEST_NAME}: {detail}",
        hint="Re-export the bundle; the manifest must list every file with its sha256 and count.",
    )


def _file_entry(index: int, item: Any) -> ManifestFile:
    if not isinstance(item, dict):
        raise _problem(f"files[{index}] is not an object")
    name, obj, records, sha = (item.get(k) for k in ("name", "object", "records", "sha256"))
    if not isinstance(name, str) or not name or name.startswith("/") or ".." in name.split("/"):
        raise _problem(f"files[{index}].name must be a relative path inside the bundle")
    if not isinstance(obj, str) or not obj:
        raise _problem(f"files[{index}].object is missing")
    if not isinstance(records, int) or isinstance(records, bool) or records < 0:
        raise _problem(f"files[{index}].records must be a non-negative integer")
    if not isinstance(sha, str) or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise _problem(f"files[{index}].sha256 must be 64 lower-case hex characters")
    return ManifestFile(name=name, object=obj, records=records, sha256=sha)


def _attachments(value: Any) -> ManifestAttachments | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _problem("attachments must be an object {count, total_bytes}")
    count, total = value.get("count"), value.get("total_bytes")
    if not isinstance(count, int) or not isinstance(total, int) or count < 0 or total < 0:
        raise _problem("attachments.count and attachments.total_bytes must be integers")
    return ManifestAttachments(count=count, total_bytes=total)


def parse_manifest(document: Any) -> Manifest:
    """Validate a decoded manifest; raises :class:`SourceError` naming the first problem."""
    if not isinstance(document, dict):
        raise _problem("the manifest must be a JSON object")
    for key in ("source", "schema_version"):
        if not isinstance(document.get(key), str):
            raise _problem(f"`{key}` is missing")
    files = document.get("files")
    if not isinstance(files, list):
        raise _problem("`files` must be a list")
    entries = tuple(_file_entry(i, item) for i, item in enumerate(files))
    names = [e.name for e in entries]
    if len(set(names)) != len(names):
        raise _problem("a file is listed twice")
    tenant_value = document.get("tenant")
    tenant: dict[str, Any] = tenant_value if isinstance(tenant_value, dict) else {}
    timezone = document.get("timezone", tenant.get("timezone"))
    currency = document.get("currency", tenant.get("default_currency"))
    return Manifest(
        source=document["source"],
        schema_version=document["schema_version"],
        exported_at=str(document.get("exported_at", "")),
        timezone=timezone if isinstance(timezone, str) else None,
        currency=currency if isinstance(currency, str) else None,
        files=entries,
        attachments=_attachments(document.get("attachments")),
        document=document,
    )


def read_manifest(root: Path) -> Manifest:
    """Read and validate ``root/manifest.json``."""
    path = root / MANIFEST_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(
            f"Not a source bundle: {root} has no {MANIFEST_NAME}",
            hint="Point the spec's `source.bundle` at the export folder that holds manifest.json.",
        ) from None
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _problem("not valid UTF-8 JSON") from None
    return parse_manifest(document)
