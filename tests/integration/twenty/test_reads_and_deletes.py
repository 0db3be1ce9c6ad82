"""Lists, lookups, updates, soft deletes, restores and destroys against the sandbox."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from migrator.twenty.client import TwentyClient
from migrator.twenty.models import RestorePath
from tests.integration.twenty.conftest import client_id, people, stored


def _companies(count: int) -> list[dict[str, object]]:
    # Names repeat, so ordering by name relies on Twenty's id tie-breaker in the cursor.
    return [{"id": client_id("company", n), "name": f"Clinic {n % 37}"} for n in range(count)]


@pytest.mark.parametrize("order_by", [None, "name[AscNullsFirst]", "name[DescNullsLast],id"])
def test_pagination_returns_each_record_exactly_once(
    client: TwentyClient, order_by: str | None
) -> None:
    # 10,000 records page back over loopback in test_loopback.py; this runs each ordering.
    rows = _companies(2_600)
    for result in client.records.create_batches(
        "companies", [rows[i : i + 200] for i in range(0, len(rows), 200)]
    ):
        assert not result.failed
    seen = Counter(str(r["id"]) for r in client.records.iter("companies", order_by=order_by))
    assert len(seen) == len(rows)
    assert set(seen.values()) == {1}
    assert set(seen) == {str(row["id"]) for row in rows}


def test_iter_with_a_filter_and_small_pages(client: TwentyClient) -> None:
    client.records.create_batch("people", people(0, 45))
    found = list(
        client.records.iter(
            "people", filter="emails.primaryEmail[like]:%p1%", order_by="id", page_size=7
        )
    )
    assert sorted(r["emails"]["primaryEmail"] for r in found) == sorted(
        f"p{n}@example.test" for n in range(45) if str(n).startswith("1")
    )
    assert client.records.count("people") == 45


def test_find_by_ids_goes_in_chunks_of_200_and_ignores_unknown_ids(client: TwentyClient) -> None:
    rows = people(0, 450)
    for start in range(0, 450, 200):
        client.records.create_batch("people", rows[start : start + 200])
    wanted = [str(row["id"]) for row in rows] + [client_id("person", 99_999)]
    found = client.records.find_by_ids("people", wanted)
    assert set(found) == set(wanted[:-1])
    assert client.stats.data_requests == 3 + 3


def test_update_one_and_update_many_write_absolute_values(
    client: TwentyClient, http: httpx.Client
) -> None:
    rows = people(0, 5)
    client.records.create_batch("people", rows)
    ids = [str(row["id"]) for row in rows]
    updated = client.records.update_one("people", ids[0], {"jobTitle": "Hygienist"})
    assert updated["jobTitle"] == "Hygienist"
    assert sorted(client.records.update_many("people", ids[1:], {"jobTitle": "Nurse"})) == sorted(
        ids[1:]
    )
    titles = {r["id"]: r["jobTitle"] for r in stored(http, "people")}
    assert titles == {ids[0]: "Hygienist", **dict.fromkeys(ids[1:], "Nurse")}


def test_soft_delete_restore_and_destroy_by_id_lists(
    client: TwentyClient, http: httpx.Client, twenty_version: str
) -> None:
    rows = people(0, 250)
    for start in (0, 200):
        client.records.create_batch("people", rows[start : start + 200])
    ids = [str(row["id"]) for row in rows]
    assert sorted(client.records.delete_many("people", ids[:230])) == sorted(ids[:230])
    assert set(client.records.find_by_ids("people", ids)) == set(ids[230:])
    assert set(client.records.find_by_ids("people", ids, deleted=True)) == set(ids[:230])

    assert sorted(client.records.restore_many("people", ids[:210])) == sorted(ids[:210])
    assert client.records.restore_path is RestorePath(twenty_version)
    assert set(client.records.find_by_ids("people", ids)) == set(ids[:210]) | set(ids[230:])

    destroyed = client.records.destroy_many("people", ids[200:])  # 20 of them soft-deleted
    assert sorted(destroyed) == sorted(ids[200:])
    assert sorted(r["id"] for r in stored(http, "people")) == sorted(ids[:200])


def test_a_forced_restore_path_is_used_without_detection(
    make_client: object, twenty_version: str, http: httpx.Client
) -> None:
    client = make_client(restore_path=RestorePath(twenty_version))  # type: ignore[operator]
    rows = people(0, 3)
    client.records.create_batch("people", rows)
    ids = [str(row["id"]) for row in rows]
    client.records.delete_many("people", ids)
    before = client.stats.data_requests
    assert sorted(client.records.restore_many("people", ids)) == sorted(ids)
    assert client.stats.data_requests == before + 1


def test_members_are_listed_with_their_emails(client: TwentyClient) -> None:
    members = client.members()
    assert members
    assert all(member.user_email and "@" in member.user_email for member in members)
    assert len({member.id for member in members}) == len(members)
