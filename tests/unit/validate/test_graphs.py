"""Orphans, cycles, depth and singleton groups."""

from __future__ import annotations

from migrator.validate.graphs import depths, find_cycles, find_orphans, singleton_groups


def test_find_orphans_lists_unresolved_references_in_order() -> None:
    refs = [("c1", "account_id", "a1"), ("c2", "account_id", "zz"), ("c3", "owner_id", "u9")]
    assert find_orphans(refs, {"a1", "u1"}) == [("c2", "account_id"), ("c3", "owner_id")]


def test_find_cycles_finds_each_cycle_once_in_canonical_rotation() -> None:
    parent = {1: None, 2: 1, 3: 4, 4: 5, 5: 3, 6: 5, 7: 7, 8: 99}
    assert find_cycles(parent) == [(3, 4, 5), (7,)]


def test_find_cycles_on_an_acyclic_forest_is_empty() -> None:
    assert find_cycles({"a": None, "b": "a", "c": "b", "d": "a"}) == []


def test_depths_skip_cycles_and_count_roots_as_one() -> None:
    parent = {1: None, 2: 1, 3: 2, 4: 5, 5: 4, 6: 4}
    assert depths(parent) == {1: 1, 2: 2, 3: 3}


def test_singleton_groups() -> None:
    groups = {"o1": "g1", "o2": "g1", "o3": "g2", "o4": None}
    assert singleton_groups(groups) == ["o3"]
