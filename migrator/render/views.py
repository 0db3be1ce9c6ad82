"""One entry point for the CLI: render a plan in the format the user asked for.

``migrator plan --format text|markdown|json`` (and anything else that shows a plan) calls
:func:`render_plan` with the header, the streamed record changes of the saved plan file, whether
the terminal takes colour, the plan file's sha256 and the spec's mermaid graph, and writes the
chunks it yields in order, passing the plan file's outcomes too. Text and JSON stream every record
change in chunks of many lines (a writer makes a few hundred calls for a 1,000,000-change plan,
not millions); Markdown is one bounded string.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Literal

from migrator.plan.model import PlanHeader, RecordChange
from migrator.render.json_view import iter_json
from migrator.render.markdown import render_markdown
from migrator.render.outcomes import Outcome
from migrator.render.text import iter_text_chunks

PlanFormat = Literal["text", "markdown", "json"]
PLAN_FORMATS: tuple[PlanFormat, ...] = ("text", "markdown", "json")
"""The formats a plan can be shown in (the ``--format`` choices)."""


def render_plan(
    fmt: PlanFormat,
    header: PlanHeader,
    changes: Iterable[RecordChange],
    *,
    color: bool = False,
    plan_sha256: str | None = None,
    mermaid: str | None = None,
    outcomes: Iterable[Outcome] | None = None,
) -> Iterator[str]:
    """The plan in ``fmt`` as chunks of text to write in order (the last ends in a newline).

    ``color`` applies to text only (the caller sets it for a TTY); ``mermaid`` to Markdown only.
    ``outcomes`` is every quarantine and hold entry of a saved plan
    (:func:`~migrator.plan.planfile.iter_plan_outcomes`); without it the header's lists are used.
    """
    if fmt == "text":
        yield from iter_text_chunks(
            header, changes, color=color, plan_sha256=plan_sha256, outcomes=outcomes
        )
    elif fmt == "markdown":
        yield render_markdown(
            header, changes, plan_sha256=plan_sha256, mermaid=mermaid, outcomes=outcomes
        )
    else:
        yield from iter_json(header, changes, plan_sha256=plan_sha256, outcomes=outcomes)
