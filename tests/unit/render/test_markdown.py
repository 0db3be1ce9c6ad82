"""The Markdown view: everything a reviewer needs, escaped, and never over the comment limit."""

from __future__ import annotations

from syrupy.assertion import SnapshotAssertion

from migrator.model import Action
from migrator.plan.model import FieldDiff, HoldEntry, PlanWarning, QuarantineEntry
from migrator.render.markdown import FULL_PLAN, MARKDOWN_LIMIT, comment_length, render_markdown
from migrator.render.markdown_sections import cell, code, fence
from migrator.render.outcomes import HOLDS_NOT_KEPT
from tests.unit.render.plans import (
    CLINIC_SECRETS,
    MERMAID,
    change,
    clinic_changes,
    clinic_header,
    empty_header,
    sales_changes,
    sales_header,
)

SHA = "cd" * 32


def test_markdown_sales_plan_snapshot(snapshot_md: SnapshotAssertion) -> None:
    text = render_markdown(sales_header(), sales_changes(), plan_sha256=SHA, mermaid=MERMAID)
    assert text == snapshot_md


def test_markdown_clinic_plan_snapshot(snapshot_md: SnapshotAssertion) -> None:
    assert render_markdown(clinic_header(), clinic_changes()) == snapshot_md


def test_markdown_has_every_object_schema_change_warning_and_the_digest() -> None:
    header = sales_header()
    text = render_markdown(header, sales_changes(), plan_sha256=SHA, mermaid=MERMAID)
    assert f"Plan file sha256: `{SHA}`" in text
    for counts in header.counts:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{counts.mapping}` |"))
        cells = [part.strip() for part in row.strip("|").split("|")]
        assert cells[2:13] == [
            str(getattr(counts, column))
            for column in (
                "source",
                "create",
                "update",
                "merge",
                "restore",
                "delete",
                "noop",
                "quarantined",
                "held",
                "deduplicated",
                "skipped",
            )
        ]
    for schema_change in header.schema_changes:
        assert f"`{schema_change.address}`" in text
    for warning in header.warnings:
        assert f"**`{warning.code}`**" in text
    assert "```mermaid\nflowchart TD\n" in text
    assert "| **total** | **6** |" in text
    assert "This plan is summarised" not in text


def test_markdown_samples_prefer_rare_actions_and_show_payload_markers() -> None:
    text = render_markdown(sales_header(), sales_changes())
    people = text[text.index("people → person: 3 of 3") :]
    people = people[: people.index("</details>")]
    assert people.index("- record.people[oplacrm:people:12]") < people.index(
        "+ record.people[oplacrm:people:10]"
    )
    assert "    name.firstName = (sensitive)" in people
    assert "    ~ emails.primaryEmail: (sensitive)" in people


def test_markdown_never_shows_sensitive_values() -> None:
    text = render_markdown(clinic_header(), clinic_changes(), mermaid=MERMAID)
    for secret in (*CLINIC_SECRETS, "9990000000", "z.q@example.org"):
        assert secret not in text
    assert "nhsNumber = (sensitive)" in text


def test_markdown_escapes_values_that_would_break_tables_or_fences() -> None:
    assert cell("a|b\n<script>") == "a\\|b &lt;script&gt;"
    assert code("x`y") == "``x`y``"
    assert code("`edge") == "`` `edge ``"
    assert fence("diff", ["value ```x```"])[0] == "````diff"
    risky = change(
        "people",
        "person",
        1,
        Action.UPDATE,
        diffs=(FieldDiff(path="jobTitle", before="```", after="</details>"),),
    )
    header = sales_header().model_copy(
        update={"warnings": (PlanWarning(code="odd", message="a | b <b>bold</b>\nnext"),)}
    )
    text = render_markdown(header, [risky])
    assert "- **`odd`** (0): a \\| b &lt;b&gt;bold&lt;/b&gt; next" in text
    assert (
        '````diff\n~ record.people[oplacrm:people:1]\n    ~ jobTitle: "```" -> "</details>"\n````'
        in text
    )


def test_markdown_without_a_saved_file_says_how_to_get_one() -> None:
    text = render_markdown(empty_header(), [])
    assert "make it with `-o FILE`" in text
    assert "No changes." in text
    assert "### Sample record changes" not in text


def test_markdown_summarises_a_plan_too_big_for_a_comment() -> None:
    header = sales_header()
    warnings = tuple(
        PlanWarning(
            code=f"warning_{n:03d}",
            message="w" * 150,
            addresses=(f"record.people[x:{n}]",) * 5,
            count=9,
        )
        for n in range(120)
    )
    quarantine = tuple(
        QuarantineEntry(
            address=f"record.people[oplacrm:people:{n}]",
            mapping="people",
            source_key=f"oplacrm:people:{n}",
            code=f"code_{n % 40}",
            reason="r" * 200,
        )
        for n in range(5000)
    )
    big = header.model_copy(update={"warnings": warnings, "quarantine": quarantine})
    changes = [
        change(
            "people",
            "person",
            n,
            Action.UPDATE,
            diffs=(FieldDiff(path="jobTitle", before="x" * 500, after="y" * 500),),
        )
        for n in range(50)
    ]
    text = render_markdown(big, changes, plan_sha256=SHA, mermaid=MERMAID * 300)
    assert len(text) <= MARKDOWN_LIMIT
    assert "This plan is summarised to fit a comment" in text
    for warning in warnings:
        assert f"**`{warning.code}`**" in text
    for counts in header.counts:
        assert f"| `{counts.mapping}` |" in text
    for n in range(40):
        assert f"`code_{n}`" in text
    assert SHA in text


def test_markdown_hard_limit_holds_even_for_absurd_essentials() -> None:
    warnings = tuple(PlanWarning(code=f"w{n}", message="m" * 100) for n in range(2000))
    header = sales_header().model_copy(update={"warnings": warnings})
    text = render_markdown(header, [], limit=20_000)
    assert len(text) <= 20_000
    assert text.endswith(f"Cut here to fit a comment. {FULL_PLAN}\n")


def test_markdown_groups_every_outcome_of_the_file_or_says_the_header_is_cut() -> None:
    header = sales_header()
    more = [
        QuarantineEntry(
            address=f"record.people[oplacrm:people:q{n}]",
            mapping="people",
            source_key=f"oplacrm:people:q{n}",
            code="invalid_email" if n % 2 else "orphan_reference",
            reason="a reason",
        )
        for n in range(4)
    ]
    cut = header.model_copy(update={"quarantine_total": 5, "holds_total": 1})
    every: list[QuarantineEntry | HoldEntry] = [*header.quarantine, *more, *header.holds]
    full = render_markdown(cut, [], outcomes=iter(every))
    assert "### Quarantined: not written (5)" in full
    assert "| `people` | `invalid_email` | 3 |" in full
    assert "| `people` | `orphan_reference` | 2 |" in full
    assert "Grouped from the first" not in full
    partial = render_markdown(cut, [])
    assert "| `people` | `invalid_email` | 1 |" in partial
    assert "Grouped from the first 1 of 5; the plan file lists every one." in partial


def test_markdown_limit_counts_characters_as_javascript_and_github_do_at_most() -> None:
    wide = tuple(PlanWarning(code=f"w{n}", message="🙂" * 150) for n in range(400))
    header = sales_header().model_copy(update={"warnings": wide})
    text = render_markdown(header, [], limit=20_000)
    assert comment_length(text) <= 20_000
    assert len(text) < comment_length(text)  # each emoji is two UTF-16 code units
    assert comment_length("a🙂é") == 4


def test_markdown_says_held_records_beyond_the_kept_ones_are_counted_not_listed() -> None:
    header = sales_header().model_copy(update={"holds_total": 40})
    text = render_markdown(header, [])
    assert "### Held back: not written yet (40)" in text
    assert f"Grouped from the first 1 of 40; {HOLDS_NOT_KEPT}." in text
    assert "the plan file lists every one" not in text
