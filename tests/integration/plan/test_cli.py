"""``migrator plan`` exit codes with ``--detailed-exitcode``: 2 with changes, 0 with none (after
apply), 1 on an error; the saved plan is what the command says it saved."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from migrator.cli import main
from migrator.plan.planfile import plan_file_sha256, read_plan_header
from tests.conftest import REPO_ROOT


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    code = exited.value.code
    assert isinstance(code, int)
    return code


@pytest.mark.slow
def test_detailed_exitcode_is_2_with_changes_0_after_apply_and_1_on_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "oplacrm"
    shutil.copytree(
        REPO_ROOT / "examples" / "oplacrm",
        root,
        ignore=shutil.ignore_patterns(".migrator", "*.plan"),
    )
    spec, saved = str(root / "migration.yaml"), root / "a.plan"
    assert _run(["plan", spec, "-o", str(saved)]) == 0
    assert _run(["plan", spec, "--detailed-exitcode"]) == 2
    output = capsys.readouterr()
    assert plan_file_sha256(saved) in output.out + output.err
    assert read_plan_header(saved).has_changes
    assert _run(["apply", str(saved)]) == 0
    capsys.readouterr()
    assert _run(["plan", spec, "--detailed-exitcode"]) == 0
    assert _run(["plan", spec, "--detailed-exitcode", "--target", "nope"]) == 1
    assert "--target names no mapping of this spec: nope" in capsys.readouterr().err
