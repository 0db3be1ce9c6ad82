"""The JSON view: the plan document for machines, one JSON value, streamed.

Shape (published as ``schemas/plan.schema.json``, see :mod:`migrator.render.plan_schema`)::

    {"format_version": 1,
     "header": {...the PlanHeader...},
     "plan_sha256": "<hex of the plan file>" | null,
     "record_changes": [{...one RecordChange...}, ...],
     "outcomes": [{"quarantine": {...}} | {"hold": {...}}, ...]}

It is the plan file's content with one change for readers used to ``terraform show -json``: each
``action`` becomes ``actions``, a list (``["create"]``; a replace is ``["delete", "create"]``).
``outcomes`` lists every quarantined record, then the held records the plan keeps, as
:func:`~migrator.plan.planfile.iter_plan_outcomes` gives them (a plan keeps only the first holds;
``header.holds_total`` counts them all). Keys within each value are sorted, the header is
indented, and each record change and outcome is one compact line, so the document streams in
constant memory and diffs line by line.

What a huge plan shows: everything, as for a small one; this is the complete machine document.
Lines leave :func:`iter_json` in chunks of :data:`CHUNK_ITEMS` (a writer makes thousands of calls
for 1,000,000 changes, not millions), and a change without field differences (nearly all of a
large plan: text values only) is encoded by orjson, whose sorted compact output for text is byte
for byte :func:`~migrator.model.canonical_json`'s, so such a document takes seconds, not a minute.

A field diff marked sensitive is written with ``before`` and ``after`` null whatever it carried,
so no sensitive value can pass through this view even from a faulty producer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import orjson

from migrator.model import Action, canonical_json
from migrator.plan.model import PlanHeader, RecordChange
from migrator.render.outcomes import Outcome, header_outcomes, kind_of

JSON_FORMAT_VERSION = 1
"""Version of this JSON view (not of the plan file, whose version is in the header)."""

ACTION_LISTS: dict[Action, tuple[str, ...]] = {
    action: (("delete", "create") if action is Action.REPLACE else (action.value,))
    for action in Action
}
"""How each action is written in the ``actions`` list (Terraform's convention for replace)."""

ACTION_BEARING: tuple[str, ...] = ("RecordChange", "SchemaChange", "SamplePayload")
"""Models whose ``action`` is written as ``actions`` in this view."""

CHUNK_ITEMS = 500
"""Record changes (or outcomes) per chunk of :func:`iter_json`."""


def render_json(
    header: PlanHeader,
    changes: Iterable[RecordChange],
    *,
    plan_sha256: str | None = None,
    outcomes: Iterable[Outcome] | None = None,
) -> str:
    """The whole JSON document as one string (see :func:`iter_json`)."""
    return "".join(iter_json(header, changes, plan_sha256=plan_sha256, outcomes=outcomes))


def iter_json(
    header: PlanHeader,
    changes: Iterable[RecordChange],
    *,
    plan_sha256: str | None = None,
    outcomes: Iterable[Outcome] | None = None,
) -> Iterator[str]:
    """The JSON document in pieces, ending in a newline; ``changes`` and ``outcomes`` (every
    quarantine and hold entry; the header's lists when ``None``) are consumed once, lazily."""
    head = canonical_json(header_document(header), indent=2).rstrip("\n").replace("\n", "\n  ")
    yield f'{{\n  "format_version": {JSON_FORMAT_VERSION},\n  "header": {head},\n'
    yield f'  "plan_sha256": {canonical_json(plan_sha256)},\n  "record_changes": ['
    yield from _array(change_line(change) for change in changes)
    yield ',\n  "outcomes": ['
    entries = header_outcomes(header) if outcomes is None else outcomes
    yield from _array(canonical_json({kind_of(e): e.model_dump(mode="json")}) for e in entries)
    yield "\n}\n"


def _array(items: Iterable[str]) -> Iterator[str]:
    """The items (JSON texts) of an array already opened, one per line, in chunks of
    :data:`CHUNK_ITEMS`, then its closing bracket."""
    stream = iter(items)
    separator = "\n    "
    while chunk := list(islice(stream, CHUNK_ITEMS)):
        yield separator + ",\n    ".join(chunk)
        separator = ",\n    "
    yield "\n  ]" if separator != "\n    " else "]"


def header_document(header: PlanHeader) -> dict[str, Any]:
    """The header as JSON data, with ``actions`` lists in schema changes and samples."""
    doc = header.model_dump(mode="json")
    doc["schema_changes"] = [_with_actions(item) for item in doc["schema_changes"]]
    doc["samples"] = [_with_actions(item) for item in doc["samples"]]
    return doc


def change_line(change: RecordChange) -> str:
    """``canonical_json(change_document(change))``, by orjson when the change has no field
    differences (every value is then text or null, which both encoders write alike)."""
    if change.field_diffs:
        return canonical_json(change_document(change))
    doc = dict(change.__dict__)
    doc["actions"] = ACTION_LISTS[doc.pop("action")]
    doc["field_diffs"] = ()
    try:
        return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError: text it refuses (a lone surrogate)
        return canonical_json(change_document(change))


def change_document(change: RecordChange) -> dict[str, Any]:
    """One record change as JSON data: ``actions`` list, sensitive diffs without values."""
    doc = _with_actions(change.model_dump(mode="json"))
    for diff in doc["field_diffs"]:
        if diff["sensitive"]:
            diff["before"] = None
            diff["after"] = None
    return doc


def _with_actions(item: dict[str, Any]) -> dict[str, Any]:
    action = Action(item.pop("action"))
    item["actions"] = list(ACTION_LISTS[action])
    return item
