"""The plan-validity checks: approval digest, destination, lineage and serial, source."""

from __future__ import annotations

import pytest

from migrator import __version__
from migrator.apply.checks import (
    check_applicable,
    check_destination,
    check_expected_digest,
    check_source,
    check_state,
)
from migrator.errors import LineageMismatch, PlanError, StalePlanError
from migrator.plan.model import DestinationIdentity, PlanHeader, PriorState, SourceFingerprint
from migrator.state.model import RunEntry, RunKind, RunStatus, StateMeta

LINEAGE = "6b0f7a54-1c2e-4d3f-8a9b-0c1d2e3f4a5b"
PLAN = "sha256:" + "a" * 64
OTHER = "sha256:" + "b" * 64


def header(prior: PriorState | None = None, **kw: object) -> PlanHeader:
    values: dict[str, object] = {
        "migrator_version": __version__,
        "name": "m",
        "spec": {},
        "spec_digest": "sha256:0",
        "source": SourceFingerprint(system="oplacrm", digest="sha256:src"),
        "destination": DestinationIdentity(base_url="https://crm.example.test", workspace_id="w1"),
        "prior_state": prior,
        **kw,
    }
    return PlanHeader.model_validate(values)


def meta(serial: int, lineage: str | None = LINEAGE) -> StateMeta:
    return StateMeta(format_version=1, migrator_version="", lineage=lineage, serial=serial)


def run(
    first: int, last: int, digest: str = PLAN, status: RunStatus = RunStatus.PARTIAL
) -> RunEntry:
    return RunEntry(
        run_id=f"r{first}",
        kind=RunKind.APPLY,
        plan_digest=digest,
        started_at="2026-01-01T00:00:00Z",
        status=status,
        first_serial=first,
        last_serial=last,
        migrator_version=__version__,
    )


def test_expected_digest_accepts_the_approved_file_in_either_spelling() -> None:
    check_expected_digest("ab" * 32, None)
    check_expected_digest("ab" * 32, "sha256:" + "AB" * 32)
    with pytest.raises(PlanError, match="not the approved one"):
        check_expected_digest("ab" * 32, "cd" * 32)


def test_errored_plan_is_never_applied() -> None:
    with pytest.raises(PlanError, match="has errors"):
        check_applicable(header(errored=True))


def test_destination_compares_normalised_urls_and_the_workspace() -> None:
    check_destination(header(), "HTTPS://CRM.example.test/", "w1")
    with pytest.raises(LineageMismatch, match="base URL differs"):
        check_destination(header(), "sandbox:/tmp/x.db", "w1")
    with pytest.raises(LineageMismatch, match="workspace differs"):
        check_destination(header(), "https://crm.example.test", "w2")


def test_first_plan_applies_to_an_empty_state_and_resumes_its_own_runs() -> None:
    assert not check_state(header(), meta(0, None), [], PLAN, "s").resuming
    resumed = check_state(header(), meta(5), [run(1, 5)], PLAN, "s")
    assert resumed.resuming and resumed.completed is None
    with pytest.raises(StalePlanError, match="made at no state"):
        check_state(header(), meta(5), [run(1, 5, OTHER)], PLAN, "s")


def test_serial_written_since_must_come_from_runs_of_this_plan() -> None:
    prior = PriorState(lineage=LINEAGE, serial=10)
    assert not check_state(header(prior), meta(10), [run(1, 10, OTHER)], PLAN, "s").resuming
    ours = [run(1, 10, OTHER), run(11, 14), run(15, 20)]
    assert check_state(header(prior), meta(20), ours, PLAN, "s").resuming
    gap = [run(1, 10, OTHER), run(11, 14), run(16, 20)]  # serial 15: someone else (state rm)
    with pytest.raises(
        StalePlanError, match="state is at serial 20 but the plan was made at serial 10"
    ):
        check_state(header(prior), meta(20), gap, PLAN, "s")
    with pytest.raises(StalePlanError):
        check_state(header(prior), meta(9), [], PLAN, "s")


def test_lineage_must_match() -> None:
    other = PriorState(lineage="00000000-0000-4000-8000-000000000000", serial=3)
    with pytest.raises(LineageMismatch, match="another lineage"):
        check_state(header(other), meta(3), [], PLAN, "s")
    with pytest.raises(LineageMismatch, match="this state is empty"):
        check_state(header(other), meta(0, None), [], PLAN, "s")


def test_a_completed_run_of_the_plan_is_reported() -> None:
    done = run(1, 6, status=RunStatus.COMPLETE)
    assert check_state(header(), meta(6), [done], PLAN, "s").completed == done


def test_source_fingerprint() -> None:
    check_source(header(), "sha256:src")
    check_source(header(), None)
    with pytest.raises(StalePlanError, match="source data changed"):
        check_source(header(), "sha256:new")
