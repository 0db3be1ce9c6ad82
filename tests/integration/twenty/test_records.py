"""Batch writes against the sandbox: re-sends are safe, bad rows are isolated cheaply."""

from __future__ import annotations

import math

import httpx
import pytest

from migrator.twenty.batches import BatchLimit, BatchWriter
from migrator.twenty.client import TwentyClient
from migrator.twenty.models import FailureKind
from tests.integration.twenty.conftest import client_id, people, stored

BISECTION_BUDGET = 2 * math.log2(200)


def _ids(plural: str, http: httpx.Client) -> list[str]:
    return [str(record["id"]) for record in stored(http, plural)]


def test_create_batches_writes_every_row_exactly_once(
    client: TwentyClient, http: httpx.Client
) -> None:
    rows = people(0, 450)
    batches = [rows[i : i + 200] for i in range(0, 450, 200)]
    results = sorted(client.records.create_batches("people", batches), key=lambda r: r.batch_index)
    assert [len(r.records) for r in results] == [200, 200, 50]
    assert all(r.requests == 1 and not r.failed for r in results)
    assert sorted(_ids("people", http)) == sorted(row["id"] for row in rows)


def test_resending_a_written_batch_reports_every_row_as_already_present(
    client: TwentyClient, http: httpx.Client
) -> None:
    rows = people(0, 200)
    client.records.create_batch("people", rows)
    again = client.records.create_batch("people", rows)
    assert sorted(again.already_present) == sorted(row["id"] for row in rows)
    assert again.records == () and again.failed == ()
    assert again.extra_requests == 1  # the one id[in] lookup
    assert len(stored(http, "people")) == 200


def test_a_half_written_batch_resends_only_the_missing_rows(
    client: TwentyClient, http: httpx.Client
) -> None:
    rows = people(0, 200)
    client.records.create_batch("people", rows[:120])
    result = client.records.create_batch("people", rows)
    assert len(result.already_present) == 120
    assert sorted(result.written_ids) == sorted(row["id"] for row in rows[120:])
    assert result.extra_requests == 2  # lookup, then one re-send of the rest
    assert sorted(_ids("people", http)) == sorted(row["id"] for row in rows)


@pytest.mark.parametrize("bad_index", [0, 99, 100, 137, 199])
def test_one_row_colliding_on_email_is_isolated_within_2_log2_200_extra_requests(
    client: TwentyClient, http: httpx.Client, bad_index: int
) -> None:
    client.records.create_batch("people", people(10_000, 1))
    rows = people(0, 200)
    rows[bad_index]["emails"] = {"primaryEmail": "P10000@Example.test"}  # lower-cased on write
    result = client.records.create_batch("people", rows)
    assert [(f.index, f.kind) for f in result.failed] == [(bad_index, FailureKind.DUPLICATE)]
    assert result.failed[0].id == rows[bad_index]["id"]
    assert result.failed[0].message == "A duplicate entry was detected"
    assert result.extra_requests <= BISECTION_BUDGET
    assert len(result.records) == 199
    written = set(_ids("people", http))
    assert rows[bad_index]["id"] not in written
    assert all(row["id"] in written for i, row in enumerate(rows) if i != bad_index)


def test_invalid_values_and_missing_relations_are_isolated_with_scrubbed_reasons(
    client: TwentyClient, http: httpx.Client
) -> None:
    rows = people(0, 120)
    rows[7]["emails"] = {"primaryEmail": "jane.patient-not-an-email"}
    rows[64]["companyId"] = client_id("company", 404)  # no such company: Twenty's 500
    rows[65]["emails"] = {"primaryEmail": rows[110]["emails"]["primaryEmail"]}  # twins in batch
    result = client.records.create_batch("people", rows)
    kinds = {(f.index, f.kind) for f in result.failed}
    assert kinds == {
        (7, FailureKind.INVALID_VALUE),
        (64, FailureKind.MISSING_RELATION),
        (110, FailureKind.DUPLICATE),
    } or kinds == {
        (7, FailureKind.INVALID_VALUE),
        (64, FailureKind.MISSING_RELATION),
        (65, FailureKind.DUPLICATE),
    }
    invalid = next(f for f in result.failed if f.index == 7)
    assert "jane.patient" not in invalid.message and "<redacted>" in invalid.message
    assert len(stored(http, "people")) == 117


def test_a_row_whose_own_id_was_soft_deleted_is_told_apart(
    client: TwentyClient, http: httpx.Client
) -> None:
    rows = people(0, 20)
    client.records.create_batch("people", rows)
    client.records.delete_many("people", [rows[3]["id"]])
    client.records.destroy_many("people", [r["id"] for i, r in enumerate(rows) if i != 3])
    result = client.records.create_batch("people", rows)
    assert [(f.index, f.kind) for f in result.failed] == [(3, FailureKind.SOFT_DELETED_ID)]
    assert len(result.records) == 19


def test_a_refused_batch_size_lowers_the_limit_and_every_row_is_written(
    client: TwentyClient, http: httpx.Client
) -> None:
    limit = BatchLimit(500)
    writer = BatchWriter(client._exchange, limit)
    result = writer.write("people", people(0, 450), upsert=False)
    assert limit.size == 200
    assert len(result.records) == 450 and not result.failed
    assert len(stored(http, "people")) == 450


def test_upsert_with_partial_payloads_keeps_the_fields_not_sent(
    client: TwentyClient, http: httpx.Client
) -> None:
    rows = people(0, 30)
    client.records.create_batch("people", rows)
    partial = [{"id": row["id"], "jobTitle": "Dentist"} for row in rows]
    result = client.records.upsert_batch("people", partial)
    assert len(result.records) == 30 and not result.failed
    again = client.records.upsert_batch("people", partial)  # a re-send changes nothing
    assert len(again.records) == 30
    by_id = {r["id"]: r for r in stored(http, "people")}
    for row in rows:
        assert by_id[row["id"]]["jobTitle"] == "Dentist"
        assert by_id[row["id"]]["emails"]["primaryEmail"] == row["emails"]["primaryEmail"]


def test_rows_without_client_ids_are_refused_before_sending(client: TwentyClient) -> None:
    with pytest.raises(ValueError, match="uuid 'id'"):
        client.records.create_batch("people", [{"name": {"firstName": "No id"}}])
    twice = people(0, 1) * 2
    with pytest.raises(ValueError, match="repeats"):
        client.records.create_batch("people", twice)
