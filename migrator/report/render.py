"""Views of a :class:`HandoffReport`: Markdown for the customer, canonical JSON for tools.

Both show only what the report holds; the report holds values only where the spec says they
are not sensitive, so neither view can leak patient or customer data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from migrator.model import canonical_json
from migrator.report.model import HandoffReport, RunSummary

PHASE_COLUMNS = ("source", "written", "merged", "deduplicated", "quarantined", "held", "skipped")


def to_json(report: HandoffReport) -> str:
    """The report as canonical JSON (sorted keys, 2-space indent, trailing newline)."""
    document: dict[str, Any] = report.model_dump(mode="json")
    for run, model in zip(document["runs"], report.runs, strict=True):
        run["balanced"] = model.is_balanced
    return canonical_json(document, indent=2)


def _cell(value: object) -> str:
    text = "–" if value is None or value == "" else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def _run(run: RunSummary) -> list[str]:
    verdict = "balanced" if run.is_balanced else "NOT balanced"
    lines = [
        f"### {run.kind} run `{run.run_id}`: {run.status}, {verdict}",
        "",
        f"Started {run.started_at}, finished {run.finished_at or '–'}; plan `{run.plan_digest}`.",
        "",
    ]
    rows = [
        (p.phase, *(getattr(p, c) for c in PHASE_COLUMNS), "yes" if p.is_balanced else "NO")
        for p in run.phases
    ]
    return lines + _table(("phase", *PHASE_COLUMNS, "balanced"), rows)


def _state(report: HandoffReport) -> list[str]:
    if report.state_location is None:
        return ["No state yet: nothing has been applied. The lists below show the source side.", ""]
    lines = [
        f"State `{report.state_location}`, lineage `{report.lineage}`, serial {report.serial}.",
        "",
        "## Runs and per-phase reconciliation",
        "",
        "Each phase must account for every source record: source = written + merged + "
        "deduplicated + quarantined + held + skipped.",
        "",
    ]
    for run in report.runs:
        lines += _run(run)
    lines += ["## Records in Twenty", ""]
    lines += _table(
        ("mapping", "status", "records"),
        [(c.mapping, c.status.value, c.count) for c in report.record_counts],
    )
    return lines


def _quarantine(report: HandoffReport) -> list[str]:
    lines = [f"## Quarantine ({len(report.quarantine)} records)", ""]
    if not report.quarantine:
        return [*lines, "Nothing is quarantined.", ""]
    groups = Counter((q.mapping, q.code) for q in report.quarantine)
    lines += _table(
        ("mapping", "reason code", "records"), [(*k, n) for k, n in sorted(groups.items())]
    )
    rows = [(q.source_key, q.mapping, q.code, q.reason) for q in report.quarantine]
    return lines + _table(("source record", "mapping", "code", "reason"), rows)


def _owners(report: HandoffReport) -> list[str]:
    lines = ["## Owner reconciliation queue", ""]
    if not report.owner_queue and not report.held:
        return [*lines, "No record is held.", ""]
    lines += [
        "Owners with no Twenty workspace member: invite them (Settings → Members), then run "
        "`migrator delta` to write their records.",
        "",
    ]
    lines += _table(
        ("owner", "reason", "records held", "email (sha256)"),
        [(o.owner_key, o.code, o.records_held, o.owner_email_hash) for o in report.owner_queue],
    )
    rows = [(h.mapping, h.code, h.count, ", ".join(h.examples)) for h in report.held]
    return lines + _table(("mapping", "hold reason", "records", "e.g."), rows)


def _locked(report: HandoffReport) -> list[str]:
    section = report.locked
    lines = [f"## Locked records ({len(section.records)})", ""]
    flags = ", ".join(f"`{o}.{f}`" for o, f in sorted(section.flag_fields.items()))
    lines += [f"The source's lock is carried as a flag: {flags or 'no flag field is mapped'}.", ""]
    lines += [f"{n}. {step}" for n, step in enumerate(section.instructions, 1)]
    lines.append("")
    rows = [(r.source_key, r.twenty_object, r.twenty_id, r.state) for r in section.records]
    return lines + _table(("source record", "Twenty object", "Twenty id", "state"), rows)


def _joint(report: HandoffReport) -> list[str]:
    joint = report.joint
    if joint is None:
        return []
    lines = [f"## Joint-opportunity mapping (members: {len(joint.links)})", ""]
    lines += [
        f"Written as `{joint.field}` ({joint.mode})."
        if joint.field
        else "Not mapped: recreate the links by hand from this table.",
        "",
    ]
    rows = [
        (j.group, j.source_key, j.twenty_id, j.linked_source_key, j.linked_twenty_id)
        for j in joint.links
    ]
    header = ("group", "opportunity", "Twenty id", "linked to", "linked Twenty id")
    return lines + _table(header, rows)


def _renumbered(report: HandoffReport) -> list[str]:
    if not report.renumbered:
        return []
    lines = [
        f"## Renumbered records ({len(report.renumbered)})",
        "",
        "Numbering schemes do not carry over: the migrated numbers carry a prefix. Assign the "
        "final numbering before go-live.",
        "",
    ]
    rows = [
        (r.field, r.source_key, r.source_value, r.twenty_value, r.twenty_id)
        for r in report.renumbered
    ]
    return lines + _table(
        ("field", "source record", "source number", "in Twenty", "Twenty id"), rows
    )


def _care_plans(report: HandoffReport) -> list[str]:
    if not report.care_plans:
        return []
    lines = [
        f"## Care-plan instalment schedules awaiting sign-off ({len(report.care_plans)})",
        "",
        "Payment-plan instalment schedules require manual sign-off (guide gotcha): review each "
        "in AeronaClinic with the practice, then recreate it with the payment provider.",
        "",
    ]
    rows = [(c.source_key, c.instalments, "pending") for c in report.care_plans]
    return lines + _table(("care plan", "instalments", "sign-off"), rows)


def _lossy(report: HandoffReport) -> list[str]:
    lines = [f"## Lossy mappings ({len(report.lossy)})", ""]
    rows = [
        (m.topic + (" (guide: lossy)" if m.flagged_by_guide else ""), m.source, m.target, m.note)
        for m in report.lossy
    ]
    return lines + _table(("what", "source", "in Twenty", "what changes"), rows)


def to_markdown(report: HandoffReport) -> str:
    """The hand-off document."""
    lines = [f"# Hand-off report: {report.spec_name} ({report.system})", ""]
    for section in (
        _state,
        _quarantine,
        _owners,
        _locked,
        _joint,
        _renumbered,
        _care_plans,
        _lossy,
    ):
        lines += section(report)
    return "\n".join(lines).rstrip("\n") + "\n"
