"""The text view: a plan as a terminal shows it, in the manner of ``terraform plan``.

Order: what the plan was made against, the legend, every schema change (schema first, as apply
runs it), every record change grouped by graph phase in apply order (no-ops are counted, never
listed), the quarantine, the holds, every warning, the API budget, and one closing summary line.
Lines are produced one at a time from the streamed record changes, so a 1,000,000-change plan
prints in constant memory. Colour is the caller's choice (the CLI turns it on only for a TTY).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from migrator.model import Action
from migrator.plan.model import PlanHeader, QuarantineEntry, RecordChange
from migrator.render.marks import legend, mark, paint
from migrator.render.outcomes import Outcome, header_outcomes, holds_total, quarantine_total
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
    """The whole text plan as one string ending in a newline (see :func:`iter_text`)."""
    lines = iter_text(header, changes, color=color, plan_sha256=plan_sha256, outcomes=outcomes)
    return "".join(f"{line}\n" for line in lines)


def iter_text(
    header: PlanHeader,
    changes: Iterable[RecordChange],
    *,
    color: bool = False,
    plan_sha256: str | None = None,
    outcomes: Iterable[Outcome] | None = None,
) -> Iterator[str]:
    """The text plan line by line (no line endings); ``changes`` is consumed once, lazily.

    ``outcomes`` is every quarantine and hold entry (:func:`~migrator.plan.planfile.
    iter_plan_outcomes`), also consumed once; without it the header's lists are shown, with a
    note when they are only the first of many.
    """
    yield from _heading(header, plan_sha256, color)
    yield from _schema(header, color)
    yield from _records(changes, color)
    yield from _not_written_entries(header, outcomes)
    yield from _warnings(header, color)
    yield from _budget(header)
    yield ""
    yield _bold(summary_line(header), color)


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


def _records(changes: Iterable[RecordChange], color: bool) -> Iterator[str]:
    phase: str | None = None
    for change in changes:
        if change.action is Action.NOOP:
            continue
        if change.phase != phase:
            phase = change.phase
            yield ""
            yield _bold(f"Records: {phase} ({change.mapping} -> {change.twenty_object}):", color)
        yield from _record(change, color)


def _record(change: RecordChange, color: bool) -> Iterator[str]:
    line = f"{mark(change.action, color=color)} {change.address}"
    if change.action in (Action.MERGE, Action.RESTORE):
        line += f" # into {change.twenty_object} {change.existing_id}: {change.reason}"
    elif change.action is not Action.CREATE:
        line += f" # {change.reason}"
    yield line
    for diff in change.field_diffs:
        yield f"        ~ {diff.path}: {show_diff(diff, limit=_VALUE_LIMIT)}"


def _not_written_entries(header: PlanHeader, outcomes: Iterable[Outcome] | None) -> Iterator[str]:
    quarantined, held = quarantine_total(header), holds_total(header)
    if not quarantined and not held:
        return
    yield ""
    yield f"Not written: {quarantined:,} quarantined, {held:,} held back:"
    shown = 0
    for entry in header_outcomes(header) if outcomes is None else outcomes:
        shown += 1
        if isinstance(entry, QuarantineEntry):
            yield f"  ! {entry.address} [quarantined: {entry.code}] {entry.reason}"
        else:
            blocked = f" (blocked by {entry.blocked_by})" if entry.blocked_by else ""
            yield f"  ! {entry.address} [held: {entry.code}] {entry.reason}{blocked}"
    if shown < quarantined + held:
        yield f"  … and {quarantined + held - shown:,} more, every one listed in the plan file."


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
