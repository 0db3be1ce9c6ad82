"""The hand-off report after a real run: plan, apply to the sandbox, report, for both examples.

The report must be the state's view (the run, its balanced phases, the quarantine and the holds
as the state holds them), place the written records (locked ones, renumbered invoices, joint
members) by their Twenty ids, and, for the clinic, keep every patient value out even though the
quarantine reasons now come from a real apply.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from migrator.cli import main
from migrator.state import open_sqlite_state
from tests.integration.preflight.test_cli import _patient_values
from tests.integration.preflight.workspace import make_example

STATES = {
    "oplacrm": ".migrator/oplacrm-to-twenty.state.db",
    "aeronaclinic": ".migrator/aeronaclinic-to-twenty.state.db",
}


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    code = exited.value.code
    assert isinstance(code, int)
    return code, capsys.readouterr().out


def _apply(system: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    spec, _ = make_example(folder, system, records=300, seed=17, dirty_rate=0.05)
    code, out = _run(["plan", str(spec), "-o", str(folder / "plan.json")], capsys)
    assert code == 0, out
    code, out = _run(["apply", str(folder / "plan.json")], capsys)
    assert code == 0, out
    return spec


@pytest.mark.parametrize("system", sorted(STATES))
def test_the_report_is_the_state_after_apply(
    system: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AERONA_FALLBACK_OWNER", "tim@apple.dev")
    spec = _apply(system, tmp_path, capsys)
    code, out = _run(["report", str(spec), "--format", "json"], capsys)
    assert code == 0
    report: dict[str, Any] = json.loads(out)
    with open_sqlite_state(tmp_path / STATES[system]) as store:
        runs = store.runs()
        quarantined = {q.source_key: q.code for q in store.quarantined()}
        held = len(list(store.held()))
        written = {r.source_key: r.twenty_id for r in store.records()}
    [run] = report["runs"]
    assert (run["run_id"], run["kind"], run["status"]) == (runs[0].run_id, "apply", "complete")
    assert run["balanced"] and len(run["phases"]) == len(runs[0].phases)
    assert {q["source_key"]: q["code"] for q in report["quarantine"]} == quarantined
    assert sum(group["count"] for group in report["held"]) == held
    assert sum(c["count"] for c in report["record_counts"]) == len(written)
    for record in report["locked"]["records"]:
        assert record["twenty_id"] == written.get(record["source_key"])
        if record["source_key"] in written:
            assert record["state"] in ("written", "merged", "restored")
    for row in report["renumbered"]:
        assert row["twenty_id"] == written.get(row["source_key"])
    if system == "aeronaclinic":
        code, text = _run(["report", str(spec)], capsys)
        leaks = [v for v in _patient_values(tmp_path / "data") if v in text or v in out]
        assert not leaks, leaks[:5]
