"""The text view: a plan as a terminal shows it, in the manner of ``terraform plan``.

Order: what the plan was made against, the legend, every schema change (schema first, as apply
runs it), every record change grouped by graph phase in apply order (no-ops are counted, never
listed), the quarantine, the holds, every warning, the API budget, and one closing summary line.

What a huge plan shows: the same as a small one. ``DESIGN.md`` promises that ``plan`` shows
every custom field and every record that will change, and the text view is where a terminal, a
CI log or ``grep`` finds one: every record change is one line (``  + record.people[key]``, with
one indented line per field difference), however many there are. Bounding belongs to the
Markdown view (a pull-request comment, :mod:`migrator.render.markdown`); the JSON view is the
machine document. A summary with the first N changes per mapping would not be much cheaper: the
phases follow one another through the whole plan file, so it must still read every change to
reach each phase's first ones, and only the writing, about a second per million lines, would be
saved. So that a 1,000,000-change
plan is cheap to show, record lines are formatted with plain string operations (no markup, no
per-line function chain) and leave :func:`iter_text_chunks` in chunks of :data:`CHUNK_LINES`
lines: memory stays constant and a writer makes about a thousand calls, not millions.

Every quarantined record is listed with its reason (the plan file holds them all); held records
are listed as far as the plan keeps them (:data:`~migrator.plan.model.HEADER_OUTCOMES`), then
counted, with where their cause is shown.

A line never carries a control character from the data: values are shown as JSON
(:func:`~migrator.render.summary.show_value`) and addresses or reasons with a non-printable
character are escaped (``\\u001b``), so no source key can write terminal escapes or split a
change over two lines. Colour is the caller's choice (the CLI turns it on only for a TTY).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from migrator.model import Action
from migrator.plan.model import PlanHeader, QuarantineEntry, RecordChange
from migrator.render.marks import legend, mark, paint
from migrator.render.outcomes import (
    HOLDS_NOT_KEPT,
    Outcome,
    header_outcomes,
    holds_total,
    quarantine_total,
)
from migrator.render.summary import (
    count_label,
    destination_text,
    duration_text,
    plural,
    schema_detail,
    show_diff,
    source_text,
    state_text,
    totals,
    warning_count,
    warning_examples,
)

CHUNK_LINES = 1_000
"""Lines per chunk of :func:`iter_text_chunks` (a few hundred kilobytes at most)."""

_VALUE_LIMIT = 200
_BOLD = "1"
_YELLOW = "33"


def render_text(
    header: PlanHeader,
    changes: Iterable[RecordChange],
    *,
    color: bool = False,
    plan_sha256: str | None = None,
    outcomes: Iterable[Outcome] | None = None,
) -> str:
    """The whole text plan as one string ending in a newline (see :func:`iter_text_chunks`)."""
    chunks = iter_text_chunks(
        header, changes, color=color, plan_sha256=plan_sha256, outcomes=outcomes
    )
    return "".join(chunks)


def iter_text(
    header: PlanHeader,
    changes: Iterable[RecordChange],
    *,
    color: bool = False,
    plan_sha256: str | None = None,
    outcomes: Iterable[Outcome] | None = None,
) -> Iterator[str]:
    """The text plan line by line (no line endings); see :func:`iter_text_chunks`."""
    chunks = iter_text_chunks(
        header, changes, color=color, plan_sha256=plan_sha256, outcomes=outcomes
    )
    for chunk in chunks:
        yield from chunk[:-1].split("\n")


def iter_text_chunks(
    header: PlanHeader,
    changes: Iterable[RecordChange],
    *,
    color: bool = False,
    plan_sha256: str | None = None,
    outcomes: Iterable[Outcome] | None = None,
) -> Iterator[str]:
    """The text plan in chunks of whole lines, each ending in a newline, to write in order.

    ``changes`` is consumed once, lazily, and every record change other than a no-op is listed.
    ``outcomes`` is every quarantine and hold entry (:func:`~migrator.plan.planfile.
    iter_plan_outcomes`), also consumed once; without it the header's lists are shown, with a
    note when they are only the first of many.
    """
    yield _joined([*_heading(header, plan_sha256, color), *_schema(header, color)])
    yield from _record_chunks(changes, color)
    tail = _not_written_entries(header, outcomes)
    while block := list(islice(tail, CHUNK_LINES)):
        yield _joined(block)
    yield _joined(
        [*_warnings(header, color), *_budget(header), "", _bold(summary_line(header), color)]
    )


def summary_line(header: PlanHeader) -> str:
    """``Plan: N to create, …`` (or ``No changes.``), with what is not written and why."""
    if not header.has_changes:
        line = "No changes. Twenty already holds what the spec and the source describe."
    else:
        summed = totals(header)
        line = (
            f"Plan: {plural(len(header.schema_changes), 'schema change')}, {summed['create']:,} to "
            f"create, {summed['update']:,} to update, {summed['merge']:,} to merge, "
            f"{summed['restore']:,} to restore, {summed['delete']:,} to delete."
        )
    kept = _not_written(header)
    return f"{line} {kept}" if kept else line


def _joined(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def _not_written(header: PlanHeader) -> str:
    summed = totals(header)
    parts = [
        f"{summed[column]:,} {count_label(column)}"
        for column in ("quarantined", "held", "deduplicated", "skipped")
        if summed[column]
    ]
    return f"Not written: {', '.join(parts)}." if parts else ""


def _bold(text: str, color: bool) -> str:
    return paint(text, _BOLD) if color else text


def _printable(text: str) -> str:
    """``text`` as it is when every character prints; else with each other one as ``\\uXXXX``."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def _heading(header: PlanHeader, plan_sha256: str | None, color: bool) -> Iterator[str]:
    yield _bold(f"migrator plan: {header.name} ({header.kind})", color)
    yield f"  destination: {destination_text(header)}"
    yield f"  state:       {state_text(header)}"
    yield f"  spec:        {header.spec_digest}"
    yield f"  source:      {source_text(header)}"
    if header.targets:
        yield f"  targets:     {', '.join(header.targets)} (and what they need)"
    if plan_sha256 is not None:
        yield f"  plan file:   sha256 {plan_sha256}"
    if header.errored:
        yield _bold("  This plan errored: it can be shown, never applied.", color)
    yield ""
    yield "Marks:"
    yield from (f"  {line}" for line in legend())


def _schema(header: PlanHeader, color: bool) -> Iterator[str]:
    if not header.schema_changes:
        return
    yield ""
    yield _bold(f"Schema changes ({len(header.schema_changes):,}):", color)
    for change in header.schema_changes:
        yield f"{mark(change.action, color=color)} {change.address}"
        yield f"        {schema_detail(change)} # {change.reason}"


def _record_chunks(changes: Iterable[RecordChange], color: bool) -> Iterator[str]:
    """Every record change but no-ops, one line each (plus one per field difference), grouped
    under a heading per phase, in chunks of about :data:`CHUNK_LINES` lines."""
    marks = {action: mark(action, color=color) + " " for action in Action}
    phase: str | None = None
    lines: list[str] = []
    for change in changes:
        action = change.action
        if action is Action.NOOP:
            continue
        if change.phase != phase:
            phase = change.phase
            lines.append("")
            lines.append(
                _bold(f"Records: {phase} ({change.mapping} -> {change.twenty_object}):", color)
            )
        if action is Action.CREATE:
            text = change.address
        elif action is Action.MERGE or action is Action.RESTORE:
            text = (
                f"{change.address} # into {change.twenty_object} {change.existing_id}: "
                f"{change.reason}"
            )
        else:
            text = f"{change.address} # {change.reason}"
        lines.append(marks[action] + (text if text.isprintable() else _printable(text)))
        for diff in change.field_diffs:
            lines.append(
                f"        ~ {_printable(diff.path)}: {show_diff(diff, limit=_VALUE_LIMIT)}"
            )
        if len(lines) >= CHUNK_LINES:
            yield _joined(lines)
            lines = []
    if lines:
        yield _joined(lines)


def _not_written_entries(header: PlanHeader, outcomes: Iterable[Outcome] | None) -> Iterator[str]:
    quarantined, held = quarantine_total(header), holds_total(header)
    if not quarantined and not held:
        return
    yield ""
    yield f"Not written: {quarantined:,} quarantined, {held:,} held back:"
    shown = {"quarantine": 0, "hold": 0}
    for entry in header_outcomes(header) if outcomes is None else outcomes:
        if isinstance(entry, QuarantineEntry):
            shown["quarantine"] += 1
            line = f"  ! {entry.address} [quarantined: {entry.code}] {entry.reason}"
        else:
            shown["hold"] += 1
            blocked = f" (blocked by {entry.blocked_by})" if entry.blocked_by else ""
            line = f"  ! {entry.address} [held: {entry.code}] {entry.reason}{blocked}"
        yield _printable(line)
    yield from _unlisted(quarantined - shown["quarantine"], held - shown["hold"])


def _unlisted(quarantined: int, held: int) -> Iterator[str]:
    """Where the records not listed above can be read (the plan file has every quarantined one;
    it keeps only the first held ones, see ``PlanHeader.holds``)."""
    if quarantined > 0:
        yield (f"  … and {quarantined:,} more quarantined, every one listed in the plan file.")
    if held > 0:
        yield f"  … and {held:,} more held back: {HOLDS_NOT_KEPT}."


def _warnings(header: PlanHeader, color: bool) -> Iterator[str]:
    for warning in header.warnings:
        yield ""
        title = f"Warning: {warning.code} ({warning_count(warning):,})"
        yield paint(title, _YELLOW) if color else title
        yield f"  {warning.message}"
        examples = warning_examples(warning)
        if examples:
            yield f"  e.g. {examples}"


def _budget(header: PlanHeader) -> Iterator[str]:
    budget = header.budget
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in sorted(budget.requests.items()))
    yield ""
    yield (
        f"API budget: {budget.total_requests:,} requests to apply"
        + (f" ({kinds})" if kinds else "")
        + f", about {duration_text(budget.estimated_seconds)} at {budget.rate_limit_per_minute:,}"
        " requests per minute."
    )
    yield f"  Making this plan cost {budget.reads_for_plan:,} data requests to Twenty."
