"""Issue #14 sample migration, on both examples: plan, apply, verify, refuse, destroy.

A ~300-record sample applies, spans every mapping with source rows, writes nothing outside
itself, verifies (exit 0, the rest counted as outside the sample), refuses a full run until it
is destroyed, and its destroy leaves the sandbox exactly as it was before.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from migrator.state import open_sqlite_state
from migrator.state.model import RunKind, RunStatus
from tests.e2e.project import run_cli
from tests.e2e.sample.conftest import SIZE, SampledExample

EXAMPLES = ["opla_sample", "aerona_sample"]


@pytest.fixture(params=EXAMPLES)
def sampled(request: pytest.FixtureRequest) -> SampledExample:
    found: SampledExample = request.getfixturevalue(request.param)
    return found


def test_sample_plan_is_deterministic_and_says_it_is_a_sample(sampled: SampledExample) -> None:
    assert sampled.again_plan_bytes_equal
    header = sampled.applied.header
    assert header.kind == "sample"
    (warning,) = [w for w in header.warnings if w.code == "sample"]
    assert warning.count == SIZE and "migrator destroy" in warning.message
    assert f"({header.kind})" in sampled.applied.plan_run.stdout
    assert "Warning: sample" in sampled.applied.plan_run.stdout


def test_sample_is_about_the_size_asked_for(sampled: SampledExample) -> None:
    assert SIZE * 0.9 <= sampled.selection.records <= SIZE * 1.1
    mapped = {c.mapping: c for c in sampled.applied.header.counts}
    rows = sum(mapped[m].source for m in sampled.spec.all_mappings() if m in mapped)
    assert rows == sampled.selection.records


def test_sample_spans_every_mapping_with_source_rows(sampled: SampledExample) -> None:
    counts = {c.mapping: c for c in sampled.applied.header.counts}
    for mapping in sampled.spec.all_mappings():
        obj = sampled.spec.source_object_of(mapping) or ""
        if sampled.full_counts.get(obj, 0):
            assert counts[mapping].source > 0, mapping
            assert counts[mapping].source <= sampled.full_counts[obj], mapping


def test_sample_writes_nothing_outside_itself(sampled: SampledExample) -> None:
    for mapping, ids in sampled.in_state.items():
        obj = sampled.spec.source_object_of(mapping.removesuffix("-targets")) or ""
        assert obj and ids <= sampled.kept(obj), mapping
    system = sampled.spec.source.system
    for plural, rows in sampled.snapshot_after_apply["records"].items():
        for row in rows:
            key = row.get("migrationSourceId")
            if not key or row.get("deletedAt"):
                continue
            assert key.startswith(f"{system}:"), (plural, key)
            obj, source_id = key.split(":", 2)[1:]
            assert source_id.split("#", 1)[0] in sampled.kept(obj), (plural, key)


def test_sample_apply_is_a_sample_run_and_marks_the_state(sampled: SampledExample) -> None:
    assert sampled.after_apply_meta.sample == SIZE
    assert sampled.replan.exit_code == 0, sampled.replan.output[-2000:]  # nothing left to do
    with open_sqlite_state(sampled.applied.state_path) as store:
        runs = sorted(store.runs(), key=lambda r: r.first_serial)
    assert [r.kind for r in runs] == [RunKind.SAMPLE, RunKind.DESTROY]
    assert all(r.status is RunStatus.COMPLETE for r in runs)


def test_verify_checks_the_sample_and_counts_the_rest_outside(sampled: SampledExample) -> None:
    run = sampled.verify
    assert run.exit_code == 0, run.output[-3000:]
    report = json.loads(run.stdout)
    assert report["ok"] is True and report["finding_count"] == 0
    assert report["migration_sample"] == SIZE and report["checked"] > 0
    rows = {row["mapping"]: row for row in report["conservation"]}
    for mapping in sampled.spec.all_mappings():
        obj = sampled.spec.source_object_of(mapping) or ""
        row = rows[mapping]
        assert row["source"] == sampled.full_counts[obj], mapping
        assert row["outside_sample"] == sampled.full_counts[obj] - sampled.selection.counts[obj]
        parts = ("written", "merged", "deduplicated", "quarantined", "held", "skipped")
        assert row["source"] == sum(row[p] for p in parts) + row["outside_sample"], mapping


def test_full_run_refused_until_the_sample_is_destroyed(sampled: SampledExample) -> None:
    refused = sampled.full_plan_refused
    assert refused.exit_code == 1
    assert f"the state holds a sample migration of {SIZE} records" in refused.output
    assert "migrator destroy migration.yaml" in refused.output
    other = sampled.other_size_refused
    assert other.exit_code == 1
    assert f"the state holds a sample of {SIZE} records, not 100" in other.output
    after = sampled.full_plan_after_destroy
    assert after.exit_code == 0, after.output[-3000:]


def _touched_fields(snapshot: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """Each metadata field's ``updatedAt``, by object and field name."""
    return {
        (obj["nameSingular"], item["name"]): item.get("updatedAt")
        for obj in snapshot["objects"]
        for item in obj["fields"]
    }


def _without_field_times(snapshot: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(snapshot))
    for obj in copied["objects"]:
        for item in obj["fields"]:
            item.pop("updatedAt", None)
    return copied


def test_destroy_leaves_the_sandbox_as_it_was(sampled: SampledExample) -> None:
    assert sampled.destroy.exit_code == 0, sampled.destroy.output[-3000:]
    assert _without_field_times(sampled.after_destroy) == _without_field_times(sampled.before)
    # Twenty moves a field's updatedAt when its options change; destroy puts the options of a
    # standard field back (a second change), so only those fields carry a new time.
    before, after = _touched_fields(sampled.before), _touched_fields(sampled.after_destroy)
    moved = {key for key in before if before[key] != after[key]}
    options = {
        (c.twenty_object, c.name)
        for c in sampled.applied.header.schema_changes
        if c.kind == "options"
    }
    assert moved == options
    assert sampled.after_destroy_meta.sample is None


def test_sample_flag_misuse_is_refused_with_the_next_step(opla_sample: SampledExample) -> None:
    root = opla_sample.applied.root
    on_plan = run_cli(root, "apply", "first.plan", "--sample", "300")
    assert on_plan.exit_code == 1
    assert "--sample goes with a spec; a saved plan is applied as it was made" in on_plan.output
    assert "migrator plan SPEC --sample N -o FILE" in on_plan.output
    with_destroy = run_cli(root, "plan", "migration.yaml", "--destroy", "--sample", "300")
    assert with_destroy.exit_code == 1
    assert "--destroy and --sample do not go together" in with_destroy.output
