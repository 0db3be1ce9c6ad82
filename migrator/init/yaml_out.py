"""Writing the proposed spec as YAML with comments: a small emitter for a small tree.

ruamel.yaml stays in the spec loader (the layering rule), so the proposal is written by hand:
a :class:`Block` is a mapping whose :class:`Entry` values are nested blocks, or plain data
written in flow style when it fits on the line (``{from: x, transforms: [trim]}``), or as block
sequences of flow items (option lists). Strings are plain when that is unambiguous, else
double-quoted (JSON escapes are YAML escapes); ``${`` in data is written ``$${`` so the loader
does not interpolate it. Comment lines go above an entry, or after it on the same line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

WIDTH = 100
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
_RESERVED = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"})


@dataclass
class Entry:
    """One key of a block, with comment lines above and an optional trailing comment."""

    key: str
    value: Any
    above: tuple[str, ...] = ()
    after: str = ""
    raw: bool = False
    """Write a string value verbatim (an intended ``${VAR:-default}`` interpolation)."""


@dataclass
class Block:
    """A block mapping: entries in order."""

    entries: list[Entry] = field(default_factory=list)

    def add(self, key: str, value: Any, *above: str, after: str = "", raw: bool = False) -> None:
        """Append an entry."""
        self.entries.append(Entry(key, value, tuple(above), after, raw))


def scalar(value: Any) -> str:
    """A scalar in YAML (plain when safe, else a double-quoted string)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("${", "$${")
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def flow(value: Any) -> str:
    """``value`` in flow style (mappings in braces, sequences in brackets)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def _comment(text: str, indent: int) -> list[str]:
    return [f"{' ' * indent}# {line}".rstrip() for line in text.splitlines() or [""]]


def _value_lines(key: str, value: Any, indent: int, after: str, raw: bool) -> list[str]:
    pad = " " * indent
    tail = f"  # {after}" if after else ""
    if isinstance(value, Block):
        return [f"{pad}{scalar(key)}:{tail}", *_block(value, indent + 2)]
    if raw and isinstance(value, str):
        return [f"{pad}{scalar(key)}: {value}{tail}"]
    inline = f"{pad}{scalar(key)}: {flow(value)}"
    if len(inline) + len(tail) <= WIDTH or not isinstance(value, dict | list | tuple):
        return [inline + tail]
    if isinstance(value, dict):
        nested = Block([Entry(str(k), v) for k, v in value.items()])
        return [f"{pad}{scalar(key)}:{tail}", *_block(nested, indent + 2)]
    items = [f"{pad}  - {flow(item)}" for item in value]
    return [f"{pad}{scalar(key)}:{tail}", *items]


def _block(block: Block, indent: int) -> list[str]:
    lines: list[str] = []
    for entry in block.entries:
        for text in entry.above:
            lines += _comment(text, indent)
        lines += _value_lines(entry.key, entry.value, indent, entry.after, entry.raw)
    return lines


def render(block: Block, header: tuple[str, ...] = ()) -> str:
    """The document: header comment lines, then the top-level block."""
    lines: list[str] = []
    for text in header:
        lines += _comment(text, 0)
    if header:
        lines.append("")
    for entry in block.entries:
        if lines and lines[-1] != "" and isinstance(entry.value, Block):
            lines.append("")
        for text in entry.above:
            lines += _comment(text, 0)
        lines += _value_lines(entry.key, entry.value, 0, entry.after, entry.raw)
    return "\n".join(lines) + "\n"
