"""A sample apply killed before it recorded its size: verify refuses with the way out.

The state's sample mark (``StateMeta.sample``) is written when the sample's apply ends; a kill
before that leaves a ``sample`` run in the journal and no size. The full run is refused by the
journal alone; ``verify`` cannot choose the sample again without its size, so it says how to
finish (apply the plan again) instead of reporting every row outside the sample as missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.workflows import apply as apply_workflow
from tests.e2e.project import copy_example, run_cli
from tests.e2e.sample.conftest import SIZE, _meta


def test_verify_after_an_unrecorded_sample_says_to_finish_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_example("oplacrm", tmp_path)
    plan = run_cli(root, "plan", "migration.yaml", "--sample", str(SIZE), "-o", "s.plan")
    assert plan.exit_code == 0, plan.output[-2000:]
    with monkeypatch.context() as patched:  # the apply is killed after writing, before its end
        patched.setattr(apply_workflow, "mark_sample", lambda *_args: None)
        applied = run_cli(root, "apply", "s.plan")
    assert applied.exit_code == 0, applied.output[-2000:]
    assert _meta(root, "oplacrm").sample is None

    verify = run_cli(root, "verify", "migration.yaml")
    assert verify.exit_code == 1
    assert "did not finish" in verify.output and "migrator apply PLANFILE" in verify.output
    assert run_cli(root, "plan", "migration.yaml").exit_code == 1  # the journal still refuses

    again = run_cli(root, "apply", "s.plan")
    assert again.exit_code == 0, again.output[-2000:]
    assert _meta(root, "oplacrm").sample == SIZE
    verified = run_cli(root, "verify", "migration.yaml")
    assert verified.exit_code == 0, verified.output[-2000:]
