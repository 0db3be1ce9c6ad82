"""The pieces of the conflict check that need no Twenty: run ends and what counts as a value."""

from __future__ import annotations

import datetime as dt

from migrator.destroy.conflicts import Conflict, ConflictReport, _has_value, run_ends
from migrator.state.model import RunEntry, RunKind, RunStatus


def _run(run_id: str, started: str, finished: str | None) -> RunEntry:
    return RunEntry(
        run_id=run_id,
        kind=RunKind.APPLY,
        plan_digest="sha256:" + "0" * 64,
        started_at=started,
        finished_at=finished,
        status=RunStatus.COMPLETE if finished else RunStatus.RUNNING,
        first_serial=1,
        last_serial=1,
        migrator_version="0",
    )


def test_a_killed_run_ends_where_the_next_one_started() -> None:
    ends = run_ends(
        [
            _run("a", "2026-01-01T00:00:00Z", None),
            _run("b", "2026-01-02T00:00:00Z", "2026-01-02T01:00:00.500Z"),
        ]
    )
    assert ends["a"] == dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    assert ends["b"] == dt.datetime(2026, 1, 2, 1, 0, 0, 500000, tzinfo=dt.UTC)


def test_empty_composites_text_and_false_are_no_value() -> None:
    assert not _has_value({"primaryEmail": "", "additionalEmails": []})
    assert not _has_value({"amountMicros": None, "currencyCode": "VND"})
    assert not _has_value("") and not _has_value(None) and not _has_value(False)
    assert _has_value({"primaryLinkUrl": "https://x.example"}) and _has_value(0)


def test_the_listing_is_bounded_and_grouped_by_kind() -> None:
    report = ConflictReport(
        [Conflict("points_at", "person", f"id-{i:02}", "companyId points at …") for i in range(25)]
        + [Conflict("edited", "company", "c", "record.companies[x:y:1] edited since")]
    )
    lines = report.lines()
    assert lines[0] == "edited: 1" and lines[2] == "points_at: 25"
    assert lines[-1] == "  … and 5 more" and len(lines) == 2 + 1 + 20 + 1
