"""What the delta planner decides on its own: drift that is only a moved ``updatedAt``."""

from __future__ import annotations

from migrator.delta.planner import _only_stamps
from migrator.model import Action
from migrator.plan.model import FieldDiff, RecordChange


def _change(*paths: str) -> RecordChange:
    return RecordChange(
        address="record.companies[opla:accounts:1]",
        mapping="companies",
        source_key="opla:accounts:1",
        twenty_object="company",
        twenty_id="38df95f8-6b02-5f3e-b832-709e11463570",
        action=Action.UPDATE,
        reason="drift",
        payload_digest="sha256:" + "0" * 64,
        phase="mapping.companies",
        field_diffs=tuple(FieldDiff(path=p) for p in paths),
    )


def test_only_a_moved_updated_at_is_not_drift() -> None:
    assert _only_stamps(_change("updatedAt"))
    assert not _only_stamps(_change("updatedAt", "name"))
    assert not _only_stamps(_change())
