"""A 50,000-change plan file renders in every view with what each view promises for huge plans.

The plan is written for real with :class:`PlanWriter` (compact lines in the migration's id
namespace, the whole quarantine in the outcomes section, only the first holds kept, as the
planner writes it) and read back with the streaming readers, as ``migrator plan`` shows a saved
plan:

* text lists every record change, one line each (and one line per field difference), every
  quarantined record with its reason, the held records the plan keeps, and counts the rest;
  it leaves the view in chunks of whole lines, in memory that does not grow with the plan;
* JSON is the whole document, every change byte for byte as the canonical encoder writes it;
* Markdown stays under its limit with every object's exact counts and says where the rest is.
"""

from __future__ import annotations

import json
import tracemalloc
import uuid
from collections import Counter
from pathlib import Path

import pytest

from migrator import __version__
from migrator.model import Action, canonical_json
from migrator.plan.model import (
    HEADER_OUTCOMES,
    ApiBudget,
    DestinationIdentity,
    FieldDiff,
    HoldEntry,
    MappingCounts,
    PlanHeader,
    QuarantineEntry,
    RecordChange,
)
from migrator.plan.planfile import (
    PlanWriter,
    iter_plan_outcomes,
    iter_record_changes,
    read_plan_header,
)
from migrator.render.json_view import change_document, change_line
from migrator.render.markdown import MARKDOWN_LIMIT, comment_length
from migrator.render.marks import MARKS
from migrator.render.outcomes import HOLDS_NOT_KEPT
from migrator.render.text import CHUNK_LINES
from migrator.render.views import PlanFormat, render_plan

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:test:huge-plan")
MAPPINGS = (("companies", "company", 10_000), ("people", "person", 30_000))
LINKS = 10_000  # second-pass updates of companies (parent company)
TOTAL = sum(size for _, _, size in MAPPINGS) + LINKS
QUARANTINED = 1_500
HELD = 5_000


def _change(mapping: str, twenty_object: str, i: int, phase: str | None = None) -> RecordChange:
    key = f"oplacrm:{mapping}:{i}"
    action, existing, reason = Action.CREATE, None, "new record"
    diffs: tuple[FieldDiff, ...] = ()
    if phase is not None:
        action, reason = Action.UPDATE, "second pass: parent company"
        diffs = (FieldDiff(path="parentCompanyId", before=None, after=f"id-{i}"),)
    elif i % 500 == 7:
        action, existing, reason = Action.MERGE, f"existing-{i}", "email matches"
    return RecordChange(
        address=f"record.{mapping}[{key}]",
        mapping=mapping,
        source_key=key,
        twenty_object=twenty_object,
        twenty_id=str(uuid.uuid5(NAMESPACE, key)),
        action=action,
        reason=reason,
        payload_digest=f"sha256:{i:064x}",
        phase=phase or f"mapping.{mapping}",
        existing_id=existing,
        field_diffs=diffs,
    )


def _quarantined(n: int) -> QuarantineEntry:
    key = f"oplacrm:people:q{n}"
    return QuarantineEntry(
        address=f"record.people[{key}]",
        mapping="people",
        source_key=key,
        code=f"invalid_{n % 3}",
        reason="the value fails a check",
    )


def _held(n: int) -> HoldEntry:
    key = f"oplacrm:people:h{n}"
    return HoldEntry(
        address=f"record.people[{key}]",
        mapping="people",
        source_key=key,
        code="owner_unresolved",
        reason="owner has no Twenty member",
    )


def _header() -> PlanHeader:
    counts = []
    for mapping, twenty_object, size in MAPPINGS:
        merges = sum(1 for i in range(size) if i % 500 == 7)
        extra = {"quarantined": QUARANTINED, "held": HELD} if mapping == "people" else {}
        source = size + sum(extra.values())
        counts.append(
            MappingCounts(
                mapping=mapping,
                twenty_object=twenty_object,
                source=source,
                create=size - merges,
                merge=merges,
                **extra,
            )
        )
    return PlanHeader(
        migrator_version=__version__,
        name="huge",
        spec={"name": "huge", "version": 1},
        spec_digest="sha256:" + "1" * 64,
        namespace=str(NAMESPACE),
        source=None,
        destination=DestinationIdentity(base_url="sandbox:x.db", workspace_id="ws"),
        prior_state=None,
        phases=("mapping.companies", "mapping.people", "link.companies.parentCompany"),
        counts=tuple(counts),
        quarantine=tuple(_quarantined(n) for n in range(HEADER_OUTCOMES)),
        quarantine_total=QUARANTINED,
        holds=tuple(_held(n) for n in range(HEADER_OUTCOMES)),
        holds_total=HELD,
        budget=ApiBudget(requests={"batch_create": 400}, total_requests=400),
    )


@pytest.fixture(scope="module")
def huge_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("huge") / "huge.plan"
    with PlanWriter(path.parent, namespace=NAMESPACE) as writer:
        for mapping, twenty_object, size in MAPPINGS:
            for i in range(size):
                writer.add(_change(mapping, twenty_object, i), trusted=True)
        for i in range(LINKS):
            writer.add(_change("companies", "company", i, "link.companies.parentCompany"))
        for n in range(QUARANTINED):
            writer.add_outcome(_quarantined(n))
        header = writer.finish(_header(), path)
    assert header.record_change_count == TOTAL
    return path


def _render(fmt: PlanFormat, path: Path) -> list[str]:
    header = read_plan_header(path)
    changes, outcomes = iter_record_changes(path), iter_plan_outcomes(path)
    return list(render_plan(fmt, header, changes, outcomes=outcomes))


def test_text_lists_every_record_change_and_every_quarantined_record(huge_plan: Path) -> None:
    chunks = _render("text", huge_plan)
    assert all(chunk.endswith("\n") for chunk in chunks)
    assert len(chunks) <= (TOTAL + LINKS + QUARANTINED + HEADER_OUTCOMES) // CHUNK_LINES + 10
    lines = "".join(chunks).split("\n")
    marks = {f"{MARKS[a]:>3} ": a for a in (Action.CREATE, Action.MERGE, Action.UPDATE)}
    listed = [line for line in lines if line[:4] in marks]
    assert len(listed) == TOTAL
    assert Counter(marks[line[:4]] for line in listed) == {
        Action.CREATE: TOTAL - LINKS - 80,
        Action.MERGE: 80,
        Action.UPDATE: LINKS,
    }
    people = [line for line in listed if "record.people[" in line]
    assert people[0] == "  + record.people[oplacrm:people:0]"
    assert people[7] == (
        " <= record.people[oplacrm:people:7] # into person existing-7: email matches"
    )
    assert len(set(people)) == 30_000
    assert (
        sum(line.startswith('        ~ parentCompanyId: null -> "id-') for line in lines) == LINKS
    )
    headings = [line for line in lines if line.startswith("Records: ")]
    assert headings == [
        "Records: mapping.companies (companies -> company):",
        "Records: mapping.people (people -> person):",
        "Records: link.companies.parentCompany (companies -> company):",
    ]
    assert f"Not written: {QUARANTINED:,} quarantined, {HELD:,} held back:" in lines
    assert sum("[quarantined: invalid_" in line for line in lines) == QUARANTINED
    assert sum("[held: owner_unresolved]" in line for line in lines) == HEADER_OUTCOMES
    assert f"  … and {HELD - HEADER_OUTCOMES:,} more held back: {HOLDS_NOT_KEPT}." in lines
    assert not any("more quarantined" in line for line in lines)
    assert lines[-2] == (
        "Plan: 0 schema changes, 39,920 to create, 0 to update, 80 to merge, 0 to restore, "
        f"0 to delete. Not written: {QUARANTINED:,} quarantined, {HELD:,} held."
    )


def test_text_renders_a_huge_plan_in_memory_that_does_not_grow_with_it(huge_plan: Path) -> None:
    header = read_plan_header(huge_plan)
    changes = list(iter_record_changes(huge_plan))  # held by the test, not the view
    tracemalloc.start()
    try:
        biggest = max(len(chunk) for chunk in render_plan("text", header, changes))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert biggest < 200_000
    assert peak < 1_000_000


def test_json_is_the_whole_document_encoded_canonically(huge_plan: Path) -> None:
    doc = json.loads("".join(_render("json", huge_plan)))
    assert len(doc["record_changes"]) == TOTAL
    assert doc["header"]["holds_total"] == HELD
    assert Counter(next(iter(item)) for item in doc["outcomes"]) == {
        "quarantine": QUARANTINED,
        "hold": HEADER_OUTCOMES,
    }
    for change in iter_record_changes(huge_plan):
        assert change_line(change) == canonical_json(change_document(change))


def test_markdown_fits_with_exact_counts_and_says_where_the_rest_is(huge_plan: Path) -> None:
    (text,) = _render("markdown", huge_plan)
    assert comment_length(text) <= MARKDOWN_LIMIT
    assert "| `people` | person | 36,500 | 29,940 | 0 | 60 |" in text
    assert "people → person: 3 of 30,000 record changes" in text
    assert "companies → company: 3 of 20,000 record changes" in text
    assert f"### Quarantined: not written ({QUARANTINED:,})" in text
    assert "| `people` | `invalid_0` | 500 |" in text
    assert f"### Held back: not written yet ({HELD:,})" in text
    assert f"Grouped from the first 1,000 of {HELD:,}; {HOLDS_NOT_KEPT}." in text
