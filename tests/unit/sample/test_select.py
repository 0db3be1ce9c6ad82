"""The deterministic choice: every object represented, units whole, the size respected."""

from __future__ import annotations

from migrator.sample.edges import Reference, SampleEdges
from migrator.sample.rows import Node, RowGraph
from migrator.sample.select import SampleSelection, select_sample

EDGES = SampleEdges(
    written=("accounts", "lines", "notes", "opportunities"),
    weights={"accounts": 1, "lines": 1, "notes": 2, "opportunities": 1},
    references=(
        Reference("lines", "opportunity_id", "opportunities", "id", dependent=True),
        Reference("notes", "opportunity_id", "opportunities", "id", dependent=True),
        Reference("opportunities", "account_id", "accounts", "id", dependent=False),
    ),
    folds=(),
    tops=frozenset({"accounts"}),
)


def _link(graph: RowGraph, child: Node, parent: Node, *, dependent: bool) -> None:
    graph.up[child].append(parent)
    if dependent:
        graph.down[parent].append(child)


def _crm(accounts: int = 5, opportunities: int = 20, big: int = 0) -> RowGraph:
    """Accounts; opportunities each with 3 lines and 1 note (``big`` of them with 60 lines)."""
    graph = RowGraph()
    account_nodes = [graph.add("accounts", f"A{i}") for i in range(accounts)]
    for i in range(opportunities):
        opp = graph.add("opportunities", f"O{i}")
        _link(graph, opp, account_nodes[i % accounts], dependent=False)
        for j in range(60 if i < big else 3):
            _link(graph, graph.add("lines", f"L{i}-{j}"), opp, dependent=True)
        _link(graph, graph.add("notes", f"N{i}"), opp, dependent=True)
    return graph


def _nodes(graph: RowGraph, selection: SampleSelection) -> set[Node]:
    return {n for n in range(len(graph.ids)) if selection.keeps(graph.objects[n], graph.ids[n])}


def test_select_sample_is_deterministic() -> None:
    first = select_sample(_crm(), EDGES, 30)
    again = select_sample(_crm(), EDGES, 30)
    assert first == again


def test_select_sample_represents_every_object_and_keeps_units_whole() -> None:
    graph = _crm()
    selection = select_sample(graph, EDGES, 30)
    chosen = _nodes(graph, selection)
    assert all(selection.counts[obj] > 0 for obj in EDGES.written)
    for node in chosen:
        assert set(graph.up[node]) <= chosen, graph.ids[node]  # every row it refers to
        if graph.objects[node] != "accounts":
            assert set(graph.down[node]) <= chosen, graph.ids[node]  # every dependent row
    assert sum(selection.counts.values()) == len(chosen)


def test_select_sample_respects_the_size_and_weights() -> None:
    graph = _crm()
    selection = select_sample(graph, EDGES, 30)
    weighted = sum(EDGES.weights[obj] * count for obj, count in selection.counts.items())
    assert selection.records == weighted
    assert 25 <= selection.records <= 30  # an opportunity unit weighs 6 (note counts 2)
    assert selection.size == 30


def test_select_sample_takes_everything_when_asked_for_more() -> None:
    graph = _crm(accounts=2, opportunities=3)
    selection = select_sample(graph, EDGES, 1000)
    assert selection.counts == {"accounts": 2, "lines": 9, "notes": 3, "opportunities": 3}


def test_select_sample_skips_a_unit_larger_than_what_is_left() -> None:
    graph = _crm(accounts=1, opportunities=6, big=3)
    selection = select_sample(graph, EDGES, 20)
    chosen = _nodes(graph, selection)
    assert not any(graph.ids[n].startswith(("L0-", "L1-", "L2-")) for n in chosen)
    assert selection.records <= 20 and selection.counts["opportunities"] >= 2


def test_select_sample_never_takes_a_unit_larger_than_the_size() -> None:
    graph = _crm(accounts=1, opportunities=2, big=2)  # every opportunity weighs 63
    selection = select_sample(graph, EDGES, 10)
    assert selection.counts["lines"] == 0 and selection.counts["opportunities"] == 0
    assert selection.counts["accounts"] == 1  # the only object a unit of 10 can represent
