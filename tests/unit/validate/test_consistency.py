"""Stage and status consistency rules from sources.md §7.7."""

from __future__ import annotations

import datetime as dt

from migrator.validate.consistency import (
    check_appointment_outcome,
    check_enum,
    check_opportunity_stage,
    check_treatment_plan,
    default_appointment_status,
)

NOW = dt.datetime(2026, 1, 15, 8, 0, tzinfo=dt.UTC)


def codes(issues: tuple[object, ...]) -> list[str]:
    return [getattr(i, "code", "") for i in issues]


def test_check_opportunity_stage() -> None:
    assert check_opportunity_stage("CLOSE_WON", "WON", dt.date(2025, 6, 26)) == ()
    assert codes(check_opportunity_stage("CLOSE_WON", "WON", None)) == [
        "stage_won_without_close_date"
    ]
    assert codes(check_opportunity_stage("CLOSE_WON", "OPEN", dt.date(2025, 6, 26))) == [
        "stage_won_type_mismatch"
    ]
    assert codes(check_opportunity_stage("CLOSE_LOST", "WON", None)) == ["stage_lost_type_mismatch"]
    assert check_opportunity_stage("CLOSE_LOST", "LOST", None) == ()
    assert check_opportunity_stage("NEGOTIATION", "OPEN", None) == ()


def test_check_treatment_plan() -> None:
    assert codes(check_treatment_plan("COMPLETED", ["COMPLETED", "PLANNED"])) == [
        "plan_completed_with_planned_items"
    ]
    assert check_treatment_plan("IN_PROGRESS", ["PLANNED"]) == ()


def test_check_appointment_outcome() -> None:
    future = NOW + dt.timedelta(days=1)
    assert codes(check_appointment_outcome("NO_SHOW", future, NOW)) == [
        "appointment_outcome_in_future"
    ]
    assert check_appointment_outcome("BOOKED", future, NOW) == ()
    assert check_appointment_outcome("COMPLETED", NOW - dt.timedelta(days=1), NOW) == ()


def test_check_enum_and_the_appointment_default() -> None:
    assert check_enum("BOOKED", {"BOOKED"}).issues == ()
    unknown = check_enum("WAITING", {"BOOKED"}, default="BOOKED")
    assert unknown.value == "BOOKED" and unknown.codes() == ("enum_unknown",)
    assert default_appointment_status(NOW + dt.timedelta(hours=1), NOW) == "BOOKED"
    assert default_appointment_status(NOW - dt.timedelta(hours=1), NOW) == "COMPLETED"
