"""The API budget and the builder: counts, samples without sensitive values, grouped warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator import __version__
from migrator.errors import PlanError
from migrator.mapping.model import Fate, Finding, RowOutcome
from migrator.model import Action
from migrator.plan.budget import PhaseTally, compute_budget
from migrator.plan.build import EXAMPLES_PER_WARNING, PlanBuilder, PlanContext
from migrator.plan.model import (
    SENSITIVE_MARKER,
    ApiBudget,
    DestinationIdentity,
    RecordChange,
    SchemaChange,
)
from migrator.plan.planfile import iter_record_changes, read_plan_header


def _context() -> PlanContext:
    return PlanContext(
        name="demo",
        spec={"name": "demo"},
        spec_digest="sha256:spec",
        spec_dir="/project",
        source=None,
        destination=DestinationIdentity(base_url="sandbox:/x.db", workspace_id="ws"),
        prior_state=None,
    )


def _change(i: int, action: Action, phase: str = "mapping.people") -> RecordChange:
    return RecordChange(
        address=f"record.people[oplacrm:contacts:{i}]",
        mapping="people",
        source_key=f"oplacrm:contacts:{i}",
        twenty_object="person",
        twenty_id=f"00000000-0000-5000-8000-{i:012d}",
        action=action,
        reason="r",
        payload_digest=f"sha256:{i:064x}",
        phase=phase,
        existing_id="11111111-0000-4000-8000-000000000000" if action is Action.MERGE else None,
    )


def test_budget_counts_batches_preimages_and_time_at_the_rate_limit() -> None:
    schema = [
        SchemaChange(
            address="field.company.x",
            action=Action.CREATE,
            kind="field",
            twenty_object="company",
            name="x",
            reason="r",
        ),
        SchemaChange(
            address="option.opportunity.stage.LOST",
            action=Action.CREATE,
            kind="options",
            twenty_object="opportunity",
            name="stage",
            reason="r",
        ),
        SchemaChange(
            address="option.opportunity.stage.WON",
            action=Action.CREATE,
            kind="options",
            twenty_object="opportunity",
            name="stage",
            reason="r",
        ),
    ]
    tallies = [
        PhaseTally("mapping.companies", creates=401, upserts=3, preimages=3, files=2),
        PhaseTally("link.companies.parent", upserts=200),
    ]
    budget = compute_budget(
        schema,
        tallies,
        batch_size=200,
        per_minute=100,
        member_reads=1,
        reads_for_plan=7,
        metadata_reads_for_plan=1,
    )
    assert budget.requests == {
        "batch_create": 3,
        "batch_upsert": 2,
        "file_upload": 2,
        "members_read": 1,
        "metadata": 4,
        "preimage_read": 1,
    }
    assert budget.total_requests == 13
    assert budget.estimated_seconds == pytest.approx(7 / 100 * 60)
    assert (budget.reads_for_plan, budget.metadata_reads_for_plan) == (7, 1)


def test_builder_counts_every_outcome_and_writes_only_changes(tmp_path: Path) -> None:
    builder = PlanBuilder(_context(), ["mapping.people", "link.people.boss"], {"people": "person"})
    builder.start_phase("mapping.people")
    body = {"id": "x", "emails": {"primaryEmail": "p@example.com"}, "jobTitle": "CEO"}
    for i, action in enumerate([Action.CREATE, Action.NOOP, Action.MERGE, Action.UPDATE]):
        builder.add_change(_change(i, action), body=body, sensitive={"emails"}, files=1)
    for fate in (Fate.QUARANTINED, Fate.HELD, Fate.DEDUPLICATED, Fate.SKIPPED, Fate.AGGREGATED):
        builder.add_outcome(
            RowOutcome(
                "people",
                f"record.people[oplacrm:contacts:{fate}]",
                f"oplacrm:contacts:{fate}",
                fate,
                "code",
                "why",
            ),
            "person",
        )
    for i in range(EXAMPLES_PER_WARNING + 2):
        builder.add_finding(
            Finding(
                "people",
                f"record.people[oplacrm:contacts:{i}]",
                "locked_record",
                "locked in OplaCRM",
            )
        )
    builder.set_source_rows("people", 9, "person")
    builder.start_phase("link.people.boss")
    builder.add_change(_change(0, Action.UPDATE, "link.people.boss"), counts_as="link")
    with pytest.raises(PlanError, match="not next"):
        builder.start_phase("mapping.people")
    header = builder.finish(ApiBudget(), tmp_path / "p.plan")

    (counts,) = header.counts
    assert (counts.source, counts.create, counts.noop, counts.merge, counts.update) == (
        9,
        1,
        1,
        1,
        1,
    )
    assert (
        counts.quarantined,
        counts.held,
        counts.deduplicated,
        counts.skipped,
        counts.aggregated,
        counts.links,
    ) == (1, 1, 1, 1, 1, 1)
    assert counts.is_balanced and header.record_change_count == 4
    assert [c.action for c in iter_record_changes(tmp_path / "p.plan")] == [
        Action.CREATE,
        Action.MERGE,
        Action.UPDATE,
        Action.UPDATE,
    ]
    assert read_plan_header(tmp_path / "p.plan") == header
    assert header.migrator_version == __version__
    assert [q.address for q in header.quarantine] == ["record.people[oplacrm:contacts:quarantined]"]
    assert [h.address for h in header.holds] == ["record.people[oplacrm:contacts:held]"]
    (warning,) = header.warnings
    assert (warning.code, warning.count, len(warning.addresses)) == (
        "locked_record",
        EXAMPLES_PER_WARNING + 2,
        EXAMPLES_PER_WARNING,
    )
    assert len(header.samples) == 3
    assert all(s.payload["emails"] == SENSITIVE_MARKER for s in header.samples)
    assert header.samples[0].payload["jobTitle"] == "CEO"
    assert header.has_changes


def test_unbalanced_counts_are_a_conservation_warning() -> None:
    builder = PlanBuilder(_context(), ["mapping.people"], {"people": "person"})
    builder.start_phase("mapping.people")
    builder.add_change(_change(1, Action.CREATE))
    builder.set_source_rows("people", 3, "person")
    header = builder.finish(ApiBudget(), None)
    (warning,) = header.warnings
    assert warning.code == "conservation" and warning.count == 2
    assert "3 source rows but 1 accounted for" in warning.message
