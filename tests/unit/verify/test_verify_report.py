"""Sampling, conservation and the text report (no sensitive value ever printed)."""

from __future__ import annotations

from migrator.verify.check import in_sample
from migrator.verify.model import (
    Conservation,
    FieldDifference,
    QuarantinedRecord,
    RecordFinding,
    VerifyReport,
)
from migrator.verify.render import render_text


def test_sampling_is_deterministic_and_near_its_fraction() -> None:
    addresses = [f"record.people[opla:contacts:{i}]" for i in range(10_000)]
    picked = [a for a in addresses if in_sample(a, 0.05)]
    assert picked == [a for a in addresses if in_sample(a, 0.05)]
    assert 400 <= len(picked) <= 600
    assert all(in_sample(a, 1.0) for a in addresses[:10])


def test_a_row_not_written_breaks_the_balance() -> None:
    ok = Conservation(
        mapping="people", twenty_object="person", source=5, written=3, held=1, deduplicated=1
    )
    assert ok.is_balanced
    missing = ok.model_copy(update={"written": 2, "not_written": 1})
    assert not missing.is_balanced


def test_the_text_report_names_sensitive_fields_without_values() -> None:
    finding = RecordFinding(
        kind="differs",
        address="record.patients[aerona:patients:1]",
        twenty_object="person",
        twenty_id="p1",
        fields=(
            FieldDifference(path="name", sensitive=True),
            FieldDifference(path="city", twenty="Leeds", expected="York"),
        ),
    )
    report = VerifyReport(name="m", checked=1, findings=(finding,), finding_count=1)
    text = render_text(report)
    assert "name: differs (sensitive: values withheld)" in text
    assert "city: Twenty has 'Leeds', expected 'York'" in text
    assert not report.ok and text.rstrip().endswith("FAILED: see above.")


def test_the_quarantine_is_listed_with_codes_and_reasons() -> None:
    entry = QuarantinedRecord(
        address="record.patients[aerona:patients:7]",
        code="invalid_nhs_number",
        reason="record.patients[aerona:patients:7]: the NHS number fails its check digit",
    )
    report = VerifyReport(name="m", checked=0, quarantine=(entry,), quarantine_count=3)
    text = render_text(report)
    assert f"  {entry.address}: invalid_nhs_number: {entry.reason}" in text
    assert "Quarantined (3, not in Twenty on purpose):" in text and "… and 2 more" in text
    assert report.ok
