"""The plan file: one deterministic, versioned, compressed document.

Layout (gzip of UTF-8 JSON Lines, every line canonical JSON):

1. ``{"migrator_plan": <format_version>, "header": {...}}`` — the :class:`PlanHeader`;
2. one line per :class:`RecordChange`, in apply order. A line leaves out what its address says
   (``mapping``, ``source_key``; ``phase`` when it is ``mapping.<mapping>``) and a ``twenty_id``
   that is the deterministic id of its source key in the header's ``namespace``; readers put
   them back, so a consumer sees whole changes (and the file of a million-record plan stays
   well under 100 MB);
3. ``{"end": {"record_changes": N, "lines_sha256": "..."}}`` — so a truncated or edited file is
   refused rather than half-applied;
4. the **outcomes** section: one ``{"quarantine": {...}}`` line per :class:`QuarantineEntry` in
   apply order (the header keeps only the first :data:`~migrator.plan.model.HEADER_OUTCOMES`),
   then ``{"outcomes_end": {"quarantine": Q, "holds": 0, "lines_sha256": "..."}}``. Holds are
   not in it (see ``PlanHeader.holds``). Readers of the record changes stop at the end line and
   never see it; :func:`iter_plan_outcomes` reads it.

The file is a sequence of gzip members (the header; the changes; the end line; the outcomes; their
end line), which every gzip reader reads as one stream. No member carries a file name or a
modification time, so the same plan gives the same bytes; :func:`plan_file_sha256` is what an
approval names (``apply --expect-digest``). Files are created 0600.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import queue
import shutil
import tempfile
import threading
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

import orjson

from migrator import __version__
from migrator.errors import PlanError
from migrator.identity import IdMaker, id_maker
from migrator.model import canonical_json, sha256_hex
from migrator.plan.model import (
    PLAN_FORMAT_VERSION,
    HoldEntry,
    PlanHeader,
    QuarantineEntry,
    RecordChange,
)
from migrator.private_files import ensure_private_dir

_COMPRESS_LEVEL = 6


def _deterministic(namespace: bytes, source_key: str, twenty_id: str) -> bool:
    """True when ``twenty_id`` is ``uuid5(namespace, source_key)`` (computed without the uuid
    module's overhead: a million lines are checked)."""
    raw = bytearray(hashlib.sha1(namespace + source_key.encode("utf-8")).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50
    raw[8] = (raw[8] & 0x3F) | 0x80
    text = raw.hex()
    expected = f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return twenty_id == expected


def change_line(
    change: RecordChange, namespace: uuid.UUID | None = None, *, trusted: bool = False
) -> bytes:
    """The file line of one change, as UTF-8 with its newline.

    Without ``namespace``: ``canonical_json(change.model_dump(mode="json",
    exclude_defaults=True))``. With it, the fields its address and the namespace determine are
    left out (module doc; :func:`change_from_line` puts them back): checked, unless ``trusted``
    says the change's address is ``record.<mapping>[<source_key>]`` and its ``twenty_id`` the
    deterministic id (a planner's record changes, made from the mapper's desired records).
    Lines with field differences (values that may be floats the two encoders spell
    differently) take the canonical path; the others are encoded with orjson, whose sorted
    output is byte for byte canonical for text.
    """
    if change.field_diffs or namespace is None:
        if not change.field_diffs:
            return _full_line(change)
        data: dict[str, Any] = change.model_dump(mode="json", exclude_defaults=True)
        if namespace is not None:
            _compact(data, change, namespace, trusted)
        return (canonical_json(data) + "\n").encode("utf-8")
    if not trusted and not _derivable(change, namespace):
        return _full_line(change)
    data = {
        "action": change.action.value,
        "address": change.address,
        "payload_digest": change.payload_digest,
        "reason": change.reason,
        "twenty_object": change.twenty_object,
    }
    if change.phase != "mapping." + change.mapping:
        data["phase"] = change.phase
    if change.existing_id is not None:
        data["existing_id"] = change.existing_id
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)


def _full_line(change: RecordChange) -> bytes:
    data = {
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


def _derivable(change: RecordChange, namespace: uuid.UUID) -> bool:
    """True when the address and the namespace determine mapping, source key and id."""
    return change.address == f"record.{change.mapping}[{change.source_key}]" and _deterministic(
        namespace.bytes, change.source_key, change.twenty_id
    )


def _compact(
    data: dict[str, Any], change: RecordChange, namespace: uuid.UUID, trusted: bool
) -> None:
    if not trusted and not _derivable(change, namespace):
        return
    del data["mapping"], data["source_key"], data["twenty_id"]
    if change.phase == f"mapping.{change.mapping}":
        del data["phase"]


def change_from_line(line: str, ids: IdMaker | None) -> RecordChange:
    """The :class:`RecordChange` of one line, the fields it leaves out put back (the id from
    ``ids``, the plan's namespace's :func:`~migrator.identity.id_maker`), validated."""
    if '"mapping"' in line and '"twenty_id"' in line:
        return RecordChange.model_validate_json(line)
    data: dict[str, Any] = orjson.loads(line)
    if "mapping" not in data:
        address: str = data["address"]
        bracket = address.index("[")
        data["mapping"] = address[7:bracket]  # after "record."
        data["source_key"] = address[bracket + 1 : -1]
    if "phase" not in data:
        data["phase"] = "mapping." + data["mapping"]
    if "twenty_id" not in data:
        if ids is None:
            raise PlanError("a plan line has no twenty_id and the plan no namespace")
        data["twenty_id"] = ids(data["source_key"])
    return RecordChange.model_validate(data)


OutcomeKind = Literal["quarantine", "hold"]


def outcome_line(kind: OutcomeKind, fields: dict[str, str]) -> bytes:
    """The outcomes-section line ``{kind: fields}``: every field of a :class:`QuarantineEntry`
    or :class:`HoldEntry` (as ``model_dump(mode="json")`` gives them). Text values only, so
    orjson's sorted output is byte for byte :func:`canonical_json`'s."""
    return orjson.dumps({kind: fields}, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)


def _major_minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


_GZIP_WBITS = 31  # zlib writes a gzip member: mtime 0, no file name
_CHUNK = 1 << 18


def gzip_member(data: bytes) -> bytes:
    """``data`` as one complete gzip member (deterministic: no time, no name)."""
    packer = zlib.compressobj(_COMPRESS_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
    return packer.compress(data) + packer.flush()


class _Spool:
    """Lines compressed into one gzip member of a private temporary file by a worker thread.

    zlib and hashlib release the GIL on large buffers, so compressing and hashing a million
    lines runs on another core while the plan is computed. The line digest is of the
    uncompressed lines. Memory is bounded: at most a few buffers wait in the queue.
    """

    def __init__(self, directory: Path | None, prefix: str) -> None:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=".gz", dir=directory)  # 0600
        self.path = Path(name)
        self._file: IO[bytes] = os.fdopen(fd, "wb")
        self._buffer: list[bytes] = []
        self._size = 0
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
        self._digest = hashlib.sha256()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name=prefix.strip(".-"), daemon=True)
        self._thread.start()
        self.closed = False

    def write(self, line: bytes) -> None:
        """Queue one line."""
        self._buffer.append(line)
        self._size += len(line)
        if self._size >= _CHUNK:
            self._put()

    def _put(self) -> None:
        if self._buffer:
            self._queue.put(b"".join(self._buffer))
            self._buffer.clear()
            self._size = 0

    def _work(self) -> None:
        packer = zlib.compressobj(_COMPRESS_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
        try:
            while (chunk := self._queue.get()) is not None:
                self._digest.update(chunk)
                self._file.write(packer.compress(chunk))
            self._file.write(packer.flush())
        except BaseException as exc:  # reported by close()
            self._error = exc
            while self._queue.get() is not None:  # drain so the producer never blocks
                pass

    def close(self) -> str:
        """Finish the member; return the hex sha256 of every line written."""
        if not self.closed:
            self.closed = True
            self._put()
            self._queue.put(None)
            self._thread.join()
            self._file.close()
        if self._error is not None:
            raise self._error
        return self._digest.hexdigest()

    def discard(self) -> None:
        """Stop and remove the spool."""
        with contextlib.suppress(OSError):
            self.close()
        self.path.unlink(missing_ok=True)


class PlanWriter:
    """Builder for a plan file: add record changes as they are computed, then finish.

    Changes and outcomes are compressed into private temporary files as they come (constant
    memory, on another core); :meth:`finish` writes the header (with the final counts), then the
    spooled members, into the destination atomically. The file is a sequence of gzip members,
    which gzip readers read as one stream.
    """

    def __init__(
        self, spool_dir: Path | None = None, *, namespace: uuid.UUID | None = None
    ) -> None:
        """``namespace``: write compact lines (the header must name the same namespace)."""
        directory = ensure_private_dir(spool_dir) if spool_dir else None
        self.namespace = namespace
        self._spool = _Spool(directory, ".plan-spool-")
        self._outcomes = _Spool(directory, ".plan-outcomes-")
        self.count = 0
        self.quarantined = 0
        self.held = 0

    def add(self, change: RecordChange, *, trusted: bool = False) -> None:
        """Append one record change (apply order is the order of calls). ``trusted``: its
        address and id are the mapper's (see :func:`change_line`)."""
        self._spool.write(change_line(change, self.namespace, trusted=trusted))
        self.count += 1

    def add_outcome(self, entry: QuarantineEntry | HoldEntry) -> None:
        """Append one quarantine or hold entry to the outcomes section (apply order)."""
        kind: OutcomeKind = "quarantine" if isinstance(entry, QuarantineEntry) else "hold"
        self.add_outcome_fields(kind, entry.model_dump(mode="json"))

    def add_outcome_fields(self, kind: OutcomeKind, fields: dict[str, str]) -> None:
        """:meth:`add_outcome` from the entry's fields (no model built: the hot path)."""
        self._outcomes.write(outcome_line(kind, fields))
        if kind == "quarantine":
            self.quarantined += 1
        else:
            self.held += 1

    def finish(self, header: PlanHeader, path: Path) -> PlanHeader:
        """Write the plan file to ``path``; return the header as written (with the count)."""
        header = header.model_copy(update={"record_change_count": self.count})
        if self.namespace is not None and header.namespace != str(self.namespace):
            self.discard()
            raise PlanError("the plan header names another id namespace than its lines")
        try:
            lines_sha = self._spool.close()
            outcomes_sha = self._outcomes.close()
            head = canonical_json(
                {"migrator_plan": header.format_version, "header": header.model_dump(mode="json")}
            )
            end = canonical_json({"end": {"record_changes": self.count, "lines_sha256": lines_sha}})
            outcomes_end = canonical_json(
                {
                    "outcomes_end": {
                        "quarantine": self.quarantined,
                        "holds": self.held,
                        "lines_sha256": outcomes_sha,
                    }
                }
            )
            self._write(path, head, end, outcomes_end)
        finally:
            self._spool.discard()
            self._outcomes.discard()
        return header

    def _write(self, path: Path, head: str, end: str, outcomes_end: str) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        ensure_private_dir(path.parent)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as raw:
                raw.write(gzip_member((head + "\n").encode("utf-8")))
                with self._spool.path.open("rb") as spool:
                    shutil.copyfileobj(spool, raw, 1 << 20)
                raw.write(gzip_member((end + "\n").encode("utf-8")))
                with self._outcomes.path.open("rb") as outcomes:
                    shutil.copyfileobj(outcomes, raw, 1 << 20)
                raw.write(gzip_member((outcomes_end + "\n").encode("utf-8")))
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)

    def discard(self) -> None:
        """Drop the spools without writing a plan."""
        self._spool.discard()
        self._outcomes.discard()

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
    header = _parse_header(path, first)
    ids = id_maker(uuid.UUID(header.namespace)) if header.namespace else None
    digest = hashlib.sha256()
    for count, line in enumerate(lines):
        if line.startswith('{"end":'):
            end = json.loads(line)["end"]
            if end["record_changes"] != count or end["lines_sha256"] != digest.hexdigest():
                break
            return
        digest.update(line.encode("utf-8"))
        yield change_from_line(line, ids)
    raise PlanError(
        f"plan file {path} is truncated or was edited after it was made",
        hint="make the plan again with `migrator plan SPEC -o FILE`",
    )


def iter_plan_outcomes(path: Path) -> Iterator[QuarantineEntry | HoldEntry]:
    """The plan's whole quarantine (from the outcomes section, where the header may keep only
    the first entries), then the holds the header lists, in apply order; :class:`PlanError` if
    the section is cut or edited. Holds beyond the header's are not in a plan
    (``PlanHeader.holds``).

    A plan without an outcomes section yields its header's lists.
    """
    lines = _open_lines(path)
    first = next(lines, None)
    if first is None:
        raise PlanError(f"plan file {path} is empty")
    header = _parse_header(path, first)
    for line in lines:
        if line.startswith('{"end":'):
            break
    digest = hashlib.sha256()
    counts = {"quarantine": 0, "holds": 0}
    for line in lines:
        if line.startswith('{"outcomes_end":'):
            end = json.loads(line)["outcomes_end"]
            whole = counts["quarantine"] == max(header.quarantine_total, len(header.quarantine))
            if end != {**counts, "lines_sha256": digest.hexdigest()} or not whole:
                break
            if not counts["holds"]:
                yield from header.holds
            return
        digest.update(line.encode("utf-8"))
        doc = json.loads(line)
        if "quarantine" in doc:
            counts["quarantine"] += 1
            yield QuarantineEntry.model_validate(doc["quarantine"])
        else:
            counts["holds"] += 1
            yield HoldEntry.model_validate(doc["hold"])
    else:
        if not any(counts.values()) and header.quarantine_total <= len(header.quarantine):
            yield from header.quarantine
            yield from header.holds
            return
    raise PlanError(
        f"plan file {path} is truncated or was edited after it was made",
        hint="make the plan again with `migrator plan SPEC -o FILE`",
    )


def plan_file_sha256(path: Path) -> str:
    """Hex sha256 of the plan file's bytes: what an approved pull request names."""
    return sha256_hex(path.read_bytes())
