"""The sections of the Markdown plan, each a pure function of the header and a detail level.

Every user-supplied or data-derived string goes through :func:`cell` (table cells and list text:
no line breaks, no table pipes, no raw HTML) or :func:`code` (inline code) or :func:`fence`
(a fenced block whose fence is longer than any run of backticks inside), so no value can break
the comment's layout or smuggle markup into it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from migrator.model import Action
from migrator.plan.model import SENSITIVE_MARKER, PlanHeader
from migrator.render.marks import LISTED_ACTIONS, MARKS, VERBS
from migrator.render.outcomes import HOLDS_NOT_KEPT, OutcomeGroup
from migrator.render.samples import ObjectSample, is_later_pass
from migrator.render.summary import (
    count_columns,
    count_label,
    destination_text,
    duration_text,
    flatten,
    schema_detail,
    show_diff,
    show_value,
    source_text,
    state_text,
    totals,
    warning_count,
)

_BACKTICKS = re.compile(r"`+")


@dataclass(frozen=True)
class Detail:
    """How much a Markdown plan shows beyond what it must (every object, change and warning)."""

    samples: int
    """Sampled record changes shown per object (0: the section is left out)."""
    value_limit: int
    """Longest value shown in a sample, in characters."""
    graph: bool
    """Whether the mermaid graph is included."""
    entry_examples: int
    """Example addresses per quarantine or hold group."""
    warning_examples: bool
    """Whether each warning lists its example addresses."""
    text_limit: int
    """Longest reason or message shown, in characters."""


def cell(text: str, limit: int = 10_000) -> str:
    """``text`` safe for a table cell or list item: one line, pipes and angle brackets escaped."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return flat.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def code(text: str) -> str:
    """``text`` as inline code that survives backticks and pipes inside it."""
    flat = " ".join(text.split()).replace("|", "\\|")
    longest = max((len(run) for run in _BACKTICKS.findall(flat)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def fence(language: str, lines: Sequence[str]) -> list[str]:
    """A fenced code block around ``lines``, fenced longer than any backtick run inside."""
    longest = max((len(run) for line in lines for run in _BACKTICKS.findall(line)), default=0)
    ticks = "`" * max(3, longest + 1)
    return [f"{ticks}{language}", *lines, ticks]


def overview(header: PlanHeader, plan_sha256: str | None, summary: str) -> list[str]:
    """Title, the one-line summary, the plan file digest, and what the plan was made against."""
    lines = [f"## migrator plan: {code(header.name)}", "", f"**{cell(summary)}**", ""]
    if plan_sha256 is not None:
        lines.append(
            f"Plan file sha256: {code(plan_sha256)}. Approve and apply exactly this file: "
            "`migrator apply` refuses a plan whose state, spec or source has moved on."
        )
    else:
        lines.append("This plan was not saved: make it with `-o FILE` to get a file to apply.")
    if header.errored:
        lines += ["", "> **This plan errored: it can be shown, never applied.**"]
    rows = [
        ("destination", cell(destination_text(header))),
        ("state", cell(state_text(header))),
        ("spec", code(header.spec_digest)),
        ("source", cell(source_text(header))),
        ("migrator", cell(f"{header.migrator_version} (plan format {header.format_version})")),
    ]
    if header.targets:
        rows.append(("targets", cell(", ".join(header.targets))))
    lines += ["", "| made against | |", "| --- | --- |"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    return lines


def counts_table(header: PlanHeader) -> list[str]:
    """One row per object (every mapping of the plan) with each count, then the totals."""
    columns = ("source", *count_columns(header))
    lines = [
        "### Records per object",
        "",
        "| object | Twenty object | " + " | ".join(count_label(c) for c in columns) + " |",
        "| --- | --- | " + " | ".join("---:" for _ in columns) + " |",
    ]
    for counts in header.counts:
        values = " | ".join(f"{getattr(counts, c):,}" for c in columns)
        lines.append(f"| {code(counts.mapping)} | {cell(counts.twenty_object)} | {values} |")
    summed = totals(header)
    lines.append("| **total** | | " + " | ".join(f"**{summed[c]:,}**" for c in columns) + " |")
    if not header.counts:
        lines += ["", "No source records are mapped by this plan."]
    return lines


def schema_table(header: PlanHeader, detail: Detail) -> list[str]:
    """Every schema change, in apply order."""
    changes = header.schema_changes
    lines = [f"### Schema changes ({len(changes):,})", ""]
    if not changes:
        return [*lines, "None: Twenty already has every object, field and option the spec needs."]
    lines += ["| | address | what | reason |", "| :-: | --- | --- | --- |"]
    for change in changes:
        lines.append(
            f"| {code(MARKS[change.action])} | {code(change.address)} | "
            f"{cell(schema_detail(change), detail.text_limit)} | "
            f"{cell(change.reason, detail.text_limit)} |"
        )
    return lines


def warning_list(header: PlanHeader, detail: Detail) -> list[str]:
    """Every warning with its count (and, when room allows, its example addresses)."""
    lines = [f"### Warnings ({len(header.warnings):,})", ""]
    if not header.warnings:
        return [*lines, "None."]
    for warning in header.warnings:
        item = (
            f"- **{code(warning.code)}** ({warning_count(warning):,}): "
            f"{cell(warning.message, detail.text_limit)}"
        )
        if detail.warning_examples and warning.addresses:
            shown = ", ".join(code(a) for a in warning.addresses)
            more = max(warning.count - len(warning.addresses), 0)
            item += f" (e.g. {shown}" + (f" and {more:,} more)" if more else ")")
        lines.append(item)
    return lines


def entry_table(
    title: str, groups: Sequence[OutcomeGroup], total: int, detail: Detail, *, kept_all: bool
) -> list[str]:
    """Quarantined or held records, one row per object and reason code (every group shown).

    ``total`` is how many records there are in all; when the groups count fewer, the table says
    so and where the rest are: in the plan file when it keeps them all (``kept_all``, the
    quarantine: only a header alone lists fewer), else :data:`HOLDS_NOT_KEPT`.
    """
    if not total:
        return []
    lines = [
        f"### {title} ({total:,})",
        "",
        "| object | code | records | reason (first) | examples |",
        "| --- | --- | ---: | --- | --- |",
    ]
    for group in groups:
        examples = ", ".join(code(a) for a in group.examples[: detail.entry_examples])
        lines.append(
            f"| {code(group.mapping)} | {code(group.code)} | {group.count:,} | "
            f"{cell(group.reason, detail.text_limit)} | {examples} |"
        )
    counted = sum(group.count for group in groups)
    if counted < total:
        rest = "the plan file lists every one" if kept_all else HOLDS_NOT_KEPT
        lines += ["", f"Grouped from the first {counted:,} of {total:,}; {rest}."]
    return lines


def budget_table(header: PlanHeader) -> list[str]:
    """Requests apply needs by kind, the total, the estimated time, and what planning cost."""
    budget = header.budget
    lines = ["### API budget", "", "| requests to apply | count |", "| --- | ---: |"]
    lines += [f"| {code(kind)} | {n:,} |" for kind, n in sorted(budget.requests.items())]
    lines.append(f"| **total** | **{budget.total_requests:,}** |")
    lines += [
        "",
        f"About **{duration_text(budget.estimated_seconds)}** at "
        f"{budget.rate_limit_per_minute:,} requests per minute. Making this plan cost "
        f"{budget.reads_for_plan:,} data requests to Twenty.",
    ]
    return lines


def sample_sections(
    header: PlanHeader, samples: Mapping[str, ObjectSample], detail: Detail
) -> list[str]:
    """A few record changes per object (collapsed), values cut, sensitive values as markers."""
    if detail.samples <= 0 or not samples:
        return []
    payloads = {sample.address: sample.payload for sample in header.samples}
    order = [c.mapping for c in header.counts if c.mapping in samples]
    order += sorted(m for m in samples if m not in order)
    lines = ["### Sample record changes", ""]
    for mapping in order:
        sample = samples[mapping]
        picked = sample.pick(detail.samples)
        body: list[str] = []
        for change in picked:
            later = f"  # {change.phase}" if is_later_pass(change) else ""
            body.append(f"{MARKS[change.action]} {change.address}{later}")
            if change.action is Action.CREATE and change.address in payloads:
                body += [
                    f"    {path} = {_payload_value(value, detail.value_limit)}"
                    for path, value in flatten(payloads[change.address])
                ]
            body += [
                f"    ~ {d.path}: {show_diff(d, limit=detail.value_limit)}"
                for d in change.field_diffs
            ]
        summary = html.escape(
            f"{mapping} → {sample.twenty_object}: {len(picked)} of {sample.listed:,} record changes"
        )
        lines += [f"<details><summary>{summary}</summary>", "", *fence("diff", body)]
        lines += ["", "</details>", ""]
    return lines


def _payload_value(value: object, limit: int) -> str:
    return SENSITIVE_MARKER if value == SENSITIVE_MARKER else show_value(value, limit=limit)


def graph_section(mermaid: str | None, detail: Detail) -> list[str]:
    """The dependency graph as a collapsed mermaid block (left out when there is none)."""
    if mermaid is None or not detail.graph:
        return []
    return [
        "### Dependency graph",
        "",
        "<details><summary>What apply writes, in which order</summary>",
        "",
        *fence("mermaid", mermaid.rstrip("\n").split("\n")),
        "",
        "</details>",
    ]


def legend_lines() -> Iterator[str]:
    """The marks, as a footnote."""
    marks = " · ".join(f"{code(MARKS[a])} {VERBS[a]}" for a in LISTED_ACTIONS)
    yield f"<sub>Marks: {marks}. No-ops are counted, never listed.</sub>"
