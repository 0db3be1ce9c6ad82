"""A value map's ``default`` (unlisted values) and a value's ``if_missing`` (no value)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from migrator.mapping.model import Fate
from tests.unit.mapping.helpers import run_all, setup, spec_document

ACCOUNTS: list[dict[str, Any]] = [
    {"id": "a0000000-0000-4000-8000-000000000001", "name": "Listed", "external_id": "GOLD"},
    {"id": "a0000000-0000-4000-8000-000000000002", "name": "Unlisted", "external_id": "TIN"},
    {"id": "a0000000-0000-4000-8000-000000000003", "name": "Missing"},
    {"id": "a0000000-0000-4000-8000-000000000004", "name": "Empty", "external_id": ""},
]
SCHEMA: dict[str, Any] = {
    "company": {
        "fields": {
            "tier": {"type": "SELECT", "label": "Tier",
                     "options": [{"value": "GOLD", "label": "Gold"},
                                 {"value": "STANDARD", "label": "Standard"}]},
        }
    }
}  # fmt: skip


def _payloads(tmp_path: Path, tier: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    objects = {
        "companies": {
            "from": "accounts",
            "to": "company",
            "fields": {"name": "name", "tier": tier},
        }
    }
    document = spec_document(
        "oplacrm", schema=SCHEMA, objects=objects, skip={"users": "not needed"}
    )
    _spec, mapper = setup(tmp_path, "oplacrm", {"accounts": ACCOUNTS, "users": []}, document)
    run = run_all(mapper)
    written = {r.payload["name"]: r.payload.get("tier") for r in run.records("companies")}
    fates = {o.source_key.rsplit(":", 1)[1][-1]: o.fate for o in run.outcomes("companies")}
    return written, fates


def test_default_fills_unlisted_values_and_leaves_missing_ones_empty(tmp_path: Path) -> None:
    tier = {"from": "external_id", "map": {"GOLD": "GOLD"}, "default": "STANDARD"}
    written, fates = _payloads(tmp_path, tier)
    assert written == {"Listed": "GOLD", "Unlisted": "STANDARD", "Missing": None,
                       "Empty": "STANDARD"}  # fmt: skip
    assert not fates


def test_if_missing_fills_a_missing_value_only(tmp_path: Path) -> None:
    tier = {"from": "external_id", "map": {"GOLD": "GOLD"}, "default": "error",
            "if_missing": "STANDARD"}  # fmt: skip
    written, fates = _payloads(tmp_path, tier)
    assert written == {"Listed": "GOLD", "Missing": "STANDARD"}
    assert set(fates.values()) == {Fate.QUARANTINED}
    assert len(fates) == 2  # Unlisted and Empty: an empty text is a value, and not listed


def test_if_missing_without_a_map_is_written_as_is(tmp_path: Path) -> None:
    written, _fates = _payloads(tmp_path, {"from": "external_id", "if_missing": "STANDARD"})
    assert (written["Listed"], written["Missing"]) == ("GOLD", "STANDARD")
