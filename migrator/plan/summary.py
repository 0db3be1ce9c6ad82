"""A plain-text summary of a plan header: what ``migrator plan`` prints until the full
renderings (text, Markdown, JSON; issue #9) exist.

A view of the data only (style.md 3.1): it reads a :class:`PlanHeader` and returns lines. It
shows counts, addresses, codes and reasons, never a payload value, so nothing sensitive can
appear in it.
"""

from __future__ import annotations

from migrator.plan.model import MappingCounts, PlanHeader

_COLUMNS = (
    ("create", "create"),
    ("update", "update"),
    ("merge", "merge"),
    ("restore", "restore"),
    ("no-op", "noop"),
    ("quarantined", "quarantined"),
    ("held", "held"),
    ("dedup", "deduplicated"),
    ("skipped", "skipped"),
    ("aggregated", "aggregated"),
    ("links", "links"),
)
_MARKS = {"create": "+", "update": "~", "merge": "<", "restore": "^", "delete": "-"}


def _table(counts: tuple[MappingCounts, ...]) -> list[str]:
    header = ["mapping", "object", "source", *(title for title, _ in _COLUMNS)]
    rows = [header]
    for item in counts:
        values = [str(getattr(item, name)) for _, name in _COLUMNS]
        rows.append([item.mapping, item.twenty_object, str(item.source), *values])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return [
        "  "
        + "  ".join(
            cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        )
        for row in rows
    ]


def _total(header: PlanHeader, name: str) -> int:
    return sum(int(getattr(item, name)) for item in header.counts)


def summary_lines(header: PlanHeader) -> list[str]:
    """The summary of ``header`` as lines of text (no trailing newlines)."""
    dest = header.destination
    prior = header.prior_state
    lines = [
        f"Plan {header.name!r} against {dest.base_url} (workspace {dest.workspace_id})",
        f"  spec {header.spec_digest}",
        f"  source {header.source.system} {header.source.digest}"
        if header.source
        else "  source: -",
        f"  state {prior.lineage} serial {prior.serial}" if prior else "  state: none yet",
    ]
    if header.targets:
        lines.append(f"  limited to: {', '.join(header.targets)} (and what they need)")
    lines.append("")
    lines.append(f"Schema changes: {len(header.schema_changes)}")
    for change in header.schema_changes:
        lines.append(
            f"  {_MARKS.get(change.action.value, '?')} {change.address}  ({change.reason})"
        )
    lines += ["", "Records:", *_table(header.counts)]
    if header.warnings:
        lines += ["", f"Warnings: {len(header.warnings)}"]
        for warning in header.warnings:
            lines.append(f"  ! {warning.code} ({warning.count or 1}): {warning.message}")
    budget = header.budget
    kinds = ", ".join(f"{kind} {count}" for kind, count in budget.requests.items())
    lines += [
        "",
        f"API budget: {budget.total_requests} requests ({kinds}); about "
        f"{budget.estimated_seconds / 60:.1f} min at {budget.rate_limit_per_minute}/min",
        f"  making this plan read {budget.reads_for_plan} data and "
        f"{budget.metadata_reads_for_plan} metadata requests",
        "",
        f"Plan: {_total(header, 'create')} to create, {_total(header, 'update')} to update, "
        f"{_total(header, 'merge')} to merge, {_total(header, 'restore')} to restore, "
        f"{_total(header, 'delete')} to delete, {_total(header, 'links')} links; "
        f"{_total(header, 'quarantined')} quarantined, "
        f"{_total(header, 'held')} held, {len(header.schema_changes)} schema changes.",
    ]
    return lines
