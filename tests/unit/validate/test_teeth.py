"""Tooth notation and surface vectors from sources.md §7.3."""

from __future__ import annotations

import pytest

from migrator.validate.findings import Severity
from migrator.validate.teeth import (
    Tooth,
    age_issues,
    normalise_surfaces,
    parse_tooth,
    tooth_from_fdi,
)


@pytest.mark.parametrize(
    ("raw", "fdi"),
    [
        ("UR6", 16),
        ("LL8", 38),
        ("ULD", 64),
        ("LRB", 82),
        ("lrb", 82),
        ("UR Q 6", 16),
        ("URQ6", 16),
        ("ur1", 11),
        ("LRE", 85),
    ],
)
def test_parse_tooth_converts_palmer_to_fdi(raw: str, fdi: int) -> None:
    outcome = parse_tooth(raw)
    assert outcome.value is not None
    assert outcome.value.fdi == fdi
    assert outcome.issues == ()


@pytest.mark.parametrize("fdi", [11, 18, 21, 28, 31, 38, 41, 48, 51, 55, 61, 65, 71, 75, 81, 85])
def test_palmer_round_trip_is_exact(fdi: int) -> None:
    tooth = tooth_from_fdi(fdi)
    assert tooth is not None
    back = parse_tooth(tooth.palmer)
    assert back.value == tooth


@pytest.mark.parametrize(("raw", "fixed"), [("16", False), ("1.6", True), ("1-6", True)])
def test_parse_tooth_accepts_fdi_spellings(raw: str, fixed: bool) -> None:
    outcome = parse_tooth(raw)
    assert outcome.value == Tooth(1, 6)
    assert ("tooth_fdi_spelling" in outcome.codes()) is fixed


@pytest.mark.parametrize(
    "raw",
    [
        "10",
        "19",
        "20",
        "29",
        "40",
        "49",
        "56",
        "59",
        "66",
        "79",
        "89",
        "91",
        "05",
        "00",
        "UR9",
        "URF",
        "XR6",
        "U6",
        "",
        "UR66",
    ],
)
def test_parse_tooth_refuses_areas_and_impossible_codes(raw: str) -> None:
    outcome = parse_tooth(raw)
    assert outcome.value is None
    assert outcome.codes() == ("tooth_invalid",)


def test_parse_tooth_accepts_integers() -> None:
    assert parse_tooth(64).value == Tooth(6, 4)
    assert parse_tooth(19).value is None


@pytest.mark.parametrize(("raw", "fdi"), [("6┘", 16), ("└6", 26), ("6┐", 46), ("┌6", 36)])
def test_parse_tooth_converts_box_symbols_with_a_warning(raw: str, fdi: int) -> None:
    outcome = parse_tooth(raw)
    assert outcome.value is not None
    assert outcome.value.fdi == fdi
    assert outcome.codes() == ("tooth_palmer_symbol",)


def test_tooth_classes() -> None:
    upper_molar = Tooth(1, 6)
    assert upper_molar.is_maxillary and not upper_molar.is_anterior
    assert upper_molar.dentition == "PERMANENT"
    lower_primary_incisor = Tooth(8, 2)
    assert not lower_primary_incisor.is_maxillary and lower_primary_incisor.is_anterior
    assert lower_primary_incisor.palmer == "LRB"


@pytest.mark.parametrize(
    ("raw", "tooth", "expected", "codes"),
    [
        ("MOD", 36, "MOD", ()),
        ("DOM", 36, "MOD", ("surfaces_normalised",)),
        ("mod", 36, "MOD", ("surfaces_normalised",)),
        ("PD", 11, "DP", ("surfaces_normalised",)),
        ("DP", 11, "DP", ()),
        ("MODD", 46, "MOD", ("surfaces_normalised",)),
        ("DL", 16, "DP", ("surface_lingual_to_palatal",)),
        ("LD", 16, "DP", ("surfaces_normalised", "surface_lingual_to_palatal")),
        ("MLa", 31, "MB", ("surfaces_normalised",)),
        ("DLi", 41, "DL", ("surfaces_normalised",)),
        ("F", 41, "B", ("surfaces_normalised",)),
        ("V", 46, "B", ("surfaces_normalised",)),
        ("", 46, "", ()),
        ("M, O, D", 46, "MOD", ("surfaces_normalised",)),
    ],
)
def test_normalise_surfaces_vectors(
    raw: str, tooth: int, expected: str, codes: tuple[str, ...]
) -> None:
    outcome = normalise_surfaces(raw, tooth_from_fdi(tooth))
    assert outcome.value == expected
    assert outcome.codes() == codes


def test_normalise_surfaces_palatal_on_a_lower_tooth_is_an_error() -> None:
    outcome = normalise_surfaces("DP", tooth_from_fdi(36))
    assert outcome.value is None
    assert outcome.codes() == ("surface_palatal_on_mandibular",)


def test_normalise_surfaces_loose_occlusal_and_incisal_are_warnings() -> None:
    front = normalise_surfaces("MO", tooth_from_fdi(11))
    assert front.value == "MO" and front.worst is Severity.WARN
    assert "surface_occlusal_on_anterior" in front.codes()
    back = normalise_surfaces("I", tooth_from_fdi(36))
    assert back.value == "I" and "surface_incisal_on_posterior" in back.codes()


@pytest.mark.parametrize("raw", ["MXD", "M1", "Q"])
def test_normalise_surfaces_refuses_unknown_letters(raw: str) -> None:
    assert normalise_surfaces(raw, tooth_from_fdi(36)).codes() == ("surface_unknown",)


def test_normalise_surfaces_refuses_more_than_five() -> None:
    outcome = normalise_surfaces("MODBLI", tooth_from_fdi(36))
    assert outcome.value is None
    assert "surfaces_too_many" in outcome.codes()


def test_age_issues() -> None:
    assert age_issues(Tooth(5, 4), 15)[0].code == "tooth_deciduous_at_14_plus"
    assert age_issues(Tooth(5, 4), 8) == ()
    assert age_issues(Tooth(3, 7), 5)[0].code == "tooth_molar_under_6"
    assert age_issues(Tooth(3, 6), 5) == ()
