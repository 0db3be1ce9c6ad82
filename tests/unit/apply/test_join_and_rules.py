"""Pairing plan changes with recomputed writes, and rule descriptions that hold no value."""

from __future__ import annotations

import json

import pytest

from migrator.apply.join import ItemTally, Mismatch, Pair, iter_phases, join_phase
from migrator.apply.model import Desired
from migrator.apply.rules import describe_mapping_rules
from migrator.errors import PlanError
from migrator.mapping.model import Fate, Link, RowOutcome
from migrator.model import Action
from migrator.plan.model import RecordChange
from migrator.plan.payloads import link_payload, payload_digest, write_payload

IDS = [f"00000000-0000-4000-8000-{n:012d}" for n in range(20)]


def desired(n: int, **payload: object) -> Desired:
    body = {"id": IDS[n], "name": f"N{n}", **payload}
    return Desired(f"record.m[s:o:{n}]", "m", f"s:o:{n}", "company", IDS[n], body)


def change(
    item: Desired, action: Action = Action.CREATE, existing: str | None = None
) -> RecordChange:
    body = (
        link_payload(existing or item.twenty_id, item.link.field, item.link.target_id, {})
        if item.link
        else write_payload(item.payload, id_map={}, existing_id=existing)
    )
    return RecordChange(
        address=item.address,
        mapping="m",
        source_key=item.source_key,
        twenty_object="company",
        twenty_id=item.twenty_id,
        action=action,
        reason="r",
        payload_digest=payload_digest(body),
        phase="mapping.m",
        existing_id=existing,
    )


def test_changes_pair_with_their_items_and_no_ops_are_passed_over() -> None:
    items = [desired(n) for n in range(6)]
    changes = [change(items[1]), change(items[4])]
    tally = ItemTally()
    out = list(join_phase(changes, iter(items), tally, {}))
    assert [type(x) for x in out] == [Pair, Pair]
    assert [p.change.address for p in out if isinstance(p, Pair)] == [
        items[1].address,
        items[4].address,
    ]
    assert tally.total == 6


def test_a_missing_item_does_not_make_every_later_change_a_mismatch() -> None:
    items = [desired(n) for n in range(6)]
    changes = [change(items[1]), change(items[2]), change(items[4])]
    del items[2]
    out = list(join_phase(changes, iter(items), ItemTally(), {}))
    assert [type(x) for x in out] == [Pair, Mismatch, Pair]


def test_changed_payload_outcome_and_order_are_mismatches() -> None:
    items = [desired(n) for n in range(4)]
    changes = [change(items[0]), change(items[1]), change(items[2])]
    items[0] = desired(0, jobTitle="changed")
    outcome = RowOutcome("m", items[1].address, "s:o:1", Fate.QUARANTINED, "bad_value", "x")
    stream: list[Desired | RowOutcome] = [items[0], outcome, items[2], items[3]]
    out = list(join_phase(changes, iter(stream), ItemTally(), {}))
    assert isinstance(out[0], Mismatch) and "digest" in out[0].problem
    assert isinstance(out[1], Mismatch) and "quarantined: bad_value" in out[1].problem
    assert isinstance(out[2], Pair)


def test_merges_shape_the_body_and_feed_the_id_map_for_later_records() -> None:
    existing = IDS[19]
    parent = desired(0)
    child = desired(1, parentId=IDS[0])
    id_map: dict[str, str] = {}
    merge = change(parent, Action.MERGE, existing)
    resolved = write_payload(child.payload, id_map={IDS[0]: existing})
    child_change = change(child).model_copy(update={"payload_digest": payload_digest(resolved)})
    out = list(join_phase([merge, child_change], iter([parent, child]), ItemTally(), id_map))
    assert all(isinstance(x, Pair) for x in out)
    first, second = (x for x in out if isinstance(x, Pair))
    assert first.body is not None and first.body["id"] == existing
    assert second.body is not None and second.body["parentId"] == existing


def test_links_send_id_and_the_join_column() -> None:
    record = desired(3)
    link = Link("parent", "record.m[s:o:5]", IDS[5])
    item = Desired(**{**{k: getattr(record, k) for k in record.__slots__}, "link": link})
    out = list(join_phase([change(item, Action.UPDATE)], iter([item]), ItemTally(), {}))
    assert isinstance(out[0], Pair) and out[0].body == {"id": IDS[3], "parentId": IDS[5]}


def test_phases_must_come_in_the_header_order() -> None:
    a, b = desired(0), desired(1)
    first = change(a)
    second = change(b).model_copy(update={"phase": "mapping.n"})
    phases = ("mapping.m", "mapping.n")
    seen = [(p, [c.address for c in cs]) for p, cs in iter_phases(iter([first, second]), phases)]
    assert seen == [("mapping.m", [a.address]), ("mapping.n", [b.address])]
    with pytest.raises(PlanError, match="out of the plan's order"):
        for _, changes in iter_phases(iter([second, first]), phases):
            list(changes)


def test_rule_descriptions_keep_names_and_drop_values() -> None:
    spec = {
        "owners": {"from": "users", "key": "external_id", "fallback": {"member": "a@b.test"}},
        "objects": {
            "deals": {
                "from": "opportunities",
                "to": "opportunity",
                "fields": {
                    "name": "name",
                    "stage": {"from": "stage", "map": {"Đã ký": "CUSTOMER"}, "default": "error"},
                    "owner": {"owner": "owner_id"},
                    "note": {"template": "Secret {x}"},
                    "amount": {"amountMicros": {"from": "amount", "transforms": [{"prefix": "Z"}]}},
                    "flag": {"const": "Very private"},
                },
                "children": {"tasks": {"to": "task", "fields": {"title": "subject"}}},
            }
        },
    }
    rules = describe_mapping_rules(spec, "deals")
    text = json.dumps(rules, ensure_ascii=False)
    for value in ("Đã ký", "CUSTOMER", "Secret", "Very private", "a@b.test", 'Z"'):
        assert value not in text
    assert rules["fields"]["stage"] == {
        "from": "stage",
        "map": {"entries": 1, "unlisted": "quarantine"},
    }
    assert rules["fields"]["amount"] == {
        "composite": {"amountMicros": {"from": "amount", "transforms": ["prefix"]}}
    }
    assert rules["owners"]["unresolved"] == "member"
    assert describe_mapping_rules(spec, "tasks")["parent"] == "deals"
