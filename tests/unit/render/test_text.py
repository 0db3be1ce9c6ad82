"""The text view reads like ``terraform plan``: action marks, schema first, colour on request."""

from __future__ import annotations

from syrupy.assertion import SnapshotAssertion

from migrator.model import Action
from migrator.plan.model import HoldEntry, QuarantineEntry
from migrator.render.marks import MARKS
from migrator.render.text import iter_text, render_text, summary_line
from tests.unit.render.plans import (
    CLINIC_SECRETS,
    clinic_changes,
    clinic_header,
    empty_header,
    sales_changes,
    sales_header,
)

SHA = "ab" * 32


def test_text_sales_plan_snapshot(snapshot_text: SnapshotAssertion) -> None:
    assert render_text(sales_header(), sales_changes(), plan_sha256=SHA) == snapshot_text


def test_text_clinic_plan_snapshot(snapshot_text: SnapshotAssertion) -> None:
    assert render_text(clinic_header(), clinic_changes()) == snapshot_text


def test_text_marks_every_listed_change_with_its_action() -> None:
    lines = render_text(sales_header(), sales_changes()).splitlines()
    for change in sales_changes():
        listed = [
            line for line in lines if line.endswith(change.address) or f"{change.address} #" in line
        ]
        if change.action is Action.NOOP:
            assert listed == []
            continue
        assert any(
            line.startswith(f"{MARKS[change.action]:>3} {change.address}") for line in listed
        )


def test_text_shows_schema_changes_before_records_and_summary_last() -> None:
    text = render_text(sales_header(), sales_changes())
    schema_at = text.index("Schema changes (4):")
    assert all(text.index(c.address) > schema_at for c in sales_header().schema_changes)
    assert text.index("+ field.company.oplaHealthscore") < text.index("Records: mapping.companies")
    assert text.rstrip("\n").splitlines()[-1] == summary_line(sales_header())
    assert summary_line(sales_header()).startswith(
        "Plan: 4 schema changes, 4 to create, 2 to update, 1 to merge, 1 to restore, 0 to delete."
    )


def test_text_shows_diffs_quarantine_holds_warnings_and_budget() -> None:
    text = render_text(sales_header(), sales_changes())
    assert '~ name: "Cong ty Minh Anh" -> "Công ty Minh Anh"' in text
    assert "~ emails.primaryEmail: (sensitive)" in text
    assert "Not written: 1 quarantined, 1 held back:" in text
    assert "[quarantined: invalid_email] primary email is not a valid address" in text
    assert "[held: owner_unresolved] owner has no workspace member" in text
    assert "(blocked by oplacrm:users:7)" in text
    for warning in sales_header().warnings:
        assert f"Warning: {warning.code}" in text
        assert warning.message in text
    assert "6 requests to apply" in text
    assert "about 4 s at 100 requests per minute" in text


def test_text_has_colour_only_when_asked() -> None:
    plain = render_text(sales_header(), sales_changes(), color=False)
    coloured = render_text(sales_header(), sales_changes(), color=True)
    assert "\x1b[" not in plain
    assert "\x1b[32m  +\x1b[0m record.companies[oplacrm:companies:1]" in coloured
    assert "\x1b[36m <=\x1b[0m record.companies[oplacrm:companies:4]" in coloured
    assert "\x1b[35m  ^\x1b[0m record.companies[oplacrm:companies:5]" in coloured


def test_text_never_shows_sensitive_values_even_when_a_diff_carries_them() -> None:
    text = render_text(clinic_header(), clinic_changes(), color=True)
    for secret in (*CLINIC_SECRETS, "9990000000", "z.q@example.org"):
        assert secret not in text
    assert text.count("(sensitive)") == 7


def test_text_of_a_plan_without_changes_says_so() -> None:
    text = render_text(empty_header(), [])
    assert "No changes." in text
    assert "Records:" not in text
    assert "Schema changes" not in text


def test_text_value_cannot_inject_terminal_escapes_or_lines() -> None:
    from migrator.plan.model import FieldDiff
    from tests.unit.render.plans import change

    evil = change(
        "people",
        "person",
        1,
        Action.UPDATE,
        diffs=(FieldDiff(path="jobTitle", before="a\nb", after="\x1b[31mred"),),
    )
    lines = list(iter_text(empty_header(), [evil]))
    assert '        ~ jobTitle: "a\\nb" -> "\\u001b[31mred"' in lines
    assert not any("\x1b" in line for line in lines)


def test_text_lists_every_outcome_of_the_file_or_says_the_header_is_cut() -> None:
    header = sales_header()
    extra = [
        QuarantineEntry(
            address=f"record.people[oplacrm:people:q{n}]",
            mapping="people",
            source_key=f"oplacrm:people:q{n}",
            code="invalid_email",
            reason="primary email is not a valid address",
        )
        for n in range(5)
    ]
    cut = header.model_copy(update={"quarantine_total": 6, "holds_total": 1})
    every: list[QuarantineEntry | HoldEntry] = [*header.quarantine, *extra, *header.holds]
    full = render_text(cut, [], outcomes=iter(every)).splitlines()
    assert "Not written: 6 quarantined, 1 held back:" in full
    assert sum(line.startswith("  ! ") for line in full) == 7
    assert not any("more, every one listed" in line for line in full)
    partial = render_text(cut, [])
    assert partial.count("\n  ! ") == 2
    assert "  … and 5 more quarantined, every one listed in the plan file." in partial


def test_text_escapes_what_would_not_print_in_addresses_and_reasons() -> None:
    from tests.unit.render.plans import change

    sneaky = change("people", "person", 1, Action.UPDATE, reason="changed\x1b[2J")
    sneaky = sneaky.model_copy(update={"address": "record.people[a\nb\u200bc]"})
    lines = list(iter_text(empty_header(), [sneaky], color=True))
    record = next(line for line in lines if "record.people[" in line)
    assert record.endswith("record.people[a\\u000ab\\u200bc] # changed\\u001b[2J")
    assert record.count("\x1b") == 2  # the mark's colour only
    assert not any("[2J" in line and "\\u001b" not in line for line in lines)


def test_text_counts_held_records_the_plan_does_not_keep_and_says_why() -> None:
    header = sales_header().model_copy(update={"holds_total": 40})
    kept: list[QuarantineEntry | HoldEntry] = [*header.quarantine, *header.holds]
    text = render_text(header, [], outcomes=iter(kept))
    assert "Not written: 1 quarantined, 40 held back:" in text
    assert (
        "  … and 39 more held back: the plan keeps only the first held records (apply decides "
        "each again); the counts per object are exact, and `migrator audit SPEC` names the "
        "owners with no Twenty member, the usual cause.\n"
    ) in text
    assert "every one listed in the plan file" not in text
