"""The API budget of a plan: the requests apply will make, by kind, and how long they take.

Counted per phase from the plan's own changes (:class:`PhaseTally`), so the figure is exact for
the happy path (recovery after a lost response costs extra and is not foreseen):

* ``metadata`` — one request per custom object, field or relation created, two per field that
  gets options (read the field, write its whole option list), and one to list the metadata at
  the start; metadata is not rate-limited (twenty-api.md §10);
* ``batch_create`` — creates, ``batch_size`` records per request, plus one per written record
  with embedded images (the attachments holding them, :mod:`migrator.apply.inline_images`);
* ``batch_upsert`` — updates, merges, restores and second-pass links, ``batch_size`` per request;
* ``preimage_read`` — merged and restored records are read (200 ids per request) just before
  they are written, so destroy can put them back;
* ``members_read`` — one request per 200 workspace members, when the spec maps owners;
* ``file_upload`` — one request per file (the upload goes to ``/metadata``, outside the limit).

``estimated_seconds`` is the rate-limited requests at the destination's ``per_minute``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from migrator.plan.model import ApiBudget, SchemaChange

#: Kinds that do not spend the data API's tokens.
UNLIMITED_KINDS: frozenset[str] = frozenset({"metadata", "file_upload"})
READ_CHUNK = 200


@dataclass
class PhaseTally:
    """What one phase writes (a builder, filled while the plan is computed)."""

    phase: str
    creates: int = 0
    upserts: int = 0
    """Updates, merges, restores, and link writes."""
    preimages: int = 0
    """Merges and restores (their pre-image is read first)."""
    files: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def schema_requests(changes: Sequence[SchemaChange]) -> int:
    """Metadata requests for the schema changes: one per create, two per field given options."""
    option_fields = {(c.twenty_object, c.name) for c in changes if c.kind == "options"}
    creates = sum(1 for c in changes if c.kind != "options")
    return creates + 2 * len(option_fields)


def compute_budget(
    schema: Sequence[SchemaChange],
    tallies: Iterable[PhaseTally],
    *,
    batch_size: int,
    per_minute: int,
    member_reads: int,
    reads_for_plan: int,
    metadata_reads_for_plan: int,
) -> ApiBudget:
    """The budget of applying a plan (see the module docstring)."""
    requests: dict[str, int] = {"metadata": 1 + schema_requests(schema)}
    for tally in tallies:
        _add(requests, "batch_create", math.ceil(tally.creates / batch_size))
        _add(requests, "batch_upsert", math.ceil(tally.upserts / batch_size))
        _add(requests, "preimage_read", math.ceil(tally.preimages / READ_CHUNK))
        _add(requests, "file_upload", tally.files)
        for kind, count in tally.extra.items():
            _add(requests, kind, count)
    _add(requests, "members_read", member_reads)
    requests = {kind: count for kind, count in sorted(requests.items()) if count}
    limited = sum(count for kind, count in requests.items() if kind not in UNLIMITED_KINDS)
    return ApiBudget(
        requests=requests,
        total_requests=sum(requests.values()),
        rate_limit_per_minute=per_minute,
        estimated_seconds=round(limited / per_minute * 60.0, 1),
        reads_for_plan=reads_for_plan,
        metadata_reads_for_plan=metadata_reads_for_plan,
    )


def _add(requests: dict[str, int], kind: str, count: int) -> None:
    if count:
        requests[kind] = requests.get(kind, 0) + count
