"""YAML with positions: load a file into plain data and remember where every key and value was.

Guarantees:

* Every file-level problem (missing file, directory, empty, too large, binary, non-UTF-8, a tab in
  indentation, a syntax error, a duplicate key, an unknown tag, an alias bomb, an unset
  ``${VAR}``) becomes a positioned :class:`~migrator.diagnostics.Diagnostic` inside a
  :class:`~migrator.errors.SpecError`, never a traceback.
* The returned data holds only ``dict``/``list``/``str``/``int``/``float``/``bool``/``None``;
  mapping keys are strings; dates are ISO strings.
* ``${VAR}`` and ``${VAR:-default}`` inside string values are replaced from the given environment
  (``$${`` is a literal ``${``). Interpolation happens in values only, never in keys.
* Positions are 1-based (line, column) and available for every key and every value.

This is the only module that imports ruamel.yaml.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from migrator.diagnostics import Diagnostic, Diagnostics, error
from migrator.errors import SpecError

#: A spec larger than this is refused before parsing (specs are hand-written; 10 MiB is generous).
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Nodes a document may expand to through aliases before it is treated as an alias bomb.
MAX_NODES = 200_000

PathKey = tuple[str | int, ...]

_INTERPOLATION = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Position:
    """A 1-based line and column."""

    line: int
    column: int


@dataclass(frozen=True)
class YamlDocument:
    """A loaded YAML file: its plain data and the positions of its keys and values.

    ``display_path`` is the path as the user gave it, used in every diagnostic.
    """

    display_path: str
    data: Any
    value_positions: Mapping[PathKey, Position] = field(repr=False)
    key_positions: Mapping[PathKey, Position] = field(repr=False)

    def position_of(self, path: PathKey, *, key: bool = False) -> Position:
        """Where the value (or, with ``key=True``, the key) at ``path`` is.

        A path that does not exist (a missing required key) falls back to the key of its nearest
        existing ancestor (``companies:`` for a missing ``companies.to``), so a diagnostic always
        points somewhere sensible; the root is line 1, column 1.
        """
        table = self.key_positions if key else self.value_positions
        if tuple(path) in table:
            return table[tuple(path)]
        probe = tuple(path)[:-1] if tuple(path) not in self.key_positions else tuple(path)
        while probe:
            if probe in self.key_positions:
                return self.key_positions[probe]
            if probe in self.value_positions:
                return self.value_positions[probe]
            probe = probe[:-1]
        return Position(1, 1)

    def diagnostic(
        self, message: str, path: PathKey, *, key: bool = False, hint: str = ""
    ) -> Diagnostic:
        """An error diagnostic positioned at ``path``."""
        pos = self.position_of(path, key=key)
        return error(message, self.display_path, pos.line, pos.column, hint)


def _fail(display: str, message: str, line: int = 1, column: int = 1, hint: str = "") -> SpecError:
    diagnostics = Diagnostics()
    diagnostics.add(error(message, display, line, column, hint))
    return SpecError(f"{display} cannot be loaded: {message}", diagnostics)


def _read_bytes(path: Path, display: str, max_bytes: int) -> bytes:
    if not path.exists():
        raise _fail(display, "file not found", hint="check the path, relative to where you run")
    if path.is_dir():
        raise _fail(display, "is a directory, not a YAML file")
    size = path.stat().st_size
    if size > max_bytes:
        raise _fail(
            display,
            f"file is too large ({size} bytes; the limit is {max_bytes} bytes)",
            hint="a spec is hand-written configuration; data belongs in the source bundle",
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _fail(display, f"cannot be read ({exc.strerror})") from None


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, offset - start + 1


def _decode(data: bytes, display: str) -> str:
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = _line_col(data, nul)
        message = "binary file (contains a NUL byte); expected UTF-8 YAML text"
        raise _fail(display, message, line, col)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        raise _fail(
            display,
            f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x})",
            line,
            col,
            hint="save the file as UTF-8",
        ) from None
    return text.removeprefix("\ufeff")


def _check_tabs(text: str, display: str) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        tab = line.find("\t", 0, indent)
        if tab >= 0 and line.strip():
            raise _fail(
                display,
                "tab character in indentation; YAML indents with spaces only",
                number,
                tab + 1,
            )


def _mark(exc: MarkedYAMLError) -> tuple[int, int]:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1


def _parse(text: str, display: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except DuplicateKeyError as exc:
        line, col = _mark(exc)
        first = exc.context_mark.line + 1 if exc.context_mark else line
        key = _duplicate_key_name(exc)
        message = f"duplicate key {key!r}" if key else "duplicate key"
        raise _fail(
            display, f"{message} (the mapping starting at line {first} has it twice)", line, col
        ) from None
    except MarkedYAMLError as exc:
        line, col = _mark(exc)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise _fail(display, f"YAML syntax error: {problem}", line, col) from None
    except YAMLError as exc:
        raise _fail(display, f"YAML error: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise _fail(display, "document is nested too deeply") from None


def _duplicate_key_name(exc: DuplicateKeyError) -> str:
    match = re.search(r'found duplicate key "([^"]*)"', str(exc.problem or ""))
    return match.group(1) if match else ""


class _Converter:
    """Turns ruamel's round-trip tree into plain data, recording positions and interpolating."""

    def __init__(self, display: str, environ: Mapping[str, str]) -> None:
        self.display = display
        self.environ = environ
        self.values: dict[PathKey, Position] = {}
        self.keys: dict[PathKey, Position] = {}
        self.diagnostics = Diagnostics()
        self.nodes = 0

    def convert(self, node: Any, path: PathKey, pos: Position) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _fail(
                self.display,
                f"document expands to more than {MAX_NODES} nodes through aliases (an alias bomb?)",
                pos.line,
                pos.column,
            )
        self.values[path] = pos
        if isinstance(node, CommentedMap):
            return self._mapping(node, path)
        if isinstance(node, CommentedSeq):
            return self._sequence(node, path)
        return self._scalar(node, path, pos)

    def _mapping(self, node: CommentedMap, path: PathKey) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in node.items():
            key_text = _key_text(key)
            child = (*path, key_text)
            owner = _owner_of(node, key)
            kline, kcol = owner.lc.key(key)
            self.keys[child] = Position(kline + 1, kcol + 1)
            vline, vcol = owner.lc.value(key)
            result[key_text] = self.convert(value, child, Position(vline + 1, vcol + 1))
        return result

    def _sequence(self, node: CommentedSeq, path: PathKey) -> list[Any]:
        result: list[Any] = []
        for index, value in enumerate(node):
            line, col = node.lc.item(index)
            result.append(self.convert(value, (*path, index), Position(line + 1, col + 1)))
        return result

    def _scalar(self, node: Any, path: PathKey, pos: Position) -> Any:
        if node is None or isinstance(node, bool):
            return node
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        if isinstance(node, dt.datetime | dt.date):
            return node.isoformat()
        if isinstance(node, str):
            return self._interpolate(str(node), path, pos)
        tag = getattr(getattr(node, "tag", None), "value", None) or type(node).__name__
        self.diagnostics.add(
            error(f"unsupported YAML tag {tag}", self.display, pos.line, pos.column)
        )
        return None

    def _interpolate(self, text: str, path: PathKey, pos: Position) -> str:
        def replace(match: re.Match[str]) -> str:
            if match.group(0) == "$${":
                return "${"
            expr = match.group(1)
            name, has_default, default = expr.partition(":-")
            if not _VAR_NAME.match(name):
                self.diagnostics.add(
                    error(
                        f"invalid interpolation ${{{expr}}}: expected ${{NAME}} or "
                        "${NAME:-default}",
                        self.display,
                        pos.line,
                        pos.column,
                    )
                )
                return match.group(0)
            if name in self.environ and (self.environ[name] or not has_default):
                return self.environ[name]
            if has_default:
                return default
            where = ".".join(str(p) for p in path) or "the document"
            self.diagnostics.add(
                error(
                    f"environment variable {name} is not set (used in {where})",
                    self.display,
                    pos.line,
                    pos.column,
                    hint=f"export {name}=… or write ${{{name}:-default}}",
                )
            )
            return ""

        return _INTERPOLATION.sub(replace, text)


def _owner_of(node: CommentedMap, key: Any) -> CommentedMap:
    """The mapping that spells ``key`` out: ``node`` itself, or the one a ``<<:`` merge brought
    it from (merged keys carry their positions in the anchored mapping)."""
    if key in node.lc.data:
        return node
    for item in getattr(node, "merge", ()):
        merged = item[1] if isinstance(item, tuple) else item  # (index, map) in older ruamel
        if isinstance(merged, CommentedMap) and key in merged:
            return _owner_of(merged, key)
    return node


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def load_yaml(
    path: Path,
    *,
    environ: Mapping[str, str],
    display_path: str | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> YamlDocument:
    """Load one YAML file, interpolating ``${VAR}`` from ``environ``.

    Raises :class:`SpecError` carrying every positioned diagnostic when the file cannot be used
    (interpolation problems are all reported at once; the first structural problem stops).
    """
    display = display_path or str(path)
    raw = _read_bytes(path, display, max_bytes)
    text = _decode(raw, display)
    if not text.strip():
        raise _fail(display, "file is empty; expected a YAML mapping")
    _check_tabs(text, display)
    tree = _parse(text, display)
    if tree is None:
        raise _fail(display, "file has no content (only comments); expected a YAML mapping")
    converter = _Converter(display, environ)
    data = converter.convert(tree, (), Position(1, 1))
    if converter.diagnostics.has_errors:
        first = converter.diagnostics.errors[0]
        raise SpecError(f"{display} cannot be loaded: {first.message}", converter.diagnostics)
    return YamlDocument(display, data, converter.values, converter.keys)
