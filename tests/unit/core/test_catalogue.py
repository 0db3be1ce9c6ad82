"""The catalogue knows a new v2.15 workspace and Twenty's naming rules."""

from __future__ import annotations

import pytest

from migrator import catalogue
from migrator.catalogue import FieldType


def test_standard_objects_are_those_of_a_new_workspace() -> None:
    names = [o.name_singular for o in catalogue.standard_objects()]
    assert names == [
        "attachment",
        "company",
        "note",
        "noteTarget",
        "opportunity",
        "person",
        "task",
        "taskTarget",
        "timelineActivity",
        "workspaceMember",
    ]
    assert catalogue.standard_object("people") is catalogue.standard_object("person")


def test_standard_fields_carry_types_uniqueness_relations_and_options() -> None:
    company = catalogue.standard_object("company")
    assert company is not None
    domain = company.field("domainName")
    assert domain is not None and domain.type is FieldType.LINKS and domain.is_unique
    assert company.field("employees") is None  # demoted in 2.10: absent from new workspaces
    person = catalogue.standard_object("person")
    assert person is not None
    link = person.field("companyId")
    assert link is not None and link.name == "company" and link.relation_type == "MANY_TO_ONE"
    stage = catalogue.standard_object("opportunity").field("stage")  # type: ignore[union-attr]
    assert stage is not None
    assert stage.options == ("NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER")
    assert stage.default == "'NEW'" and not stage.is_nullable
    people = company.field("people")
    assert people is not None and not people.is_writable


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("oplaHealthscore", None),
        ("opla_healthscore__c", catalogue.MESSAGE_INVALID_NAME),
        ("Legacy Id", catalogue.MESSAGE_INVALID_NAME),
        ("1st", catalogue.MESSAGE_INVALID_NAME),
        ("type", catalogue.MESSAGE_RESERVED_NAME),
        ("a" * 64, catalogue.MESSAGE_NAME_TOO_LONG),
        ("a" * 63, None),
    ],
)
def test_name_problem_applies_twentys_rules(name: str, problem: str | None) -> None:
    assert catalogue.name_problem(name) == problem


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("CLOSE_WON", True),
        ("RATING_1", True),
        ("gold tier", False),
        ("QUẬN_1", False),
        ("A__B", False),
        ("_A", False),
        ("A_", False),
    ],
)
def test_option_value_problem_requires_ascii_upper_snake(value: str, ok: bool) -> None:
    assert (catalogue.option_value_problem(value) is None) is ok


def test_creatable_types_exclude_the_refused_ones() -> None:
    for refused in (FieldType.NUMERIC, FieldType.POSITION, FieldType.TS_VECTOR):
        assert refused not in catalogue.CREATABLE_FIELD_TYPES
        assert refused in catalogue.REFUSED_TYPE_REASONS
    assert FieldType.RELATION in catalogue.CREATABLE_FIELD_TYPES
