"""``migrator apply`` and ``migrator state import`` as a user types them, on the OplaCRM example
with its embedded sandbox: confirmation, approval digest, resuming, adopting."""

from __future__ import annotations

import io
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from migrator.cli import main
from migrator.plan.planfile import plan_file_sha256
from migrator.state import RecordStatus, open_sqlite_state
from tests.conftest import REPO_ROOT

STATE = Path(".migrator/oplacrm-to-twenty.state.db")
Run = Callable[..., tuple[int, str]]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the OplaCRM example (spec, bundle, members); the working directory."""
    root = tmp_path / "oplacrm"
    shutil.copytree(
        REPO_ROOT / "examples" / "oplacrm", root, ignore=shutil.ignore_patterns(".migrator")
    )
    monkeypatch.chdir(root)
    return root


class _Terminal(io.StringIO):
    """Standard input that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str]]:
    """Run the CLI as ``migrator ARGS`` (its one error handler included): (exit code, output)."""

    def invoke(*args: str) -> tuple[int, str]:
        with pytest.raises(SystemExit) as exited:
            main(list(args))
        captured = capsys.readouterr()
        code = exited.value.code
        assert isinstance(code, int)
        return code, captured.out + captured.err

    return invoke


def test_apply_spec_without_a_terminal_needs_auto_approve(project: Path, run: Run) -> None:
    code, output = run("apply", "migration.yaml")
    assert code == 1
    assert "needs a confirmation and there is no terminal" in output
    assert not (project / STATE).exists()

    code, output = run("apply", "migration.yaml", "--auto-approve")
    assert code == 0, output
    assert "Plan: " in output and "Apply complete" in output
    assert "Destination: sandbox:" in output

    code, output = run("apply", "migration.yaml", "--auto-approve")
    assert code == 0 and "No changes: nothing to apply." in output


def test_apply_spec_asks_for_yes_on_a_terminal(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal("no\n"))
    code, output = run("apply", "migration.yaml")
    assert code == 1 and "apply cancelled" in output
    assert not (project / STATE).exists()

    monkeypatch.setattr(sys, "stdin", _Terminal("yes\n"))
    code, output = run("apply", "migration.yaml")
    assert code == 0 and "Apply complete" in output


def test_a_saved_plan_applies_once_and_only_if_approved(project: Path, run: Run) -> None:
    code, output = run("plan", "migration.yaml", "-o", "p.plan")
    assert code == 0, output
    code, output = run("apply", "p.plan", "--expect-digest", "0" * 64)
    assert code != 0 and "not the approved one" in output

    code, output = run("apply", "p.plan", "--expect-digest", plan_file_sha256(Path("p.plan")))
    assert code == 0, output
    assert "mapping.companies: source" in output and "Audit log:" in output

    code, output = run("apply", "p.plan")
    assert code == 0 and "already applied completely" in output


def test_expect_digest_refuses_anything_but_a_plan_file(project: Path, run: Run) -> None:
    """An approval names one plan file; a spec passed with it is never planned and applied."""
    spec_digest = plan_file_sha256(Path("migration.yaml"))
    code, output = run("apply", "migration.yaml", "--auto-approve", "--expect-digest", spec_digest)
    assert code == 1
    assert "migration.yaml is not a plan file" in output
    assert not (project / STATE).exists()


def test_state_import_adopts_records_the_state_forgot(project: Path, run: Run) -> None:
    code, output = run("apply", "migration.yaml", "--auto-approve")
    assert code == 0, output
    with open_sqlite_state(project / STATE) as store:
        forgotten = [e.address for e in store.records("companies")][:3]
    code, output = run("state", "rm", *forgotten, "--state", str(STATE))
    assert code == 0, output

    code, output = run("state", "import", "companies", "--spec", "migration.yaml")

    assert code == 0, output
    assert "Adopted 3 of" in output
    with open_sqlite_state(project / STATE) as store:
        for address in forgotten:
            entry = store.record(address)
            assert entry is not None and entry.status is RecordStatus.ADOPTED
