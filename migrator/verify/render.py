"""The verify report as text for a terminal (JSON is the model's own dump).

Sensitive fields are named, never shown: a difference in one reads "(sensitive: values
withheld)".
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.model import canonical_json
from migrator.verify.model import Conservation, RecordFinding, VerifyReport

FIELDS_LISTED = 10


def _value(value: object) -> str:
    return canonical_json(value) if not isinstance(value, str) else repr(value)


def finding_lines(finding: RecordFinding) -> Iterator[str]:
    """One finding: the record, then each field that differs."""
    where = f" ({finding.twenty_object} {finding.twenty_id})" if finding.twenty_id else ""
    yield f"  {finding.kind}: {finding.address}{where}"
    for item in finding.fields[:FIELDS_LISTED]:
        if item.sensitive:
            yield f"      {item.path}: differs (sensitive: values withheld)"
        else:
            twenty, expected = _value(item.twenty), _value(item.expected)
            yield f"      {item.path}: Twenty has {twenty}, expected {expected}"
    if len(finding.fields) > FIELDS_LISTED:
        yield f"      … and {len(finding.fields) - FIELDS_LISTED} more fields"


def conservation_line(c: Conservation) -> str:
    """One mapping's balance."""
    line = (
        f"  {c.mapping}: source {c.source} = written {c.written} + merged {c.merged} + "
        f"deduplicated {c.deduplicated} + quarantined {c.quarantined} + held {c.held} + "
        f"skipped {c.skipped} + aggregated {c.aggregated}"
    )
    if c.outside_sample:
        line += f" + outside the sample {c.outside_sample}"
    if c.not_written:
        line += f"  (NOT WRITTEN {c.not_written})"
    elif not c.is_balanced:
        line += "  (DOES NOT ADD UP)"
    return line


def render_text(report: VerifyReport) -> str:
    """The whole report."""
    scope = f"a sample of {report.sample}" if report.sample is not None else "every record"
    lines = [
        f"Verify {report.name}: {report.checked} records read back ({scope}), "
        f"{report.reads} read requests.",
    ]
    if report.migration_sample is not None:
        lines.append(
            f"The state holds a sample migration ({report.migration_sample} records asked for): "
            "the rows outside it are counted, not expected in Twenty."
        )
    lines += [
        "",
        "Conservation:",
        *(conservation_line(c) for c in report.conservation),
    ]
    if report.findings:
        lines += ["", f"Differences ({report.finding_count}):"]
        for finding in report.findings:
            lines.extend(finding_lines(finding))
        if report.finding_count > len(report.findings):
            lines.append(f"  … and {report.finding_count - len(report.findings)} more")
    if report.quarantine_count:
        lines += ["", f"Quarantined ({report.quarantine_count}, not in Twenty on purpose):"]
        lines += [f"  {q.address}: {q.code}: {q.reason}" for q in report.quarantine]
        if report.quarantine_count > len(report.quarantine):
            lines.append(f"  … and {report.quarantine_count - len(report.quarantine)} more")
    if report.notes:
        lines += ["", "Expected differences:", *(f"  {n}" for n in report.notes)]
    lines += ["", "OK: Twenty holds what the source says." if report.ok else "FAILED: see above."]
    return "\n".join(lines) + "\n"
