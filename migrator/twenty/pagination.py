"""Reading lists of records page by page, following Twenty's cursors.

``GET /rest/{plural}`` returns at most 200 records (larger limits are silently capped) with
``pageInfo.endCursor``; the next page is asked for with ``starting_after=<endCursor>``
(twenty-api.md §3.4). :func:`iter_records` is a generator: it holds one page at a time, so a
caller can walk a million records in bounded memory. Each page costs one data call (one token).
Every page is ordered by the caller's ``order_by`` with Twenty's own ``id`` tie-breaker, so a
walk over rows nobody changes meanwhile returns each exactly once; a cursor that does not move is
refused rather than looped on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from migrator.errors import TwentyError
from migrator.twenty.exchange import Call, Exchange
from migrator.twenty.models import Record, RecordPage
from migrator.twenty.names import checked_name
from migrator.twenty.retry import Attempts, Idempotency

MAX_PAGE_SIZE = 200


def _records_of(body: Any, plural: str, path: str) -> tuple[list[Record], dict[str, Any]]:
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, dict):
        rows = data.get(plural)
        if rows is None and len(data) == 1:
            (rows,) = data.values()
        if isinstance(rows, list) and all(isinstance(row, dict) for row in rows):
            info = body.get("pageInfo") if isinstance(body.get("pageInfo"), dict) else {}
            return rows, {"pageInfo": info, "totalCount": body.get("totalCount")}
    raise TwentyError(
        f"Twenty answered GET {path} with an unexpected body (no list of {plural}).",
        method="GET",
        path=path,
        hint="Check that the destination URL points at Twenty's API.",
    )


def list_page(
    exchange: Exchange,
    plural: str,
    *,
    filter: str | None = None,
    order_by: str | None = None,
    limit: int = MAX_PAGE_SIZE,
    depth: int = 0,
    starting_after: str | None = None,
    attempts: Attempts | None = None,
) -> RecordPage:
    """One page of ``plural`` (at most ``limit`` ≤ 200 records) after the cursor, if any.

    ``attempts``, when given, records the sends this page cost (retries included).
    """
    path = f"/rest/{checked_name(plural)}"
    params: dict[str, str] = {"limit": str(min(max(limit, 1), MAX_PAGE_SIZE)), "depth": str(depth)}
    if filter:
        params["filter"] = filter
    if order_by:
        params["order_by"] = order_by
    if starting_after:
        params["starting_after"] = starting_after
    body = exchange.send(Call("GET", path, Idempotency.SAFE, params=params), attempts)
    rows, meta = _records_of(body, plural, path)
    info = meta["pageInfo"]
    total = meta["totalCount"]
    return RecordPage(
        records=tuple(rows),
        total_count=total if isinstance(total, int) else None,
        has_next_page=bool(info.get("hasNextPage")),
        end_cursor=info.get("endCursor") if isinstance(info.get("endCursor"), str) else None,
    )


def iter_pages(
    exchange: Exchange,
    plural: str,
    *,
    filter: str | None = None,
    order_by: str | None = None,
    page_size: int = MAX_PAGE_SIZE,
    depth: int = 0,
) -> Iterator[RecordPage]:
    """Every page of the list, first to last, following ``endCursor``."""
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        page = list_page(
            exchange,
            plural,
            filter=filter,
            order_by=order_by,
            limit=page_size,
            depth=depth,
            starting_after=cursor,
        )
        yield page
        if not page.has_next_page or not page.records or page.end_cursor is None:
            return
        if page.end_cursor in seen:
            raise TwentyError(
                f"Twenty returned the same cursor twice while listing {plural}.",
                method="GET",
                path=f"/rest/{plural}",
                hint="Give an order_by on a unique field, or report this server's behaviour.",
            )
        seen.add(page.end_cursor)
        cursor = page.end_cursor


def iter_records(
    exchange: Exchange,
    plural: str,
    *,
    filter: str | None = None,
    order_by: str | None = None,
    page_size: int = MAX_PAGE_SIZE,
    depth: int = 0,
) -> Iterator[Record]:
    """Every record matching ``filter``, one page in memory at a time."""
    for page in iter_pages(
        exchange, plural, filter=filter, order_by=order_by, page_size=page_size, depth=depth
    ):
        yield from page.records
