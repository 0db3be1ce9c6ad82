"""A 1,000,000-change plan file renders as a Markdown comment under 60,000 characters.

The plan is written for real with :class:`PlanWriter` and read back with the streaming reader,
so this is the path ``migrator plan --format markdown`` takes on a saved plan; every object and
every warning must still be in the comment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator import __version__
from migrator.model import Action
from migrator.plan.model import (
    HEADER_OUTCOMES,
    ApiBudget,
    DestinationIdentity,
    FieldDiff,
    MappingCounts,
    PlanHeader,
    PlanWarning,
    QuarantineEntry,
    RecordChange,
    SchemaChange,
)
from migrator.plan.planfile import (
    PlanWriter,
    iter_plan_outcomes,
    iter_record_changes,
    plan_file_sha256,
    read_plan_header,
)
from migrator.render.markdown import MARKDOWN_LIMIT, render_markdown

TOTAL = 1_000_000
MAPPINGS = (
    ("companies", "company", 150_000),
    ("people", "person", 400_000),
    ("opportunities", "opportunity", 250_000),
    ("notes", "note", 120_000),
    ("tasks", "task", 60_000),
    ("invoices", "oplaInvoice", 20_000),
)
QUARANTINED = 20_000
ACTIONS = (Action.UPDATE, Action.MERGE, Action.RESTORE, Action.DELETE)


def _write_changes(writer: PlanWriter) -> list[MappingCounts]:
    counts = []
    for mapping, twenty_object, size in MAPPINGS:
        tally = dict.fromkeys(("create", "update", "merge", "restore", "delete"), 0)
        for i in range(size):
            action = ACTIONS[(i // 1000) % 4] if i % 1000 == 999 else Action.CREATE
            tally[action.value] += 1
            diffs = (
                (FieldDiff(path="name", before=f"old {i}", after=f"new {i}"),)
                if action is Action.UPDATE
                else ()
            )
            writer.add(
                RecordChange.model_construct(
                    address=f"record.{mapping}[oplacrm:{mapping}:{i}]",
                    mapping=mapping,
                    source_key=f"oplacrm:{mapping}:{i}",
                    twenty_object=twenty_object,
                    twenty_id=f"00000000-0000-5000-8000-{i:012d}",
                    action=action,
                    reason="new record" if action is Action.CREATE else "changed",
                    payload_digest="sha256:" + f"{i:064x}",
                    phase=f"mapping.{mapping}",
                    existing_id=None,
                    field_diffs=diffs,
                )
            )
        counts.append(
            MappingCounts(mapping=mapping, twenty_object=twenty_object, source=size, **tally)
        )
    return counts


def _quarantine() -> tuple[QuarantineEntry, ...]:
    return tuple(
        QuarantineEntry(
            address=f"record.people[oplacrm:people:q{n}]",
            mapping="people",
            source_key=f"oplacrm:people:q{n}",
            code=f"invalid_{n % 25}",
            reason="the value fails its check",
        )
        for n in range(QUARANTINED)
    )


def _header(counts: list[MappingCounts]) -> PlanHeader:
    schema = tuple(
        SchemaChange(
            address=f"field.company.customField{n}",
            action=Action.CREATE,
            kind="field",
            twenty_object="company",
            name=f"customField{n}",
            reason="field missing",
            after={"type": "TEXT", "label": f"Custom field {n}"},
        )
        for n in range(120)
    )
    warnings = tuple(
        PlanWarning(
            code=f"warning_{n:02d}",
            message=f"warning number {n}: " + "a reviewer must read this " * 4,
            addresses=tuple(f"record.people[oplacrm:people:{n * 10 + k}]" for k in range(5)),
            count=500 + n,
        )
        for n in range(150)
    )
    quarantine = _quarantine()[:HEADER_OUTCOMES]  # the header keeps the first; the file all
    return PlanHeader(
        migrator_version=__version__,
        name="million",
        spec={"name": "million", "version": 1},
        spec_digest="sha256:" + "1" * 64,
        source=None,
        destination=DestinationIdentity(base_url="sandbox:x.db", workspace_id="ws"),
        prior_state=None,
        schema_changes=schema,
        phases=tuple(f"mapping.{m}" for m, _, _ in MAPPINGS),
        counts=tuple(counts),
        quarantine=quarantine,
        quarantine_total=QUARANTINED,
        warnings=warnings,
        budget=ApiBudget(
            requests={"batch_create": 5000}, total_requests=5000, estimated_seconds=3000
        ),
    )


@pytest.fixture(scope="module")
def million_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("million") / "million.plan"
    with PlanWriter(path.parent) as writer:
        counts = _write_changes(writer)
        for entry in _quarantine():
            writer.add_outcome(entry)
        header = writer.finish(_header(counts), path)
    assert header.record_change_count == TOTAL
    return path


@pytest.mark.slow
def test_million_change_plan_renders_markdown_under_the_limit(million_plan: Path) -> None:
    header = read_plan_header(million_plan)
    sha = plan_file_sha256(million_plan)
    mermaid = "flowchart TD\n" + "".join(
        f'  n{i}["field.company.customField{i}"]\n' for i in range(120)
    )
    text = render_markdown(
        header,
        iter_record_changes(million_plan),
        plan_sha256=sha,
        mermaid=mermaid,
        outcomes=iter_plan_outcomes(million_plan),
    )
    assert len(text) <= MARKDOWN_LIMIT
    assert "This plan is summarised to fit a comment" in text
    assert f"Plan file sha256: `{sha}`" in text
    for counts in header.counts:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{counts.mapping}` |"))
        assert f"| {counts.source:,} | {counts.create:,} | {counts.update:,} |" in row
    assert "| **total** | | **1,000,000** |" in text
    for change in header.schema_changes:
        assert f"`{change.address}`" in text
    for warning in header.warnings:
        assert f"**`{warning.code}`** ({warning.count:,})" in text
    assert f"### Quarantined: not written ({QUARANTINED:,})" in text
    for n in range(25):
        assert f"| `people` | `invalid_{n}` | {QUARANTINED // 25:,} |" in text
    samples = text[text.index("### Sample record changes") :] if "### Sample" in text else ""
    for mapping, twenty_object, size in MAPPINGS:
        if samples:
            assert f"{mapping} → {twenty_object}: " in samples
            assert f"of {size:,} record changes" in samples
