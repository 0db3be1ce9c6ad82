"""The one error path: exit codes 0, 1, 3 and 130 through the real CLI, and the bug log."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from migrator import workflows
from migrator.cli import main
from migrator.errors import StateLocked


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    code = exited.value.code
    assert isinstance(code, int)
    return code


MINIMAL_SPEC = """\
version: 1
name: demo
source: {system: oplacrm, bundle: ./data, timezone: Asia/Ho_Chi_Minh, currency: VND}
destination: {url: "sandbox:sandbox.db"}
provenance: {created_by: Demo import}

"""


def test_valid_spec_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ok.yaml").write_text(MINIMAL_SPEC, encoding="utf-8")
    assert _run(["validate", "ok.yaml"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("ok.yaml: valid (")
    assert all(": warning: " in line for line in out[:-1])


def test_user_error_prints_summary_detail_and_next_step_then_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def locked(*_args: object, **_kwargs: object) -> None:
        raise StateLocked(
            "state is locked by ana@host since 2026-11-22T10:00:00Z (apply)",
            detail="Another apply is running against this state.",
            hint="wait for it, or run `migrator state unlock` if its process is gone",
        )

    monkeypatch.setattr(workflows, "validate", locked)
    assert _run(["validate", "spec.yaml"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "Error: state is locked by ana@host since 2026-11-22T10:00:00Z (apply)",
        "Another apply is running against this state.",
        "Next step: wait for it, or run `migrator state unlock` if its process is gone",
    ]


def test_usage_error_exits_1_not_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["validate"]) == 1
    assert "Missing argument 'SPEC'" in capsys.readouterr().err


def test_unexpected_error_exits_3_with_a_private_log_and_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(workflows, "validate", broken)
    assert _run(["validate", "spec.yaml"]) == 3
    err = capsys.readouterr().err
    log = tmp_path / ".migrator" / "last-error.log"
    assert err.splitlines() == [
        "Error: unexpected error (ZeroDivisionError); this is a bug in migrator.",
        f"The traceback is in {log}; please attach it to a bug report.",
    ]
    assert "Traceback" not in err
    assert "ZeroDivisionError: boom" in log.read_text(encoding="utf-8")
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_debug_re_raises_the_unexpected_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(workflows, "validate", broken)
    with pytest.raises(ZeroDivisionError):
        main(["--debug", "validate", "spec.yaml"])


def test_ctrl_c_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(workflows, "validate", interrupted)
    assert _run(["validate", "spec.yaml"]) == 130
    assert capsys.readouterr().err.strip().endswith("Interrupted.")


def test_real_sigint_to_a_running_command_exits_130(tmp_path: Path) -> None:
    """A real SIGINT delivered to the process (not a simulated exception) exits 130."""
    script = (
        "import os, signal, sys\n"
        "from migrator import workflows\n"
        "from migrator.cli import main\n"
        "def slow(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    import time; time.sleep(5)\n"
        "workflows.validate = slow\n"
        "main(['validate', 'x.yaml'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 130
    assert "Traceback" not in done.stderr
