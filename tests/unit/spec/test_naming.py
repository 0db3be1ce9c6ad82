"""Twenty names and option values proposed from guide and source names."""

from __future__ import annotations

import pytest

from migrator.catalogue import name_problem, option_value_problem
from migrator.spec.naming import to_ascii, to_camel_case, to_option_value


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("opla_healthscore__c", "oplaHealthscore"),
        ("opla_locked__c", "oplaLocked"),
        ("opla_joint_opportunity_id__c", "oplaJointOpportunityId"),
        ("Appointment_Status__c", "appointmentStatus"),
        ("Tooth_Chart__c", "toothChart"),
        ("Invoice_Number__c", "invoiceNumber"),
        ("NHSNumber", "nhsNumber"),
        ("20. ADO", "ado"),
        ("Số chi nhánh", "soChiNhanh"),
        ("already camelCase", "alreadyCamelCase"),
    ],
)
def test_to_camel_case_gives_valid_twenty_names(text: str, name: str) -> None:
    assert to_camel_case(text) == name
    assert name_problem(name) is None


def test_to_camel_case_of_nothing_usable_is_empty() -> None:
    assert to_camel_case("__c") == ""
    assert to_camel_case("123") == ""
    assert len(to_camel_case("word " * 30)) == 63


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("Quận 1", "QUAN_1"),
        ("Đã ký hợp đồng", "DA_KY_HOP_DONG"),
        ("Thất bại", "THAT_BAI"),
        ("In Treatment", "IN_TREATMENT"),
        ("no-show", "NO_SHOW"),
        ("Straße", "STRASSE"),
        ("Bình Thạnh", "BINH_THANH"),
    ],
)
def test_to_option_value_transliterates_to_ascii_upper_snake(label: str, value: str) -> None:
    assert to_option_value(label) == value
    assert option_value_problem(value) is None


def test_to_ascii_keeps_letters_and_drops_marks() -> None:
    assert to_ascii("Đức Hòa — Quận 7") == "Duc Hoa  Quan 7"
