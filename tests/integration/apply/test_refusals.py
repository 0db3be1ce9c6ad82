"""Apply refuses a plan made against something else, naming what changed; nothing is written."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from migrator.errors import LineageMismatch, PlanError, StalePlanError, StateLocked
from migrator.plan.model import DestinationIdentity, PriorState
from migrator.plan.planfile import plan_file_sha256
from migrator.state import Destination, open_sqlite_state
from tests.integration.apply.conftest import ApplyPlan
from tests.integration.apply.harness import NAME, NAMESPACE, Scenario, records_of, with_payload

STATE = Path(".migrator/test.state.db")


def _nothing_written(http: httpx.Client) -> None:
    assert records_of(http, "companies") == []
    assert records_of(http, "people") == []


def test_another_destination_is_refused(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=2, people_per_company=1)
    elsewhere = plan_identity.model_copy(update={"base_url": "https://crm.example.test"})
    plan = scenario.write_plan(tmp_path / "plan.gz", elsewhere)

    with pytest.raises(LineageMismatch) as caught:
        apply_plan(plan, scenario.source())

    assert "another destination (base URL differs)" in caught.value.summary
    assert "https://crm.example.test" in caught.value.detail
    assert "migrator plan" in caught.value.hint
    _nothing_written(http)


def test_another_workspace_is_refused(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=2, people_per_company=1)
    other = plan_identity.model_copy(
        update={"workspace_id": "00000000-0000-4000-8000-000000000000"}
    )
    plan = scenario.write_plan(tmp_path / "plan.gz", other)

    with pytest.raises(LineageMismatch, match="workspace differs"):
        apply_plan(plan, scenario.source())
    _nothing_written(http)


def test_changed_source_fingerprint_is_refused(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=2, people_per_company=1)
    plan = scenario.write_plan(tmp_path / "plan.gz", plan_identity)

    with pytest.raises(StalePlanError, match="source data changed"):
        apply_plan(plan, scenario.source(), fingerprint="sha256:" + "1" * 64)
    _nothing_written(http)


def test_changed_payloads_are_refused_before_anything_is_written(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=3, people_per_company=2)
    plan = scenario.write_plan(tmp_path / "plan.gz", plan_identity)
    source = scenario.source()
    people = source.items["mapping.people"]
    people[4] = with_payload(scenario.people[4], jobTitle="Edited")
    del people[1]

    with pytest.raises(StalePlanError) as caught:
        apply_plan(plan, source)

    assert "2 record(s) would be written differently; nothing was written" in caught.value.summary
    assert scenario.people[4].address in caught.value.detail
    assert "no longer matches the plan's digest" in caught.value.detail
    assert "Edited" not in caught.value.detail
    _nothing_written(http)


def test_expect_digest_refuses_another_plan_file(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=2, people_per_company=1)
    plan = scenario.write_plan(tmp_path / "plan.gz", plan_identity)

    with pytest.raises(PlanError, match="not the approved one"):
        apply_plan(plan, scenario.source(), expect_digest="sha256:" + "a" * 64)
    _nothing_written(http)

    apply_plan(plan, scenario.source(), expect_digest=plan_file_sha256(plan))
    assert len(records_of(http, "companies")) == 2


def test_stale_serial_and_other_lineage_are_refused(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    first = Scenario.make(companies=2, people_per_company=1)
    apply_plan(first.write_plan(tmp_path / "first.gz", plan_identity), first.source())
    with open_sqlite_state(tmp_path / STATE) as store:
        meta = store.meta()
    assert meta.lineage is not None
    second = Scenario.make(companies=4, people_per_company=1)
    second.companies, second.people = second.companies[2:], second.people[2:]

    old = PriorState(lineage=meta.lineage, serial=meta.serial - 1)
    with pytest.raises(StalePlanError, match=f"state is at serial {meta.serial}"):
        apply_plan(second.write_plan(tmp_path / "old.gz", plan_identity, old), second.source())

    other = PriorState(lineage="7d8a4c29-55b4-4f11-9d43-0e6f1c2b3a4d", serial=meta.serial)
    with pytest.raises(LineageMismatch, match="another lineage"):
        apply_plan(second.write_plan(tmp_path / "other.gz", plan_identity, other), second.source())

    none = second.write_plan(tmp_path / "none.gz", plan_identity, None)
    with pytest.raises(StalePlanError, match="made at no state"):
        apply_plan(none, second.source())
    assert len(records_of(http, "companies")) == 2

    current = PriorState(lineage=meta.lineage, serial=meta.serial)
    apply_plan(second.write_plan(tmp_path / "ok.gz", plan_identity, current), second.source())
    assert len(records_of(http, "companies")) == 4


def test_a_second_apply_is_refused_while_the_state_is_locked(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=2, people_per_company=1)
    plan = scenario.write_plan(tmp_path / "plan.gz", plan_identity)
    holder = open_sqlite_state(tmp_path / STATE, create=True)
    try:
        holder.acquire_lock("apply")
        with pytest.raises(StateLocked) as caught:
            apply_plan(plan, scenario.source(), lock_timeout=0.3)
    finally:
        holder.close()
    assert caught.value.summary.startswith("state is locked by ")
    assert caught.value.summary.endswith("(apply)")
    assert " since " in caught.value.summary
    _nothing_written(http)
    apply_plan(plan, scenario.source())
    assert len(records_of(http, "companies")) == 2


def test_a_state_bound_to_another_destination_is_refused(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    scenario = Scenario.make(companies=2, people_per_company=1)
    with open_sqlite_state(tmp_path / STATE, create=True) as store, store.batch() as tx:
        elsewhere = Destination(base_url="https://crm.example.test", workspace_id="w-prod")
        tx.bind(elsewhere, migration_name=NAME, namespace=str(NAMESPACE))
    plan = scenario.write_plan(tmp_path / "plan.gz", plan_identity)

    with pytest.raises(LineageMismatch, match="belongs to another destination"):
        apply_plan(plan, scenario.source())
    _nothing_written(http)
