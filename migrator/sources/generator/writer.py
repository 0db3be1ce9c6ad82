"""Writing a bundle: JSON Lines files, their CSV mirror, attachments and ``manifest.json``.

:class:`BundleWriter` streams records into buffered, owner-only files while hashing and counting
them, so a million-record bundle never sits in memory, and writes the manifest last from what it
actually wrote. Output depends only on the records given: the same records give the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from migrator.private_files import FILE_MODE, ensure_private_dir
from migrator.sources.manifest import MANIFEST_NAME
from migrator.sources.schema_types import SourceObject, SourceSchema, SourceType

BUFFER = 1 << 20


def _dumps(value: Any) -> str:
    """Compact JSON text without ASCII escaping (for CSV cells)."""
    return orjson.dumps(value).decode("utf-8")


def _open_private_binary(path: Path) -> IO[bytes]:
    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    return os.fdopen(fd, "wb", buffering=BUFFER)


def csv_columns(obj: SourceObject, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The CSV mirror header: declared fields (object parts flattened with ``__``), then
    ``extra`` columns (already flattened). Reader-derived ``custom_fields`` is left out."""
    columns: list[str] = []
    for f in obj.fields:
        if f.name == "custom_fields":
            continue
        if f.type is SourceType.OBJECT and f.subfields:
            columns.extend(f"{f.name}__{part.name}" for part in f.subfields)
        else:
            columns.append(f.name)
    return (*columns, *extra)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        return _dumps(value)
    return str(value)


def _flatten(record: dict[str, Any], nested: frozenset[str]) -> dict[str, str]:
    row: dict[str, str] = {}
    for key, value in record.items():
        if key in nested and isinstance(value, dict):
            for part, sub in _walk(key, value):
                row[part] = _cell(sub)
        else:
            row[key] = _cell(value)
    return row


def _walk(prefix: str, node: dict[str, Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in node.items():
        if isinstance(value, dict) and value:
            out.extend(_walk(f"{prefix}__{key}", value))
        else:
            out.append((f"{prefix}__{key}", value))
    return out


@dataclass
class _Stream:
    """One open output file with its running hash and record count."""

    name: str
    object: str
    handle: IO[bytes]
    hasher: Any = field(default_factory=hashlib.sha256)
    records: int = 0
    pending: list[bytes] = field(default_factory=list)

    def flush(self) -> None:
        if self.pending:
            data = b"".join(self.pending)
            self.pending.clear()
            self.hasher.update(data)
            self.handle.write(data)


@dataclass
class _CsvStream:
    """A CSV mirror file: header, flattening rules and the underlying byte stream."""

    stream: _Stream
    columns: tuple[str, ...]
    nested: frozenset[str]
    buffer: io.StringIO = field(default_factory=io.StringIO)
    writer: Any = None

    def __post_init__(self) -> None:
        self.writer = csv.DictWriter(
            self.buffer, fieldnames=self.columns, lineterminator="\r\n", extrasaction="raise"
        )
        self.writer.writeheader()


class BundleWriter:
    """Streams one bundle to ``root``. Call :meth:`write` per record, then :meth:`close`.

    ``csv_extra`` names, per object, flattened columns beyond the schema's that the CSV mirror
    must carry (unknown keys the generator emits on purpose).
    """

    FLUSH_EVERY = 2000

    def __init__(
        self,
        root: Path,
        schema: SourceSchema,
        *,
        with_csv: bool,
        csv_extra: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.root = root
        self.schema = schema
        self.with_csv = with_csv
        self.csv_extra = csv_extra or {}
        self._jsonl: dict[str, _Stream] = {}
        self._csv: dict[str, _CsvStream] = {}
        self.attachment_count = 0
        self.attachment_bytes = 0
        ensure_private_dir(root)

    def write(self, object_name: str, record: dict[str, Any]) -> None:
        """Append one record to ``object_name``'s file (and its CSV mirror)."""
        stream = self._jsonl.get(object_name) or self._open(object_name)
        stream.pending.append(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
        stream.records += 1
        if len(stream.pending) >= self.FLUSH_EVERY:
            stream.flush()
        if self.with_csv:
            mirror = self._csv[object_name]
            mirror.writer.writerow(_flatten(record, mirror.nested))
            mirror.stream.records += 1
            if mirror.stream.records % self.FLUSH_EVERY == 0:
                self._drain_csv(mirror)

    def write_attachment(self, data: bytes, extension: str) -> tuple[str, str]:
        """Store an attachment under ``attachments/<2 hex>/<sha256>.<ext>``; return
        ``(sha256, relative_path)``. Identical content is stored once."""
        sha = hashlib.sha256(data).hexdigest()
        relative = f"attachments/{sha[:2]}/{sha}.{extension}"
        path = self.root / relative
        ensure_private_dir(self.root / "attachments")
        if not path.exists():
            with _open_private_binary(path) as handle:
                handle.write(data)
            self.attachment_count += 1
            self.attachment_bytes += len(data)
        return sha, relative

    def close(self, header: dict[str, Any]) -> dict[str, Any]:
        """Flush and close every file, write ``manifest.json`` (``header`` plus ``files`` and
        ``attachments``), and return the manifest document."""
        files: list[dict[str, Any]] = []
        streams = [*self._jsonl.values(), *(m.stream for m in self._csv.values())]
        for mirror in self._csv.values():
            self._drain_csv(mirror)
        order = {name: i for i, name in enumerate(self.schema.object_names)}
        for stream in sorted(streams, key=lambda s: (s.name.startswith("csv/"), order[s.object])):
            stream.flush()
            stream.handle.close()
            files.append(
                {
                    "name": stream.name,
                    "object": stream.object,
                    "records": stream.records,
                    "sha256": stream.hasher.hexdigest(),
                }
            )
        manifest = {**header, "files": files}
        manifest["attachments"] = {
            "count": self.attachment_count,
            "total_bytes": self.attachment_bytes,
        }
        with _open_private_binary(self.root / MANIFEST_NAME) as handle:
            text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
            handle.write(text.encode("utf-8"))
        return manifest

    def _open(self, object_name: str) -> _Stream:
        obj = self.schema.object(object_name)
        if obj is None:
            raise ValueError(f"unknown object {object_name}")
        stream = _Stream(obj.file, object_name, _open_private_binary(self.root / obj.file))
        self._jsonl[object_name] = stream
        if self.with_csv:
            columns = csv_columns(obj, self.csv_extra.get(object_name, ()))
            nested = frozenset(c.split("__", 1)[0] for c in columns if "__" in c)
            handle = _open_private_binary(self.root / obj.csv_file)
            self._csv[object_name] = _CsvStream(
                _Stream(obj.csv_file, object_name, handle), columns, nested
            )
        return stream

    @staticmethod
    def _drain_csv(mirror: _CsvStream) -> None:
        text = mirror.buffer.getvalue()
        mirror.buffer.seek(0)
        mirror.buffer.truncate()
        mirror.stream.pending.append(text.encode("utf-8"))
        mirror.stream.flush()
