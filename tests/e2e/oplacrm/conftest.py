"""The OplaCRM example applied once per session, and a variant with a planted joint pair.

``opla`` is ``examples/oplacrm`` exactly as committed. Its bundle has one co-selling group with a
single member (a planted data-quality case), so guide row 7 also needs ``opla_joint``: the same
example with a second opportunity added to that group, applied once with the self relation and
once (``opla_joint_fallback``) with ``OPLA_JOINT_TEXT_FALLBACK=true``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.project import AppliedExample, Run, apply_example, run_cli
from tests.e2e.sources import opportunity_account, rewrite_jsonl

JOINT_GROUP = "34be81ec-2ce1-4325-861d-8db6c2e33943"
"""The example's only co-selling group id (one member in the committed bundle)."""
JOINT_PARTNER = "c215a82a-06ec-41ad-aa05-75438b0d590b"
"""An opportunity of the example that is written (owner resolved), planted as the partner."""


@pytest.fixture(scope="session")
def opla(tmp_path_factory: pytest.TempPathFactory) -> AppliedExample:
    """``examples/oplacrm`` planned, applied and re-planned once on its sandbox."""
    return apply_example("oplacrm", tmp_path_factory.mktemp("opla"))


def plant_joint_partner(root: Path) -> None:
    """Add ``JOINT_PARTNER`` to the example's one-member co-selling group."""
    data = root / "data"
    rows = [
        json.loads(line)
        for line in (data / "opportunities.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for row in rows:
        if row["id"] == JOINT_PARTNER:
            assert opportunity_account(row)
            row["opportunities_joint_id"] = JOINT_GROUP
    rewrite_jsonl(data, "opportunities", rows)


@pytest.fixture(scope="session")
def opla_joint(tmp_path_factory: pytest.TempPathFactory) -> AppliedExample:
    """The example with a two-member co-selling group, applied with the self relation."""
    return apply_example(
        "oplacrm", tmp_path_factory.mktemp("opla-joint"), prepare=plant_joint_partner
    )


@pytest.fixture(scope="session")
def opla_joint_fallback(tmp_path_factory: pytest.TempPathFactory) -> AppliedExample:
    """The same, applied behind the switch ``OPLA_JOINT_TEXT_FALLBACK=true``."""
    return apply_example(
        "oplacrm",
        tmp_path_factory.mktemp("opla-joint-fallback"),
        env={"OPLA_JOINT_TEXT_FALLBACK": "true"},
        prepare=plant_joint_partner,
    )


@pytest.fixture(scope="session")
def opla_audit(opla: AppliedExample) -> Run:
    """``migrator audit`` (the pre-flight data-quality report) of the applied example."""
    return run_cli(opla.root, "audit", "migration.yaml")
