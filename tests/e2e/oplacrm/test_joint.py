"""Guide row 7, Opportunity Joint: the co-selling group as a self relation, or the text fallback.

The committed bundle's only co-selling group has one member (a planted data-quality case: no
link can be written for it). These tests plant a second member into that group in a copy of the
example and apply it twice: by default each member points at the other through the custom self
relation ``oplaJointOpportunity`` (written in the second pass, after every opportunity exists);
behind the switch ``OPLA_JOINT_TEXT_FALLBACK=true`` the relation is not created and the guide's
text field ``oplaJointOpportunityId`` (opla_joint_opportunity_id__c) carries the group id.
"""

from __future__ import annotations

from tests.e2e.oplacrm.conftest import JOINT_GROUP, JOINT_PARTNER
from tests.e2e.project import AppliedExample, Run

SINGLETON = "325baf8e-2cf5-4c78-b62c-9dcb3afcd2ae"
"""The committed bundle's one member of ``JOINT_GROUP``."""


def test_row_07_singleton_group_writes_no_link_and_is_reported(
    opla: AppliedExample, opla_audit: Run
) -> None:
    opportunities = opla.by_source("opportunities", "opportunities")
    assert opportunities[SINGLETON]["oplaJointOpportunityId"] is None
    assert all(o.get("oplaJointOpportunityId") is None for o in opportunities.values())
    # The pre-flight audit names the group with no partner (sources.md 7.7: WARN).
    assert "(joint_group_single_member)" in opla_audit.stdout


def test_row_07_opportunity_joint_as_self_relation(opla_joint: AppliedExample) -> None:
    field = opla_joint.metadata_field("opportunity", "oplaJointOpportunity")
    assert field["type"] == "RELATION"
    opportunities = opla_joint.by_source("opportunities", "opportunities")
    first, second = opportunities[SINGLETON], opportunities[JOINT_PARTNER]
    assert first["oplaJointOpportunityId"] == second["id"]
    assert second["oplaJointOpportunityId"] == first["id"]
    others = [o for k, o in opportunities.items() if k not in {SINGLETON, JOINT_PARTNER}]
    assert all(o["oplaJointOpportunityId"] is None for o in others)
    counts = {c.mapping: c for c in opla_joint.header.counts}
    assert counts["opportunities"].links >= 2  # second-pass link writes
    assert opla_joint.replan_run.exit_code == 0, opla_joint.replan_run.output[-2000:]


def test_row_07_joint_text_fallback_behind_the_switch(
    opla_joint_fallback: AppliedExample,
) -> None:
    fields = {f["name"]: f for f in opla_joint_fallback.metadata_object("opportunity")["fields"]}
    assert "oplaJointOpportunity" not in fields  # the relation is not provisioned
    assert fields["oplaJointOpportunityId"]["type"] == "TEXT"
    assert "opla_joint_opportunity_id__c" in fields["oplaJointOpportunityId"]["description"]
    opportunities = opla_joint_fallback.by_source("opportunities", "opportunities")
    assert opportunities[SINGLETON]["oplaJointOpportunityId"] == JOINT_GROUP
    assert opportunities[JOINT_PARTNER]["oplaJointOpportunityId"] == JOINT_GROUP
    others = [o for k, o in opportunities.items() if k not in {SINGLETON, JOINT_PARTNER}]
    assert all(not o["oplaJointOpportunityId"] for o in others)
    assert opla_joint_fallback.replan_run.exit_code == 0
