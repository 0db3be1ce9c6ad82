"""The JSON view: the plan document for machines, one JSON value, streamed.

Shape (published as ``schemas/plan.schema.json``, see :mod:`migrator.render.plan_schema`)::

    {"format_version": 1,
     "header": {...the PlanHeader...},
     "plan_sha256": "<hex of the plan file>" | null,
     "record_changes": [{...one RecordChange...}, ...],
     "outcomes": [{"quarantine": {...}} | {"hold": {...}}, ...]}

It is the plan file's content with one change for readers used to ``terraform show -json``: each
``action`` becomes ``actions``, a list (``["create"]``; a replace is ``["delete", "create"]``).
``outcomes`` lists every record not written, in apply order, as the plan file's outcomes section
does (the header keeps only the first of each kind). Keys within each value are sorted, the
header is indented, and each record change and outcome is one compact line, so the document
streams in constant memory and diffs line by line. A field diff marked sensitive is
written with ``before`` and ``after`` null whatever it carried, so no sensitive value can pass
through this view even from a faulty producer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

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
    yield from _array(change_document(change) for change in changes)
    yield ',\n  "outcomes": ['
    entries = header_outcomes(header) if outcomes is None else outcomes
    yield from _array({kind_of(e): e.model_dump(mode="json")} for e in entries)
    yield "\n}\n"


def _array(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The items of a JSON array already opened, one per line, then its closing bracket."""
    separator = "\n    "
    for item in items:
        yield separator + canonical_json(item)
        separator = ",\n    "
    yield "\n  ]" if separator != "\n    " else "]"


def header_document(header: PlanHeader) -> dict[str, Any]:
    """The header as JSON data, with ``actions`` lists in schema changes and samples."""
    doc = header.model_dump(mode="json")
    doc["schema_changes"] = [_with_actions(item) for item in doc["schema_changes"]]
    doc["samples"] = [_with_actions(item) for item in doc["samples"]]
    return doc


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
