"""The JSON view is the plan document: valid against the published schema, actions as lists."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from syrupy.assertion import SnapshotAssertion

from migrator.model import Action, canonical_json
from migrator.plan.model import FieldDiff, HoldEntry, QuarantineEntry
from migrator.render.json_view import (
    ACTION_LISTS,
    change_document,
    change_line,
    iter_json,
    render_json,
)
from tests.conftest import REPO_ROOT
from tests.unit.render.plans import (
    CLINIC_SECRETS,
    change,
    clinic_changes,
    clinic_header,
    empty_header,
    sales_changes,
    sales_header,
)

SHA = "ef" * 32


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((REPO_ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _doc(text: str, validator: jsonschema.Draft202012Validator) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(text)
    validator.validate(doc)
    return doc


def test_json_sales_plan_snapshot(
    snapshot_json: SnapshotAssertion, validator: jsonschema.Draft202012Validator
) -> None:
    assert _doc(render_json(sales_header(), sales_changes(), plan_sha256=SHA), validator) == (
        snapshot_json
    )


def test_json_clinic_plan_snapshot(
    snapshot_json: SnapshotAssertion, validator: jsonschema.Draft202012Validator
) -> None:
    assert _doc(render_json(clinic_header(), clinic_changes()), validator) == snapshot_json


def test_json_is_the_plan_document_with_action_lists(
    validator: jsonschema.Draft202012Validator,
) -> None:
    header, changes = sales_header(), sales_changes()
    doc = _doc(render_json(header, changes, plan_sha256=SHA), validator)
    assert doc["format_version"] == 1
    assert doc["plan_sha256"] == SHA
    assert [c["address"] for c in doc["record_changes"]] == [c.address for c in changes]
    assert [c["actions"] for c in doc["record_changes"]] == [
        list(ACTION_LISTS[c.action]) for c in changes
    ]
    replace = next(c for c in doc["record_changes"] if c["reason"].startswith("amount currency"))
    assert replace["actions"] == ["delete", "create"]
    assert "action" not in replace
    expected_header = header.model_dump(mode="json")
    for item in (*expected_header["schema_changes"], *expected_header["samples"]):
        item["actions"] = [item.pop("action")]
    assert doc["header"] == expected_header
    assert [w["code"] for w in doc["header"]["warnings"]] == [w.code for w in header.warnings]


def test_json_withholds_sensitive_values_a_faulty_producer_left_in(
    validator: jsonschema.Draft202012Validator,
) -> None:
    text = render_json(clinic_header(), clinic_changes())
    for secret in (*CLINIC_SECRETS, "9990000000", "z.q@example.org"):
        assert secret not in text
    diffs = [d for c in _doc(text, validator)["record_changes"] for d in c["field_diffs"]]
    assert len(diffs) == 7
    assert all(d["sensitive"] and d["before"] is None and d["after"] is None for d in diffs)


def test_json_streams_one_change_per_line_and_is_valid_when_empty(
    validator: jsonschema.Draft202012Validator,
) -> None:
    empty = render_json(empty_header(), [])
    assert _doc(empty, validator)["record_changes"] == []
    assert empty.endswith('"record_changes": [],\n  "outcomes": []\n}\n')
    pieces = list(iter_json(empty_header(), sales_changes()))
    assert len(pieces) == 2 + 1 + 1 + 3  # all changes in one chunk (fewer than CHUNK_ITEMS)
    lines = pieces[2].strip("\n").split(",\n    ")
    assert [json.loads(line)["address"] for line in lines] == [c.address for c in sales_changes()]


def test_json_outcomes_are_the_whole_stream_or_the_header_lists(
    validator: jsonschema.Draft202012Validator,
) -> None:
    header = sales_header()
    doc = _doc(render_json(header, []), validator)
    assert doc["outcomes"] == [
        {"quarantine": header.quarantine[0].model_dump(mode="json")},
        {"hold": header.holds[0].model_dump(mode="json")},
    ]
    streamed: list[QuarantineEntry | HoldEntry] = [
        header.holds[0],
        header.quarantine[0],
        header.quarantine[0],
    ]
    doc = _doc(render_json(header, [], outcomes=iter(streamed)), validator)
    assert [next(iter(item)) for item in doc["outcomes"]] == ["hold", "quarantine", "quarantine"]


def test_json_schema_refuses_what_the_view_never_writes(
    validator: jsonschema.Draft202012Validator,
) -> None:
    doc = _doc(
        render_json(empty_header(), [change("people", "person", 1, Action.CREATE)]), validator
    )
    bad_action = json.loads(json.dumps(doc))
    bad_action["record_changes"][0]["actions"] = ["explode"]
    single = json.loads(json.dumps(doc))
    single["record_changes"][0]["action"] = "create"
    extra = json.loads(json.dumps(doc)) | {"api_key": "x"}
    for broken in (bad_action, single, extra):
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(broken)


def test_json_keeps_non_sensitive_diff_values() -> None:
    update = change(
        "people", "person", 1, Action.UPDATE, diffs=(FieldDiff(path="city", before="A", after="B"),)
    )
    doc = json.loads(render_json(empty_header(), [update]))
    assert doc["record_changes"][0]["field_diffs"] == [
        {"after": "B", "before": "A", "path": "city", "sensitive": False}
    ]


def test_json_fast_encoding_of_a_change_is_the_canonical_one_for_any_text() -> None:
    texts = ("plain", "é ü 中文 🙂", "tab\tnew\nline\x00\x1f\x7f", '\u2028\u2029 \\ " /', "\ud800")
    for text in texts:
        for action in (Action.CREATE, Action.MERGE, Action.REPLACE):
            one = change("people", "person", 1, action, reason=text, existing_id=text or None)
            weird = one.model_copy(update={"address": f"record.people[{text}]"})
            assert change_line(weird) == canonical_json(change_document(weird))
    with_diff = change(
        "people", "person", 2, Action.UPDATE, diffs=(FieldDiff(path="x", before=1.5, after=2),)
    )
    assert change_line(with_diff) == canonical_json(change_document(with_diff))
