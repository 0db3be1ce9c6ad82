"""Text clean-up and date rules."""

from __future__ import annotations

import datetime as dt
import unicodedata

from migrator.validate.dates import (
    age_at,
    check_birth_date,
    check_due_date,
    check_duration,
    check_not_after_export,
)
from migrator.validate.text import check_name, clean_clinical_text, clean_text, split_tags


def test_clean_text_nfc_and_control_characters() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn An")
    outcome = clean_text(decomposed + "\x00\x07")
    assert outcome.value == "Nguyễn Văn An"
    assert outcome.codes() == ("text_normalised",)
    assert clean_text("line1\nline2\tx 🚀").issues == ()
    assert clean_text("a\r\nb").value == "a\nb"


def test_clean_clinical_text_only_touches_line_endings() -> None:
    decomposed = unicodedata.normalize("NFD", "Seán\r\n")
    outcome = clean_clinical_text(decomposed)
    assert outcome.value == decomposed.replace("\r\n", "\n")


def test_check_name_truncates_long_names() -> None:
    outcome = check_name("x" * 300)
    assert outcome.value == "x" * 255 and outcome.codes() == ("name_too_long",)


def test_split_tags_from_comma_strings_and_lists() -> None:
    assert split_tags("VIP, HCM,POS,vip").value == ("VIP", "HCM", "POS")
    assert split_tags("VIP, HCM").codes() == ("tags_normalised",)
    assert split_tags(["HCM", "POS"]).issues == ()
    assert split_tags(["HCM", "hcm", " POS "]).value == ("HCM", "POS")


def test_birth_dates() -> None:
    today = dt.date(2026, 1, 15)
    assert check_birth_date(dt.date(1988, 3, 14), today).issues == ()
    assert check_birth_date(dt.date(2026, 2, 1), today).codes() == ("birth_date_in_future",)
    assert check_birth_date(dt.date(1900, 1, 1), today).codes() == ("age_over_120",)
    assert age_at(dt.date(2012, 1, 16), today) == 13
    assert age_at(dt.date(2012, 1, 15), today) == 14


def test_due_dates_durations_and_future_completion() -> None:
    assert check_due_date(dt.date(2025, 1, 10), dt.date(2025, 1, 9))[0].code == "due_before_issue"
    assert check_due_date(dt.date(2025, 1, 10), dt.date(2025, 1, 10)) == ()
    assert check_duration(30).issues == ()
    assert check_duration(721).codes() == ("duration_over_12_hours",)
    assert check_duration(0).codes() == ("duration_out_of_range",)
    assert check_duration(1_000_000).codes() == ("duration_out_of_range",)
    export = dt.datetime(2026, 1, 15, tzinfo=dt.UTC)
    assert check_not_after_export(export + dt.timedelta(seconds=1), export)[0].code == (
        "completed_in_future"
    )
