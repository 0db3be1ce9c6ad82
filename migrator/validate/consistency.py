"""Stage and status consistency, enum membership and enum defaults (sources.md §7.7).

OplaCRM: ``CLOSE_WON`` needs ``stage_type`` WON and ``date_closed_actual`` (missing: WARN);
``CLOSE_LOST`` needs LOST. AeronaClinic: a COMPLETED treatment plan with PLANNED items, and a
COMPLETED or NO_SHOW appointment in the future, are WARNs; an unknown appointment status maps to
BOOKED in the future and COMPLETED in the past (the default is configurable by the caller).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from migrator.validate.findings import Issue, Outcome, warn

WARN_WON_TYPE = warn("stage_won_type_mismatch", "stage CLOSE_WON but stage type is not WON")
WARN_LOST_TYPE = warn("stage_lost_type_mismatch", "stage CLOSE_LOST but stage type is not LOST")
WARN_WON_NO_DATE = warn("stage_won_without_close_date", "won without an actual close date")
WARN_PLAN_ITEMS = warn("plan_completed_with_planned_items", "completed plan has planned items")
WARN_FUTURE_DONE = warn("appointment_outcome_in_future", "completed or no-show in the future")
WARN_UNKNOWN_ENUM = warn("enum_unknown", "unknown code; mapped to the configured default")


def check_opportunity_stage(
    code: str | None, stage_type: str | None, date_closed_actual: dt.date | None
) -> tuple[Issue, ...]:
    """The OplaCRM terminal stage rules."""
    issues: list[Issue] = []
    if code == "CLOSE_WON":
        if stage_type != "WON":
            issues.append(WARN_WON_TYPE)
        if date_closed_actual is None:
            issues.append(WARN_WON_NO_DATE)
    elif code == "CLOSE_LOST" and stage_type != "LOST":
        issues.append(WARN_LOST_TYPE)
    return tuple(issues)


def check_treatment_plan(
    status: str | None, item_statuses: Iterable[str | None]
) -> tuple[Issue, ...]:
    """A COMPLETED plan whose items are still PLANNED."""
    if status == "COMPLETED" and any(s == "PLANNED" for s in item_statuses):
        return (WARN_PLAN_ITEMS,)
    return ()


def check_appointment_outcome(
    status_code: str | None, appointment_time: dt.datetime | None, now: dt.datetime
) -> tuple[Issue, ...]:
    """COMPLETED or NO_SHOW with the appointment still in the future (relative to ``now``,
    the export time)."""
    if status_code in ("COMPLETED", "NO_SHOW") and appointment_time and appointment_time > now:
        return (WARN_FUTURE_DONE,)
    return ()


def check_enum(value: str, allowed: Collection[str], default: str | None = None) -> Outcome[str]:
    """``value`` if it is a known code; otherwise WARN and ``default`` (or the value itself)."""
    if value in allowed:
        return Outcome(value, ())
    return Outcome(default if default is not None else value, (WARN_UNKNOWN_ENUM,))


def default_appointment_status(
    appointment_time: dt.datetime | None, now: dt.datetime, *, future: str = "BOOKED",
    past: str = "COMPLETED",
) -> str:  # fmt: skip
    """The status an unknown appointment status maps to: ``future`` or ``past`` by time."""
    if appointment_time is not None and appointment_time > now:
        return future
    return past
