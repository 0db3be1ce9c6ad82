"""Date rules: birth dates, due dates, appointment durations (sources.md §7.7).

A date of birth in the future is an ERROR, an age over 120 a WARN; a due date before its issue
date is a WARN; an appointment duration outside 1-999 999 minutes is an ERROR and over 720 a
WARN. ``today`` is always passed in (the export date), never read from the clock here.
"""

from __future__ import annotations

import datetime as dt

from migrator.validate.findings import Issue, Outcome, error, warn

ERROR_FUTURE_BIRTH = error("birth_date_in_future", "date of birth is in the future")
WARN_OLD = warn("age_over_120", "age over 120 years")
WARN_DUE_BEFORE_ISSUE = warn("due_before_issue", "due date is before the issue date")
ERROR_DURATION = error("duration_out_of_range", "duration is not 1 to 999 999 minutes")
WARN_DURATION_LONG = warn("duration_over_12_hours", "appointment longer than 720 minutes")
ERROR_FUTURE_COMPLETION = error("completed_in_future", "completed entry dated after the export")


def age_at(birth: dt.date, when: dt.date) -> int:
    """Whole years between ``birth`` and ``when``."""
    years = when.year - birth.year
    return years - ((when.month, when.day) < (birth.month, birth.day))


def check_birth_date(birth: dt.date, today: dt.date) -> Outcome[dt.date]:
    """Not in the future (ERROR); at most 120 years ago (WARN)."""
    if birth > today:
        return Outcome(None, (ERROR_FUTURE_BIRTH,))
    if age_at(birth, today) > 120:
        return Outcome(birth, (WARN_OLD,))
    return Outcome(birth, ())


def check_due_date(issued: dt.date, due: dt.date) -> tuple[Issue, ...]:
    """``due`` on or after ``issued``."""
    return (WARN_DUE_BEFORE_ISSUE,) if due < issued else ()


def check_duration(minutes: int) -> Outcome[int]:
    """An appointment duration: 1-999 999 minutes (ERROR outside), over 720 a WARN."""
    if not 1 <= minutes <= 999_999:
        return Outcome(None, (ERROR_DURATION,))
    return Outcome(minutes, (WARN_DURATION_LONG,) if minutes > 720 else ())


def check_not_after_export(moment: dt.datetime, exported_at: dt.datetime) -> tuple[Issue, ...]:
    """A COMPLETED chart entry or treatment dated after the export: ERROR."""
    return (ERROR_FUTURE_COMPLETION,) if moment > exported_at else ()
