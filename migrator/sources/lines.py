"""Streaming the records of one bundle file, JSON Lines or CSV, in constant memory.

Each function yields ``(line_number, record_dict)``; any corruption (bytes that are not UTF-8, a
line that is not one complete JSON object, a CSV row with the wrong number of cells) raises one
:class:`~migrator.errors.SourceError` naming the file and the line. Line numbers are 1-based
physical lines (a CSV record spanning lines is numbered by its first line).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from migrator.errors import SourceError

CHUNK_SIZE = 1 << 20
_HINT = "Re-export the bundle, or restore the file from the original export; nothing was planned."


def corrupt(display: str, line: int, problem: str) -> SourceError:
    """The one error for a damaged bundle file: ``file:line: problem``."""
    where = f"{display}:{line}" if line else display
    return SourceError(f"Corrupt source bundle: {where}: {problem}", hint=_HINT)


def decode_json_line(data: bytes, display: str, line: int, *, last: bool) -> dict[str, Any] | None:
    """Decode one JSON Lines line; None for a blank line. Raises on anything else."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        value = _slow_decode(data, display, line, last=last)
        if value is None:
            return None
    if not isinstance(value, dict):
        raise corrupt(display, line, "a JSON Lines record must be a JSON object")
    return value


def _slow_decode(data: bytes, display: str, line: int, *, last: bool) -> Any:
    """The error path: tell bad UTF-8, blank lines and broken JSON apart (and accept what only
    the standard library reads, such as integers beyond 64 bits)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise corrupt(
            display, line, f"not valid UTF-8 (byte {exc.start + 1} of the line)"
        ) from None
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        problem = "truncated JSON line" if last else "not a valid JSON object"
        raise corrupt(display, line, problem) from None


def iter_jsonl(path: Path, display: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line, record)`` for every non-blank line of a JSON Lines file."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise SourceError(
            f"Source bundle file missing: {display}", hint="Re-export the bundle."
        ) from None
    loads = orjson.loads
    with handle:
        for line, data in enumerate(handle, 1):
            try:
                record = loads(data)
            except orjson.JSONDecodeError:  # blank, broken or beyond orjson: the slow path
                record = decode_json_line(data, display, line, last=not data.endswith(b"\n"))
                if record is None:
                    continue
            if type(record) is not dict:
                raise corrupt(display, line, "a JSON Lines record must be a JSON object")
            yield line, record


def iter_byte_lines(handle: io.BufferedIOBase, sink: Any) -> Iterator[bytes]:
    """Yield the lines of a binary file (without ``\\n``) while feeding every byte to
    ``sink.update`` (a hashlib object), reading in large chunks."""
    carry = b""
    while True:
        chunk = handle.read(CHUNK_SIZE)
        if not chunk:
            break
        sink.update(chunk)
        parts = (carry + chunk).split(b"\n")
        carry = parts.pop()
        yield from parts
    if carry:
        yield carry


def _text_stream(path: Path, display: str) -> Iterator[str]:
    """The lines of a UTF-8 text file, keeping line ends; a decoding failure names the line."""
    with path.open("rb") as handle:
        for line, data in enumerate(handle, 1):
            try:
                yield data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise corrupt(
                    display, line, f"not valid UTF-8 (byte {exc.start + 1} of the line)"
                ) from None


def unflatten(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row back into a record: empty cells are null, ``a__b`` columns nest into ``a``."""
    record: dict[str, Any] = {}
    for column, cell in row.items():
        value: Any = cell if cell != "" else None
        if "__" not in column:
            record[column] = value
            continue
        head, _, rest = column.partition("__")
        node = record.get(head)
        if not isinstance(node, dict):
            node = {}
            record[head] = node
        parts = rest.split("__")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    for key, value in list(record.items()):
        if isinstance(value, dict) and _all_null(value):
            record[key] = None
    return record


def _all_null(node: dict[str, Any]) -> bool:
    return all(_all_null(v) if isinstance(v, dict) else v is None for v in node.values())


def iter_csv(path: Path, display: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line, record)`` for every data row of an RFC 4180 CSV mirror file."""
    if not path.is_file():
        raise SourceError(f"Source bundle file missing: {display}", hint="Re-export the bundle.")
    reader = csv.reader(_text_stream(path, display), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return
        width = len(header)
        start = reader.line_num + 1
        for cells in reader:
            if not cells:
                start = reader.line_num + 1
                continue
            if len(cells) != width:
                raise corrupt(
                    display, start, f"ragged CSV row: {len(cells)} cells, the header has {width}"
                )
            yield start, unflatten(dict(zip(header, cells, strict=True)))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise corrupt(display, reader.line_num, f"malformed CSV ({exc})") from None
