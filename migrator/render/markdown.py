"""The Markdown view: a plan as a pull-request comment, never longer than 60,000 characters.

A reviewer sees, in order: the summary line and the plan file's sha256 (what an approval names),
what the plan was made against, a table of every object with its counts, every schema change,
every warning, the quarantine and holds grouped by reason, the API budget, a few sampled record
changes per object, and the mermaid dependency graph. GitHub refuses comments over 65,536
characters, so the view is rendered at the fullest :class:`Detail` level that fits ``limit``:
samples shrink, then go, then the graph, then examples and long texts are cut. Every object,
every schema change and every warning is present at every level, with every object's exact
counts and every quarantine reason's exact count; a note says what was left out and where to read
it (:data:`FULL_PLAN`). This is what a huge plan shows: a comment cannot list 1,000,000 changes,
so it shows their counts and samples, and the text and JSON views list them all. Record changes
are streamed once into a bounded :class:`~migrator.render.samples.SampleCollector`, so a
1,000,000-change plan renders in constant memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from migrator.plan.model import PlanHeader, RecordChange
from migrator.render.markdown_sections import (
    Detail,
    budget_table,
    counts_table,
    entry_table,
    graph_section,
    legend_lines,
    overview,
    sample_sections,
    schema_table,
    warning_list,
)
from migrator.render.outcomes import (
    Outcome,
    OutcomeGroup,
    group_outcomes,
    header_outcomes,
    holds_total,
    quarantine_total,
)
from migrator.render.samples import ObjectSample, SampleCollector
from migrator.render.text import summary_line

MARKDOWN_LIMIT = 60_000
"""Most characters a Markdown plan may have, counted as UTF-16 code units (:func:`comment_length`):
GitHub's comment limit is 65,536, and the rest is room for what CI puts around the plan
(``examples/ci/migration.yml``: a title, the digest, the audit report cut to what is left)."""

LEVELS: tuple[Detail, ...] = (
    Detail(
        samples=3,
        value_limit=80,
        graph=True,
        entry_examples=5,
        warning_examples=True,
        text_limit=500,
    ),
    Detail(
        samples=1,
        value_limit=60,
        graph=True,
        entry_examples=3,
        warning_examples=True,
        text_limit=300,
    ),
    Detail(
        samples=0,
        value_limit=60,
        graph=True,
        entry_examples=3,
        warning_examples=True,
        text_limit=300,
    ),
    Detail(
        samples=0,
        value_limit=60,
        graph=False,
        entry_examples=1,
        warning_examples=True,
        text_limit=200,
    ),
    Detail(
        samples=0,
        value_limit=40,
        graph=False,
        entry_examples=0,
        warning_examples=False,
        text_limit=120,
    ),
)
"""Detail levels, fullest first; the first whose rendering fits the limit is used."""

FULL_PLAN = (
    "The full plan is in the plan file, and `migrator plan SPEC --format text` (or `json`) "
    "lists every record change."
)
"""Where a reviewer reads what a summarised comment leaves out."""


def render_markdown(
    header: PlanHeader,
    changes: Iterable[RecordChange],
    *,
    plan_sha256: str | None = None,
    mermaid: str | None = None,
    limit: int = MARKDOWN_LIMIT,
    outcomes: Iterable[Outcome] | None = None,
) -> str:
    """The Markdown plan, at most ``limit`` characters, ending in a newline.

    ``changes`` is consumed once, lazily; ``plan_sha256`` is the saved plan file's digest
    (:func:`~migrator.plan.planfile.plan_file_sha256`), ``mermaid`` the graph's mermaid text
    (:func:`~migrator.graph.render.to_mermaid`); either may be ``None``. ``outcomes`` is every
    quarantine and hold entry (:func:`~migrator.plan.planfile.iter_plan_outcomes`), consumed once;
    without it the header's lists are grouped.
    """
    collector = SampleCollector(per_action=max(level.samples for level in LEVELS))
    collector.add_all(changes)
    samples = collector.build()
    entries = header_outcomes(header) if outcomes is None else outcomes
    groups = group_outcomes(entries, examples=max(level.entry_examples for level in LEVELS))
    text = ""
    for detail in LEVELS:
        text = _assemble(header, _Parts(samples, groups, plan_sha256, mermaid), detail)
        if comment_length(text) <= limit:
            return text
    return _cut(text, limit)


def comment_length(text: str) -> int:
    """``text``'s length as GitHub's limit and JavaScript count it at most: UTF-16 code units
    (a character outside the Basic Multilingual Plane, such as an emoji, counts two)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class _Parts:
    """What a Markdown plan is made of besides its header (collected once, rendered per level)."""

    samples: Mapping[str, ObjectSample]
    groups: Mapping[str, Sequence[OutcomeGroup]]
    plan_sha256: str | None
    mermaid: str | None


def _assemble(header: PlanHeader, parts: _Parts, detail: Detail) -> str:
    sections = [
        overview(header, parts.plan_sha256, summary_line(header)),
        _summarised_note(header, parts.samples, detail, parts.mermaid),
        counts_table(header),
        schema_table(header, detail),
        warning_list(header, detail),
        entry_table(
            "Quarantined: not written",
            parts.groups["quarantine"],
            quarantine_total(header),
            detail,
            kept_all=True,
        ),
        entry_table(
            "Held back: not written yet",
            parts.groups["hold"],
            holds_total(header),
            detail,
            kept_all=False,
        ),
        budget_table(header),
        sample_sections(header, parts.samples, detail),
        graph_section(parts.mermaid, detail),
        list(legend_lines()),
    ]
    blocks = ["\n".join(lines).strip("\n") for lines in sections if lines]
    return "\n\n".join(blocks) + "\n"


def _summarised_note(
    header: PlanHeader, samples: Mapping[str, ObjectSample], detail: Detail, mermaid: str | None
) -> list[str]:
    full = LEVELS[0]
    left_out = []
    if detail.samples < full.samples and samples:
        left_out.append("sampled record changes" if detail.samples == 0 else "some samples")
    if not detail.graph and mermaid is not None:
        left_out.append("the dependency graph")
    if detail.entry_examples < full.entry_examples and (header.quarantine or header.holds):
        left_out.append("example addresses")
    if not detail.warning_examples and any(w.addresses for w in header.warnings):
        left_out.append("warning examples")
    if detail.text_limit < full.text_limit:
        left_out.append("the end of long texts")
    if not left_out:
        return []
    return [
        "> [!NOTE]",
        "> This plan is summarised to fit a comment: every object, schema change and warning "
        f"is here, but not {', '.join(left_out)}. {FULL_PLAN}",
    ]


def _cut(text: str, limit: int) -> str:
    """Last resort for a plan whose essentials alone exceed ``limit``: cut at a line end."""
    note = f"\n\n> [!WARNING]\n> Cut here to fit a comment. {FULL_PLAN}\n"
    room = max(limit - len(note), 0)
    keep = text[:room]
    keep = keep[: len(keep) - max(comment_length(keep) - room, 0)]
    keep = keep[: keep.rfind("\n") + 1] if "\n" in keep else keep
    return keep.rstrip("\n") + note
