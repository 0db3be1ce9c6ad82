"""SDS identifier vectors from sources.md §7.2."""

from __future__ import annotations

import pytest

from migrator.validate.findings import Severity
from migrator.validate.sds import check_patient_sds, check_sds_role_profile_id, check_sds_user_id


def test_check_sds_user_id_accepts_the_fhir_example() -> None:
    outcome = check_sds_user_id("200009876204")
    assert outcome.value == "200009876204"
    assert outcome.issues == ()


def test_check_sds_role_profile_id_accepts_the_fhir_example_with_spaces_fixed() -> None:
    outcome = check_sds_role_profile_id("1000 7765 0987")
    assert outcome.value == "100077650987"
    assert outcome.codes() == ("sds_spaces",)


@pytest.mark.parametrize("value", ["20000987620", "2000098762045", "20000987620A", "G1234567"])
def test_check_sds_user_id_warns_and_keeps_anything_else(value: str) -> None:
    outcome = check_sds_user_id(value)
    assert outcome.value == value
    assert outcome.worst is Severity.WARN
    assert outcome.ok


def test_check_patient_sds_keeps_the_value_opaque_and_warns_about_its_meaning() -> None:
    outcome = check_patient_sds("9990000018")
    assert outcome.value == "9990000018"
    assert outcome.codes() == ("patient_sds_meaning_unknown",)
