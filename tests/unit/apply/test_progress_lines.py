"""What apply prints without a terminal: periodic plain lines and each phase's reconciliation."""

from __future__ import annotations

import pytest

from migrator.apply.model import PhaseReport
from migrator.cli import apply as cli_apply
from migrator.state.model import PhaseCounts


def _report(**counts: int) -> PhaseReport:
    return PhaseReport(
        counts=PhaseCounts(phase="mapping.people", **counts), requests=3, seconds=1.5
    )


def test_reconciliation_line_names_every_outcome_and_flags_a_gap() -> None:
    balanced = cli_apply.reconciliation_line(
        _report(source=10, written=6, merged=1, deduplicated=1, quarantined=1, held=1)
    )
    assert balanced == (
        "mapping.people: source 10 = written 6 + merged 1 + deduplicated 1 + quarantined 1 + "
        "held 1 + skipped 0  [3 requests, 1.5s]"
    )
    assert "DOES NOT ADD UP" in cli_apply.reconciliation_line(_report(source=10, written=9))


def test_plain_progress_prints_a_line_at_most_every_few_seconds(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [100.0]
    monkeypatch.setattr("migrator.cli.apply.time.monotonic", lambda: now[0])
    sink = cli_apply.PlainProgress()
    sink.note("Destination: sandbox:/x")
    sink.phase_started("mapping.people", 1000, 24_000.0)
    for _ in range(10):
        now[0] += 1.0
        sink.advanced("mapping.people", 50)
    sink.phase_finished(_report(source=500, written=500))
    out, err = capsys.readouterr()
    progress = [line for line in err.splitlines() if line.startswith("mapping.people: ")]
    assert progress[0] == "mapping.people: 1000 changes"
    assert progress[1:] == [
        "mapping.people: 250/1000 (3,000/min, ETA 0m15s)",
        "mapping.people: 500/1000 (3,000/min, ETA 0m10s)",
    ]
    assert "Destination: sandbox:/x" in err
    assert out.startswith("mapping.people: source 500 = written 500")
