"""The plan file: one deterministic, versioned, compressed document.

Layout (gzip of UTF-8 JSON Lines, every line canonical JSON):

1. ``{"migrator_plan": <format_version>, "header": {...}}`` — the :class:`PlanHeader`;
2. one line per :class:`RecordChange`, in apply order;
3. ``{"end": {"record_changes": N, "lines_sha256": "..."}}`` — so a truncated or edited file is
   refused rather than half-applied.

The gzip stream carries no file name and no modification time, so the same plan gives the same
bytes; :func:`plan_file_sha256` is what an approval names (``apply --expect-digest``). Files are
created 0600.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import orjson

from migrator import __version__
from migrator.errors import PlanError
from migrator.model import canonical_json, sha256_hex
from migrator.plan.model import PLAN_FORMAT_VERSION, PlanHeader, RecordChange
from migrator.private_files import ensure_private_dir

_COMPRESS_LEVEL = 6


def change_line(change: RecordChange) -> bytes:
    """The file line of one change: ``canonical_json(change.model_dump(mode="json",
    exclude_defaults=True))`` and a newline, as UTF-8, made fast.

    The common case (no field differences) is encoded with orjson, which writes exactly the
    canonical bytes for text-only objects with sorted keys; changes with field differences (whose
    values may be floats the two encoders spell differently) take the canonical path.
    """
    if change.field_diffs:
        text = canonical_json(change.model_dump(mode="json", exclude_defaults=True))
        return (text + "\n").encode("utf-8")
    data: dict[str, str] = {
        "action": change.action.value,
        "address": change.address,
        "mapping": change.mapping,
        "payload_digest": change.payload_digest,
        "phase": change.phase,
        "reason": change.reason,
        "source_key": change.source_key,
        "twenty_id": change.twenty_id,
        "twenty_object": change.twenty_object,
    }
    if change.existing_id is not None:
        data["existing_id"] = change.existing_id
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)


def _major_minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


class PlanWriter:
    """Builder for a plan file: add record changes as they are computed, then finish.

    Changes are spooled to a private temporary file (constant memory); :meth:`finish` writes the
    header (with the final count) followed by the spooled lines into the destination atomically.
    """

    def __init__(self, spool_dir: Path | None = None) -> None:
        directory = ensure_private_dir(spool_dir) if spool_dir else None
        fd, name = tempfile.mkstemp(prefix=".plan-spool-", suffix=".jsonl", dir=directory)  # 0600
        self._spool_path = Path(name)
        self._spool: IO[bytes] = os.fdopen(fd, "wb")
        self._lines = hashlib.sha256()
        self.count = 0

    def add(self, change: RecordChange) -> None:
        """Append one record change (apply order is the order of calls)."""
        line = change_line(change)
        self._spool.write(line)
        self._lines.update(line)
        self.count += 1

    def finish(self, header: PlanHeader, path: Path) -> PlanHeader:
        """Write the plan file to ``path``; return the header as written (with the count)."""
        header = header.model_copy(update={"record_change_count": self.count})
        self._spool.close()
        head = canonical_json(
            {"migrator_plan": header.format_version, "header": header.model_dump(mode="json")}
        )
        end = canonical_json(
            {"end": {"record_changes": self.count, "lines_sha256": self._lines.hexdigest()}}
        )
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        ensure_private_dir(path.parent)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with (
                os.fdopen(fd, "wb") as raw,
                gzip.GzipFile(
                    filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=_COMPRESS_LEVEL
                ) as gz,
            ):
                gz.write((head + "\n").encode("utf-8"))
                with self._spool_path.open("rb") as spool:
                    while chunk := spool.read(1 << 20):
                        gz.write(chunk)
                gz.write((end + "\n").encode("utf-8"))
            tmp.replace(path)
        finally:
            self._spool_path.unlink(missing_ok=True)
            tmp.unlink(missing_ok=True)
        return header

    def discard(self) -> None:
        """Drop the spool without writing a plan."""
        self._spool.close()
        self._spool_path.unlink(missing_ok=True)

    def __enter__(self) -> PlanWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._spool.closed:
            self.discard()


def _open_lines(path: Path) -> Iterator[str]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            yield from handle
    except FileNotFoundError:
        raise PlanError(
            f"plan file {path} not found", hint="run `migrator plan SPEC -o FILE`"
        ) from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise PlanError(
            f"plan file {path} is not a readable migrator plan ({type(exc).__name__})",
            detail="It may be truncated, corrupted, or not a plan file at all.",
            hint="make the plan again with `migrator plan SPEC -o FILE`",
        ) from None


def _parse_header(path: Path, first: str) -> PlanHeader:
    try:
        doc: Any = json.loads(first)
        version = doc["migrator_plan"]
        raw_header = doc["header"]
    except (ValueError, KeyError, TypeError):
        raise PlanError(f"plan file {path} has no migrator plan header") from None
    if version != PLAN_FORMAT_VERSION:
        raise PlanError(
            f"plan file {path} has format {version}; this migrator {__version__} reads format "
            f"{PLAN_FORMAT_VERSION}",
            hint="make the plan again with this version of migrator",
        )
    header = PlanHeader.model_validate(raw_header)
    if _major_minor(header.migrator_version) != _major_minor(__version__):
        raise PlanError(
            f"plan file {path} was made by migrator {header.migrator_version}; this is "
            f"migrator {__version__}",
            hint="apply it with the version that made it, or make the plan again",
        )
    return header


def read_plan_header(path: Path) -> PlanHeader:
    """Read and check only the header (cheap even for a 1,000,000-change plan)."""
    for line in _open_lines(path):
        return _parse_header(path, line)
    raise PlanError(f"plan file {path} is empty")


def iter_record_changes(path: Path) -> Iterator[RecordChange]:
    """Stream the record changes in apply order; raise :class:`PlanError` if the file is cut.

    The end line's count and line digest are checked when the stream is exhausted, so a consumer
    that reads to the end knows it saw every change exactly as written.
    """
    lines = _open_lines(path)
    first = next(lines, None)
    if first is None:
        raise PlanError(f"plan file {path} is empty")
    _parse_header(path, first)
    digest = hashlib.sha256()
    for count, line in enumerate(lines):
        if line.startswith('{"end":'):
            end = json.loads(line)["end"]
            if end["record_changes"] != count or end["lines_sha256"] != digest.hexdigest():
                break
            return
        digest.update(line.encode("utf-8"))
        yield RecordChange.model_validate_json(line)
    raise PlanError(
        f"plan file {path} is truncated or was edited after it was made",
        hint="make the plan again with `migrator plan SPEC -o FILE`",
    )


def plan_file_sha256(path: Path) -> str:
    """Hex sha256 of the plan file's bytes: what an approved pull request names."""
    return sha256_hex(path.read_bytes())
