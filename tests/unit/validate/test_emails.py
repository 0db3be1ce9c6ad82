"""Email vectors from sources.md §7.4."""

from __future__ import annotations

import pytest

from migrator.validate.emails import Emails, check_email
from migrator.validate.findings import Severity


@pytest.mark.parametrize(
    "value",
    [
        "an.nguyen@example.com",
        "Aoife.Test@example.org",
        "o'brien+tag@example.ie",
        "user@sub.example.co.uk",
    ],
)
def test_check_email_accepts_valid_addresses_unchanged(value: str) -> None:
    outcome = check_email(value)
    assert outcome.value == Emails(value)
    assert outcome.issues == ()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Mixed.Case@Example.COM ", "Mixed.Case@example.com"),
        ("mailto:An@Example.com", "An@example.com"),
        ("<an@example.com>", "an@example.com"),
        ("ngoc@BÜCHER.example", "ngoc@bücher.example"),
    ],
)
def test_check_email_fixes_wrapping_and_lowercases_only_the_domain(raw: str, expected: str) -> None:
    outcome = check_email(raw)
    assert outcome.value is not None
    assert outcome.value.primary == expected
    assert outcome.codes() == ("email_normalised",)


def test_check_email_dedupe_key_is_lower_case_but_never_the_loaded_value() -> None:
    outcome = check_email("An.Nguyen@example.com")
    assert outcome.value is not None
    assert outcome.value.primary == "An.Nguyen@example.com"
    assert outcome.value.dedupe_key == "an.nguyen@example.com"


def test_check_email_splits_several_addresses() -> None:
    outcome = check_email("a@example.com; b@example.com, c@example.com d@example.com")
    assert outcome.value == Emails(
        "a@example.com", ("b@example.com", "c@example.com", "d@example.com")
    )
    assert outcome.codes() == ("email_split",)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Email", "email_placeholder"),
        ("n/a", "email_placeholder"),
        ("-", "email_placeholder"),
        ("none", "email_placeholder"),
        ("test@test.com", "email_placeholder"),
        ("a@b@example.com", "email_several_at"),
        ("user@localhost", "email_domain_without_dot"),
        ("x" * 250 + "@example.com", "email_too_long"),
        ("no-at-sign.example.com", "email_invalid"),
        ("a..b@example.com", "email_invalid"),
        ("a@b.test", "email_invalid"),
        ("", "email_placeholder"),
    ],
)
def test_check_email_warns_and_loads_nothing_for_bad_values(value: str, code: str) -> None:
    outcome = check_email(value)
    assert outcome.value is None
    assert outcome.codes()[-1] == code
    assert outcome.worst is Severity.WARN


def test_check_email_allows_dotless_domains_in_tests_only() -> None:
    assert check_email("dev@sandbox").value is None
    allowed = check_email("dev@sandbox", allow_dotless_domain=True)
    assert allowed.value == Emails("dev@sandbox")


def test_check_email_keeps_good_addresses_next_to_a_bad_one() -> None:
    outcome = check_email("n/a; real@example.com")
    assert outcome.value == Emails("real@example.com")
    assert "email_placeholder" in outcome.codes()
