"""Samples are bounded per mapping and action, and picked rarest-first; views stream changes."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

from migrator.model import Action
from migrator.plan.model import RecordChange
from migrator.render.json_view import CHUNK_ITEMS, iter_json
from migrator.render.markdown import render_markdown
from migrator.render.samples import SampleCollector
from migrator.render.text import CHUNK_LINES, iter_text, iter_text_chunks
from tests.unit.render.plans import change, empty_header, sales_changes

STREAMED = 20_000


def _many(n: int) -> Iterator[RecordChange]:
    template = change("people", "person", 0, Action.CREATE)
    actions = (Action.CREATE, Action.UPDATE, Action.MERGE)
    for i in range(n):
        yield template.model_copy(
            update={
                "address": f"record.people[oplacrm:people:{i}]",
                "source_key": f"oplacrm:people:{i}",
                "action": actions[i % 3] if i % 1000 == 0 else Action.CREATE,
            }
        )


def test_samples_keep_the_first_of_each_action_and_count_the_rest() -> None:
    collector = SampleCollector(per_action=2)
    collector.add_all(sales_changes())
    samples = collector.build()
    companies = samples["companies"]
    assert companies.listed == 6  # the no-op is neither listed nor kept
    assert [c.address for c in companies.kept[(False, Action.CREATE)]] == [
        "record.companies[oplacrm:companies:1]",
        "record.companies[oplacrm:companies:2]",
    ]
    assert all(action is not Action.NOOP for _, action in companies.kept)
    assert [c.action for c in companies.pick(4)] == [
        Action.MERGE,
        Action.RESTORE,
        Action.UPDATE,
        Action.CREATE,
    ]
    # Own-phase changes first (a second create), the second-pass link update last.
    assert [(c.action, c.phase) for c in companies.pick(10)] == [
        (Action.MERGE, "mapping.companies"),
        (Action.RESTORE, "mapping.companies"),
        (Action.UPDATE, "mapping.companies"),
        (Action.CREATE, "mapping.companies"),
        (Action.CREATE, "mapping.companies"),
        (Action.UPDATE, "link.companies.parentCompany"),
    ]
    assert samples["opportunities"].pick(1)[0].action is Action.REPLACE


def test_samples_memory_is_bounded_by_mappings_not_changes() -> None:
    collector = SampleCollector(per_action=3)
    collector.add_all(_many(30_000))
    sample = collector.build()["people"]
    assert sample.listed == 30_000
    assert sum(len(kept) for kept in sample.kept.values()) == 9


def test_views_stream_changes_in_constant_memory() -> None:
    """20,000 changes held at once would take about 30 MB; the views stay below 2 MB."""
    tracemalloc.start()
    try:
        markdown = render_markdown(empty_header(), _many(STREAMED))
        _, markdown_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        lines = sum(1 for _ in iter_text(empty_header(), _many(STREAMED)))
        pieces = sum(1 for _ in iter_json(empty_header(), _many(STREAMED)))
        chunks = sum(1 for _ in iter_text_chunks(empty_header(), _many(STREAMED)))
        _, other_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "people → person: 3 of 20,000 record changes" in markdown
    assert lines > STREAMED
    # opening, record changes in chunks, closing; outcomes open and close
    assert pieces == STREAMED // CHUNK_ITEMS + 6
    assert chunks == -(-(STREAMED + 2) // CHUNK_LINES) + 2  # heading, records, end
    assert markdown_peak < 2_000_000
    assert other_peak < 2_000_000
