"""Markdown to BlockNote JSON, as Twenty fills ``bodyV2.blocknote`` when only markdown is sent.

Twenty converts with the BlockNote server library (captures 64, 66). The sandbox covers the subset
a migration sends: headings (``#``), bullet and numbered list items, paragraphs, and ``**bold**`` /
``*italic*`` runs. Clients store and compare the markdown, never this JSON's exact text; block ids
are derived from the markdown so the same input gives the same output.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

_STYLE = re.compile(r"(\*\*[^*]+\*\*|\*[^*]+\*)")
_NAMESPACE = uuid.UUID("7b7b2b5e-3f64-4a54-9a53-6f7a1c2e0b11")
_DEFAULT_PROPS = {"backgroundColor": "default", "textColor": "default", "textAlignment": "left"}


def _runs(text: str) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    for part in _STYLE.split(text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            runs.append({"type": "text", "text": part[2:-2], "styles": {"bold": True}})
        elif part.startswith("*") and part.endswith("*") and len(part) > 2:
            runs.append({"type": "text", "text": part[1:-1], "styles": {"italic": True}})
        else:
            runs.append({"type": "text", "text": part, "styles": {}})
    return runs


def _block(index: int, line: str, markdown: str) -> dict[str, Any]:
    block_id = str(uuid.uuid5(_NAMESPACE, f"{index}:{markdown}"))
    heading = re.match(r"^(#{1,3})\s+(.*)$", line)
    if heading:
        props = {**_DEFAULT_PROPS, "level": len(heading.group(1)), "isToggleable": False}
        kind, text = "heading", heading.group(2)
    elif re.match(r"^[-*+]\s+", line):
        props, kind, text = dict(_DEFAULT_PROPS), "bulletListItem", re.sub(r"^[-*+]\s+", "", line)
    elif re.match(r"^\d+[.)]\s+", line):
        props = dict(_DEFAULT_PROPS)
        kind, text = "numberedListItem", re.sub(r"^\d+[.)]\s+", "", line)
    else:
        props, kind, text = dict(_DEFAULT_PROPS), "paragraph", line
    return {"id": block_id, "type": kind, "props": props, "content": _runs(text), "children": []}


def markdown_to_blocknote(markdown: str) -> str:
    """The BlockNote document (a JSON string) for ``markdown``; one block per non-blank line."""
    lines = [line.rstrip() for line in markdown.splitlines() if line.strip()]
    blocks = [_block(index, line, markdown) for index, line in enumerate(lines)]
    return json.dumps(blocks, separators=(",", ":"), ensure_ascii=False)
