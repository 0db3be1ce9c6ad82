"""Samples and full runs do not mix in one state: the refusals and their messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.errors import PlanError
from migrator.sample import check_full_run, check_sample_run, sample_status
from migrator.state.location import open_state
from migrator.state.model import RunKind, RunStatus
from migrator.state.sqlstore import SqlStateStore


def _state(tmp_path: Path, *kinds: RunKind, mark: int | None = None) -> SqlStateStore:
    store = open_state(tmp_path / "s.state.db", create=True)
    for kind in kinds:
        run = store.start_run(kind, "sha256:" + "0" * 64)
        store.finish_run(run.run_id, RunStatus.COMPLETE)
    if mark is not None:
        with store.batch() as tx:
            tx.mark_sample(mark)
    return store


def test_sample_status_no_state_holds_nothing() -> None:
    status = sample_status(None)
    assert not status.holds_sample and not status.holds_full_run and status.size is None
    check_full_run(status, "migration.yaml")
    check_sample_run(status, 300, "migration.yaml")


def test_full_run_refused_while_a_sample_is_held(tmp_path: Path) -> None:
    with _state(tmp_path, RunKind.SAMPLE, mark=300) as store:
        status = sample_status(store)
        assert status.holds_sample and status.size == 300 and not status.holds_full_run
        assert store.meta().sample == 300
        with pytest.raises(PlanError) as raised:
            check_full_run(status, "migration.yaml")
    assert "sample migration of 300 records" in raised.value.summary
    assert raised.value.hint == "remove the sample first: migrator destroy migration.yaml"
    check_sample_run(status, 300, "migration.yaml")  # the same sample: no changes, or a resume


def test_an_unmarked_sample_run_still_counts_as_a_sample(tmp_path: Path) -> None:
    with _state(tmp_path, RunKind.SAMPLE) as store:
        status = sample_status(store)
    assert status.holds_sample and status.size is None
    with pytest.raises(PlanError, match="holds a sample migration;"):
        check_full_run(status, "m.yaml")


def test_sample_of_another_size_refused(tmp_path: Path) -> None:
    with _state(tmp_path, RunKind.SAMPLE, mark=300) as store:
        status = sample_status(store)
    with pytest.raises(PlanError) as raised:
        check_sample_run(status, 100, "m.yaml")
    assert raised.value.summary == "the state holds a sample of 300 records, not 100"
    assert "--sample 300" in raised.value.hint and "migrator destroy m.yaml" in raised.value.hint


def test_sample_after_a_full_run_refused(tmp_path: Path) -> None:
    with _state(tmp_path, RunKind.APPLY) as store:
        status = sample_status(store)
    assert status.holds_full_run and not status.holds_sample
    with pytest.raises(PlanError, match="a sample goes before the full run"):
        check_sample_run(status, 300, "m.yaml")
    check_full_run(status, "m.yaml")


def test_destroy_clears_what_came_before(tmp_path: Path) -> None:
    with _state(tmp_path, RunKind.SAMPLE, RunKind.DESTROY) as store:
        status = sample_status(store)
        with store.batch() as tx:
            tx.mark_sample(300)
            tx.mark_sample(None)
        assert store.meta().sample is None
    assert not status.holds_sample and not status.holds_full_run
