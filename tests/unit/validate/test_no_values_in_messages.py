"""No validator quotes the value it judged: messages are safe to print for patient data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from migrator.validate.emails import check_email
from migrator.validate.identifiers import (
    check_aerona_id,
    check_gdc_number,
    check_sha256,
    check_sku,
    check_uuid,
    check_vn_tax_id,
)
from migrator.validate.nhs import check_nhs_number
from migrator.validate.phones import check_opla_phone, check_phone
from migrator.validate.postcodes import check_eircode, check_uk_postcode
from migrator.validate.sds import check_patient_sds, check_sds_user_id
from migrator.validate.teeth import normalise_surfaces, parse_tooth

SECRET = "Zq9xW7"

CASES: list[tuple[str, Callable[[Any], Any], Any]] = [
    ("nhs", check_nhs_number, f"999{SECRET}"),
    ("sds", check_sds_user_id, SECRET),
    ("patient_sds", check_patient_sds, SECRET),
    ("email", check_email, f"{SECRET}@@example.com"),
    ("email_invalid", check_email, f"{SECRET}..x@example.com"),
    ("phone", lambda v: check_phone(v, "GB"), f"{SECRET} call"),
    ("phone_short", lambda v: check_phone(v, "GB"), f"{SECRET}12"),
    ("opla_phone", check_opla_phone, {"phone": f"{SECRET}", "call_code": "+84"}),
    ("postcode", check_uk_postcode, SECRET),
    ("eircode", check_eircode, SECRET),
    ("uuid", lambda v: check_uuid(v, primary=True), SECRET),
    ("aerona_id", check_aerona_id, SECRET),
    ("sha", check_sha256, SECRET),
    ("tax", check_vn_tax_id, SECRET),
    ("sku", check_sku, f"{SECRET} !"),
    ("gdc", check_gdc_number, SECRET),
    ("tooth", parse_tooth, SECRET),
    ("surfaces", lambda v: normalise_surfaces(v, None), SECRET),
]


@pytest.mark.parametrize(("name", "validator", "value"), CASES, ids=[c[0] for c in CASES])
def test_issue_messages_never_contain_the_value(
    name: str, validator: Callable[[Any], Any], value: Any
) -> None:
    outcome = validator(value)
    assert outcome.issues, name
    for item in outcome.issues:
        assert SECRET not in item.message
        assert SECRET.lower() not in item.message.lower()
        assert SECRET not in item.code
