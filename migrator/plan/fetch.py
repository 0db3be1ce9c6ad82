"""Reading Twenty for a plan: only what the diff needs, every request counted.

The planner reads: the metadata once; the workspace members once (owners); per Twenty object
that desired records may collide with, the existing records with the same unique values or match
keys (soft-deleted rows included, twenty-api.md §8); and records migrator wrote, by id, when it
needs their current values (field diffs of updates, ``--refresh``). :class:`TwentyReader` wraps
the client and counts the requests it costs, from the client's own counters (retries included).

Choosing how to find collisions, per object (:func:`choose_strategy`): one ``totalCount``
request first. An object Twenty holds no record of costs nothing more. When walking all of its
records (unique values only are kept) costs no more requests than looking the desired values up
(unique values in ``in`` filters of up to 200 values, match-rule heads in ``or(…[ilike]…)``
filters of up to 50), it is walked (**scan**); otherwise the desired values are looked up
(**lookup**). A filter naming ``deletedAt`` makes Twenty include soft-deleted rows, so
``or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)`` reads live and deleted rows in one request.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from migrator.plan.matching import ExistingIndex, MatchRule, unique_paths
from migrator.twenty.client import TwentyClient
from migrator.twenty.models import ObjectMetadata, WorkspaceMember
from migrator.twenty.names import checked_ids

#: Every row, live or soft-deleted (the filter mentions ``deletedAt``).
ALL_ROWS = "or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)"
#: Values per ``in`` filter and records per page (Twenty's limit).
CHUNK = 200
#: Values per ``or(…[ilike]…)`` filter. Each value repeats its path and comparator, and the URL
#: percent-encodes brackets, quotes and non-ASCII letters (6–9 characters each): 50 Vietnamese
#: company names of 43 letters make a 5.8 KB URL, 200 would make 23 KB, over the 16 KB request
#: head Node (so Twenty) accepts by default.
LIKE_CHUNK = 50

Strategy = Literal["none", "scan", "lookup"]


def _quoted(value: str) -> str | None:
    """``value`` quoted for a filter list, or None when it holds both kinds of quote."""
    for quote in ('"', "'"):
        if quote not in value:
            return f"{quote}{value}{quote}"
    return None


def in_filter(path: str, values: Sequence[str]) -> str:
    """``<ALL_ROWS>,<path>[in]:["a","b",…]`` (values that cannot be quoted are left out)."""
    quoted = [q for q in (_quoted(v) for v in values) if q is not None]
    return f"{ALL_ROWS},{path}[in]:[{','.join(quoted)}]"


def like_pattern(value: str) -> str:
    """An ``ilike`` pattern matching ``value`` in any letter case (and perhaps more).

    ``%`` and ``_`` in the value are left as wildcards: they only widen the match, and the
    candidates found are compared by match key afterwards. A backslash is PostgreSQL's LIKE
    escape character (a value ending in one would even be rejected); it becomes ``_`` (any one
    character, a backslash included) rather than the escaped ``\\\\``, which would be right only
    if Twenty's filter parser passes backslashes through unchanged, which we have not checked.
    The value is not wrapped in ``%``: ``%Acme%`` would also find a value stored with surrounding
    spaces (which the match key trims), but would return every record containing the text, most
    of the object for a short name; such a record is found by a scan only.
    """
    return value.replace("\\", "_")


def ilike_filter(path: str, values: Sequence[str]) -> str | None:
    """``<ALL_ROWS>,or(<path>[ilike]:"a",…)`` (None when no value can be quoted)."""
    quoted = [q for q in (_quoted(like_pattern(v)) for v in values) if q is not None]
    if not quoted:
        return None
    terms = [f"{path}[ilike]:{q}" for q in quoted]
    where = terms[0] if len(terms) == 1 else f"or({','.join(terms)})"
    return f"{ALL_ROWS},{where}"


@dataclass(frozen=True)
class StrategyChoice:
    """How collisions are found for one object, and what each way would cost."""

    strategy: Strategy
    total: int
    """Rows Twenty holds, soft-deleted ones included."""
    scan_requests: int
    lookup_requests: int


def choose_strategy(
    total: int, expected: int, exact_paths: int, rule_heads: int = 0
) -> StrategyChoice:
    """Scan when walking ``total`` rows costs no more than looking ``expected`` records up.

    ``exact_paths`` unique paths are looked up ``CHUNK`` values a request, ``rule_heads`` match
    rules ``LIKE_CHUNK`` values a request.
    """
    scan = math.ceil(total / CHUNK)
    lookup = math.ceil(expected / CHUNK) * max(exact_paths, 0)
    lookup += math.ceil(expected / LIKE_CHUNK) * max(rule_heads, 0)
    if total == 0 or exact_paths + rule_heads <= 0:
        return StrategyChoice("none", total, scan, lookup)
    return StrategyChoice("scan" if scan <= lookup else "lookup", total, scan, lookup)


class TwentyReader:
    """The planner's reads of one destination, counted (data and metadata separately)."""

    def __init__(self, client: TwentyClient) -> None:
        self.client = client
        start = client.stats
        self._data0 = start.data_requests
        self._all0 = start.requests

    @property
    def data_requests(self) -> int:
        """Rate-limited requests made through this reader's client since it was made."""
        return self.client.stats.data_requests - self._data0

    @property
    def metadata_requests(self) -> int:
        """Requests outside the rate limit (metadata) since this reader was made."""
        return self.client.stats.requests - self._all0 - self.data_requests

    def metadata(self) -> tuple[ObjectMetadata, ...]:
        """Every object with its fields (one metadata request per 1,000 objects)."""
        return self.client.metadata.list_objects()

    def members(self) -> tuple[WorkspaceMember, ...]:
        """Every workspace member (one data request per 200)."""
        return self.client.members()

    def count_all(self, plural: str) -> int:
        """How many rows ``plural`` holds, soft-deleted included (one request)."""
        return self.client.records.count(plural, filter=ALL_ROWS)

    def scan(self, plural: str) -> Iterator[dict[str, Any]]:
        """Every row of ``plural``, soft-deleted included, a page of 200 at a time."""
        return self.client.records.iter(plural, filter=ALL_ROWS)

    def find(self, plural: str, path: str, values: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Rows (live or deleted) whose ``path`` equals one of ``values`` (≤ 200 values)."""
        return self.client.records.iter(plural, filter=in_filter(path, values))

    def find_like(self, plural: str, path: str, values: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Rows (live or deleted) whose ``path`` equals one of ``values`` in any letter case
        (≤ 50 values; may return more rows, see :func:`like_pattern`)."""
        where = ilike_filter(path, values)
        return self.client.records.iter(plural, filter=where) if where else iter(())

    def by_ids(self, plural: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The rows among ``ids`` (live or deleted), by id; 200 ids per request."""
        wanted = checked_ids(ids)
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = ",".join(wanted[start : start + CHUNK])
            where = f"{ALL_ROWS},id[in]:[{chunk}]"
            for row in self.client.records.iter(plural, filter=where):
                found[str(row["id"])] = row
        return found


def new_index(
    meta: ObjectMetadata | None, rules: Sequence[MatchRule], twenty_object: str
) -> ExistingIndex:
    """An empty index for one object: its unique paths from the metadata, and match rules."""
    fields = meta.fields if meta is not None else ()
    paths = unique_paths((f.name, f.type, bool(f.is_unique)) for f in fields)
    return ExistingIndex(twenty_object=twenty_object, paths=paths, rules=tuple(rules))


def fill_by_scan(
    reader: TwentyReader, index: ExistingIndex, plural: str, *, source_id_field: str
) -> None:
    """Index every row of the object (live and soft-deleted)."""
    for row in reader.scan(plural):
        index.add(row, source_id_field=source_id_field)
