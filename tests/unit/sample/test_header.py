"""How a plan says it is a sample, and how apply reads the size back."""

from __future__ import annotations

import pytest

from migrator.errors import PlanError
from migrator.plan.model import DestinationIdentity, PlanHeader, PlanWarning
from migrator.sample import SAMPLE_WARNING, sample_bundle, sample_size_of, sample_warning
from migrator.spec.validation import load_spec
from migrator.workflows.spec_inputs import open_spec_bundle
from tests.conftest import REPO_ROOT


def _header(kind: str, *warnings: PlanWarning) -> PlanHeader:
    return PlanHeader.model_validate(
        {
            "migrator_version": "0",
            "kind": kind,
            "name": "m",
            "spec": {},
            "spec_digest": "sha256:0",
            "source": None,
            "destination": DestinationIdentity(base_url="sandbox:x", workspace_id="w"),
            "prior_state": None,
            "warnings": warnings,
        }
    )


def test_sample_warning_counts_the_size_and_names_the_next_steps() -> None:
    example = REPO_ROOT / "examples" / "oplacrm"
    spec = load_spec(example / "migration.yaml", environ={}).spec
    bundle = open_spec_bundle(spec, example)
    warning = sample_warning(sample_bundle(spec, bundle, 120))
    assert warning.code == SAMPLE_WARNING and warning.count == 120
    assert "migrator destroy" in warning.message and "outside the sample" in warning.message
    assert f"products 8/{bundle.count('products')}" in warning.message
    assert sample_size_of(_header("sample", warning)) == 120


def test_sample_size_of_other_plans_is_none() -> None:
    stray = PlanWarning(code=SAMPLE_WARNING, message="x", count=5)
    assert sample_size_of(_header("apply", stray)) is None


def test_sample_plan_without_its_warning_is_refused() -> None:
    with pytest.raises(PlanError, match="does not say how large the sample is"):
        sample_size_of(_header("sample"))
