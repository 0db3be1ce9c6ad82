"""``migrator graph SPEC``: the dependency graph of a spec, drawn as Mermaid or DOT."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from migrator.graph import compile_graph, to_dot, to_mermaid
from migrator.spec.validation import load_spec

GraphFormat = Literal["mermaid", "dot"]


def graph(
    spec_path: Path,
    *,
    environ: Mapping[str, str],
    fmt: GraphFormat = "mermaid",
    targets: tuple[str, ...] = (),
    display_path: str | None = None,
) -> str:
    """The graph of the spec at ``spec_path`` (limited to ``targets`` and what they need).

    Raises :class:`~migrator.errors.SpecError` for an invalid spec and
    :class:`~migrator.errors.GraphError` for a cycle no second pass can break.
    """
    loaded = load_spec(spec_path, environ=environ, display_path=display_path)
    compiled = compile_graph(loaded.spec)
    if targets:
        compiled = compiled.restrict(targets)
    return to_mermaid(compiled) if fmt == "mermaid" else to_dot(compiled)
