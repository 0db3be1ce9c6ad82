"""Views of an :class:`AuditReport`: plain text for people, canonical JSON for machines.

Both show only what the report holds (counts, rule messages, record keys), so neither can leak
a source value. The text groups checks by level (errors first) and category; the JSON is the
report itself plus a summary, with sorted keys.
"""

from __future__ import annotations

from typing import Any

from migrator.audit.model import AuditCheck, AuditReport, Level
from migrator.model import canonical_json

_HEADINGS = {
    Level.ERROR: "ERRORS: these records would be quarantined",
    Level.WARN: "WARNINGS: these records load, but need a look",
    Level.FIX: "FIXES: values normalised on the way",
    Level.INFO: "NOTES: for the hand-off",
}


def summary(report: AuditReport) -> dict[str, int]:
    """How many checks of each level, and how many records would be quarantined."""
    counts = {level.value: 0 for level in Level}
    for check in report.checks:
        counts[check.level.value] += 1
    counts["records_quarantined"] = report.quarantined
    return counts


def to_json(report: AuditReport) -> str:
    """The report as canonical JSON (sorted keys, 2-space indent, trailing newline)."""
    document: dict[str, Any] = report.model_dump(mode="json")
    document["summary"] = summary(report)
    document["exit_code"] = 1 if report.has_errors else 0
    return canonical_json(document, indent=2)


def _where(check: AuditCheck) -> str:
    return f"{check.object}.{check.field}" if check.field else check.object


def _check_lines(check: AuditCheck) -> list[str]:
    lines = [f"  [{check.category.value}] {_where(check)}: {check.message} ({check.code})"]
    lines.append(f"      count: {check.count}")
    if check.examples:
        lines.append(f"      e.g. {', '.join(check.examples)}")
    if check.hint:
        lines.append(f"      next: {check.hint}")
    return lines


def _objects(report: AuditReport) -> list[str]:
    width = max((len(o.object) for o in report.objects), default=10)
    lines = ["Records per source object:"]
    for item in report.objects:
        where = ", ".join(item.twenty_objects) or item.role
        text = f"  {item.object:<{width}} {item.records:>9}  → {where}"
        if item.quarantined:
            text += f"  ({item.quarantined} would be quarantined)"
        lines.append(text)
    return lines


def _destination(report: AuditReport) -> str:
    dest = report.destination
    if dest.checked:
        return f"Destination {dest.base_url}: checked with {dest.requests} requests."
    return f"Destination {dest.base_url or '(none)'}: not checked ({dest.reason})."


def to_text(report: AuditReport) -> str:
    """The report for a terminal or a CI log."""
    lines = [
        f"Audit of {report.spec_name}: {report.system} bundle {report.bundle_fingerprint}",
        "",
        *_objects(report),
    ]
    for level in Level:
        checks = [c for c in report.checks if c.level is level]
        if checks:
            lines += ["", _HEADINGS[level]]
            for check in checks:
                lines += _check_lines(check)
    counts = summary(report)
    lines += [
        "",
        _destination(report),
        f"Summary: {counts['error']} error, {counts['warn']} warning, {counts['fix']} fix and "
        f"{counts['info']} note checks; {counts['records_quarantined']} records would be "
        "quarantined.",
    ]
    return "\n".join(lines) + "\n"
