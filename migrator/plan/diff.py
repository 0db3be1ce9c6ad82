"""The diff: desired records against the state and what Twenty holds. Pure: no I/O here.

Everything this module needs was fetched before (:mod:`migrator.plan.fetch`) and is passed in:
the state's row for the record (:class:`~migrator.state.model.RecordDigest`), the index of
existing Twenty records it may match (:class:`~migrator.plan.matching.ExistingIndex`), the id map
of records migrator merged into, and, for field-level differences, the record as Twenty holds it.
It is the only module that uses deepdiff (style.md 3.2).

How a desired record is decided (:func:`decide_record`):

* **in the state** — same payload digest: ``no-op``; different: ``update``. With ``--refresh``
  the record read back from Twenty is compared too: missing → ``create`` again, soft-deleted →
  ``restore``, edited by someone (drift) → ``update``;
* **not in the state** — matched to no existing record: ``create``; to exactly one: ``merge`` (or
  ``restore`` when it is soft-deleted), and no other desired record may land on it; to one that
  already carries migrator's own id: ``update`` (or ``restore``): the state lost it; to several,
  to one another record already claimed, or to one another migrated source record carries: the
  record is quarantined (``ambiguous_match``, ``match_taken``, ``unique_value_taken``) rather than
  merged by surprise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from migrator.mapping.inline_images import as_in_bundle
from migrator.mapping.model import DesiredRecord
from migrator.model import Action, fast_init, trusted_model
from migrator.plan.matching import ExistingIndex, ExistingRecord, MatchRule
from migrator.plan.model import FieldDiff, QuarantineEntry, RecordChange
from migrator.plan.payloads import applied_digest, shape
from migrator.state.model import RecordDigest

#: Payload keys never compared field by field: the id is the key, ``createdBy`` is kept by
#: Twenty on updates, and ``updatedAt`` moves on every write (a second-pass link included), so
#: a difference in it alone is not a user's edit.
UNCOMPARED_KEYS: frozenset[str] = frozenset({"id", "createdBy", "updatedAt"})


class Reason:
    """The human reasons of record changes (for rendering only; apply never reads them)."""

    NEW = "new in the source"
    UNCHANGED = "unchanged since the last apply"
    CHANGED = "changed in the source or the spec since the last apply"
    LINKS_PENDING = "written, its second-pass links not yet"
    MISSING = "in the state but no longer in Twenty: written again"
    DELETED = "in the state but soft-deleted in Twenty: restored"
    DRIFT = "edited in Twenty since migrator wrote it (drift): written back"
    OWN_ID = "already in Twenty with migrator's id but not in the state"
    LINK = "second-pass link"
    LINK_UNCHANGED = "second-pass link, already written"

    @staticmethod
    def merge(twenty_object: str, via: str, deleted: bool) -> str:
        """``merge into`` / ``restore`` an existing record matched by ``via``."""
        verb = "restore the soft-deleted" if deleted else "merge into the existing"
        return f"{verb} {twenty_object} with the same {via}"


@fast_init
@dataclass(frozen=True, slots=True)
class RecordDecision:
    """What the plan does with one desired record: a change or a quarantine entry.

    ``existing_id`` (with a merge or restore) is the id the deterministic id now stands for:
    the caller adds it to the id map so dependants point at the record that exists.
    ``links_done`` says whether the record's second-pass links are already written as desired.
    """

    change: RecordChange | None = None
    quarantine: QuarantineEntry | None = None
    existing_id: str | None = None
    links_done: bool = False
    body: Mapping[str, Any] | None = None
    """The payload apply sends (for samples and field diffs; never stored in the plan)."""


def _change(
    desired: DesiredRecord,
    phase: str,
    action: Action,
    reason: str,
    digest: str,
    existing_id: str | None = None,
    diffs: tuple[FieldDiff, ...] = (),
) -> RecordChange:
    # Every field, in field order, of its exact type: the validated model, built directly.
    return trusted_model(
        RecordChange,
        {
            "address": desired.address,
            "mapping": desired.mapping,
            "source_key": desired.source_key,
            "twenty_object": desired.twenty_object,
            "twenty_id": desired.twenty_id,
            "action": action,
            "reason": reason,
            "payload_digest": digest,
            "phase": phase,
            "existing_id": existing_id,
            "field_diffs": diffs,
        },
    )


def _quarantine(desired: DesiredRecord, code: str, reason: str) -> RecordDecision:
    entry = QuarantineEntry(
        address=desired.address,
        mapping=desired.mapping,
        source_key=desired.source_key,
        code=code,
        reason=reason,
    )
    return RecordDecision(quarantine=entry)


def link_pairs(desired: DesiredRecord) -> list[tuple[str, str]]:
    """``(field, target id)`` of the record's links as the mapper gave them (unresolved)."""
    return [(link.field, link.target_id) for link in desired.links]


def decide_record(
    desired: DesiredRecord,
    *,
    phase: str,
    entry: RecordDigest | None,
    index: ExistingIndex | None,
    id_map: Mapping[str, str],
    rules: Sequence[MatchRule] = (),
    refreshed: Mapping[str, Any] | None = None,
    refresh: bool = False,
) -> RecordDecision:
    """Decide one desired record (see the module docstring).

    ``rules`` are the mapping's match rules; ``refresh`` says the state's records were read
    back from Twenty, and ``refreshed`` is this record as read (None when Twenty lacks it).
    """
    if entry is not None:
        return _decide_known(desired, phase, entry, id_map, refreshed, refresh)
    body, digest = shape(desired.payload, desired.payload_digest, id_map=id_map)
    hits = index.matches(body, rules) if index is not None and not index.is_empty else ()
    if not hits:
        return RecordDecision(_change(desired, phase, Action.CREATE, Reason.NEW, digest), body=body)
    return _decide_match(desired, phase, hits, index, id_map)


def _decide_known(
    desired: DesiredRecord,
    phase: str,
    entry: RecordDigest,
    id_map: Mapping[str, str],
    refreshed: Mapping[str, Any] | None,
    refresh: bool,
) -> RecordDecision:
    existing = entry.twenty_id if entry.twenty_id != desired.twenty_id else None
    body, digest = shape(
        desired.payload, desired.payload_digest, id_map=id_map, existing_id=existing
    )
    full = applied_digest(digest, link_pairs(desired))
    if refresh and refreshed is None:
        _plain, plain = shape(desired.payload, desired.payload_digest, id_map=id_map)
        return RecordDecision(
            _change(desired, phase, Action.CREATE, Reason.MISSING, plain), body=_plain
        )
    if refreshed is not None and refreshed.get("deletedAt") is not None:
        change = _change(desired, phase, Action.RESTORE, Reason.DELETED, digest, existing)
        return RecordDecision(change, existing_id=existing, body=body)
    held = as_in_bundle(refreshed, desired.files) if refreshed and desired.files else refreshed
    drift = field_diffs(held, body, desired.sensitive_fields) if held else ()
    if drift:
        change = _change(desired, phase, Action.UPDATE, Reason.DRIFT, digest, existing, drift)
        return RecordDecision(change, existing_id=existing, body=body)
    if entry.payload_digest in (digest, full):
        reason = Reason.UNCHANGED if entry.payload_digest == full else Reason.LINKS_PENDING
        change = _change(desired, phase, Action.NOOP, reason, digest, existing)
        return RecordDecision(
            change, existing_id=existing, links_done=entry.payload_digest == full, body=body
        )
    change = _change(desired, phase, Action.UPDATE, Reason.CHANGED, digest, existing)
    return RecordDecision(change, existing_id=existing, body=body)


def _decide_match(
    desired: DesiredRecord,
    phase: str,
    hits: tuple[tuple[ExistingRecord, str], ...],
    index: ExistingIndex | None,
    id_map: Mapping[str, str],
) -> RecordDecision:
    obj = desired.twenty_object
    if len({record.id for record, _via in hits}) > 1:
        vias = ", ".join(sorted({via for _record, via in hits}))
        return _quarantine(
            desired,
            "ambiguous_match",
            f"{desired.address} matches several existing {obj} records "
            f"(by {vias}); Twenty would refuse it",
        )
    record, via = hits[0]
    if record.id == desired.twenty_id:
        body, digest = shape(desired.payload, desired.payload_digest, id_map=id_map)
        action = Action.RESTORE if record.deleted else Action.UPDATE
        return RecordDecision(_change(desired, phase, action, Reason.OWN_ID, digest), body=body)
    claimed = index.claimed.get(record.id) if index is not None else None
    if claimed is not None and claimed != desired.address:
        return _quarantine(
            desired,
            "match_taken",
            f"{desired.address} matches the existing {obj} that {claimed} "
            f"already merges into (same {via})",
        )
    if record.source_id is not None and record.source_id != desired.source_key:
        return _quarantine(
            desired,
            "unique_value_taken",
            f"{desired.address} has the same {via} as the {obj} migrated from {record.source_id}",
        )
    if index is not None:
        index.claimed[record.id] = desired.address
    body, digest = shape(
        desired.payload, desired.payload_digest, id_map=id_map, existing_id=record.id
    )
    action = Action.RESTORE if record.deleted else Action.MERGE
    reason = Reason.merge(obj, via, record.deleted)
    change = _change(desired, phase, action, reason, digest, record.id)
    return RecordDecision(change, existing_id=record.id, body=body)


# -- field-level differences ---------------------------------------------------------------------


def _instant(text: str) -> dt.datetime | None:
    if len(text) < 10 or text[4:5] != "-" or text[7:8] != "-":
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def comparable(before: Any, after: Any) -> tuple[Any, Any]:
    """``before`` reduced to what ``after`` says, with equal-meaning values made equal.

    Composite values compare only the sub-fields the payload sets; null, empty text and empty
    lists are one "empty"; timestamps compare as instants; 1 equals 1.0.
    """
    if isinstance(after, Mapping):
        source = before if isinstance(before, Mapping) else {}
        pairs = {key: comparable(source.get(key), value) for key, value in after.items()}
        return {k: b for k, (b, _a) in pairs.items()}, {k: a for k, (_b, a) in pairs.items()}
    if _empty(before) and _empty(after):
        return None, None
    if isinstance(before, str) and isinstance(after, str) and before != after:
        moment = _instant(before)
        if moment is not None and moment == _instant(after):
            return after, after
    numbers = (int, float)
    if isinstance(before, numbers) and isinstance(after, numbers) and before == after:
        return after, after
    return before, after


def _path_text(parts: Iterable[Any]) -> tuple[str, ...]:
    kept: list[str] = []
    for part in parts:
        if isinstance(part, int):
            break
        kept.append(str(part))
    return tuple(kept)


def _lookup(value: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def field_diffs(
    before: Mapping[str, Any] | None, after: Mapping[str, Any], sensitive: Iterable[str] = ()
) -> tuple[FieldDiff, ...]:
    """The fields ``after`` (a payload) changes in ``before`` (the record as Twenty holds it).

    Paths are dotted (``emails.primaryEmail``); a list that changes is one difference of the
    whole list. Fields in ``sensitive`` (top-level names) carry no values, only the marker.
    """
    wanted = {k: v for k, v in after.items() if k not in UNCOMPARED_KEYS}
    old, new = comparable(before or {}, wanted)
    tree = DeepDiff(old, new, verbose_level=2).tree
    paths: set[tuple[str, ...]] = set()
    for levels in tree.values():
        for level in levels:
            path = _path_text(level.path(output_format="list"))
            if path:
                paths.add(path)
    hidden = set(sensitive)
    found: dict[str, FieldDiff] = {}
    for path in sorted(paths):
        if any(path[: len(other)] == other for other in paths if len(other) < len(path)):
            continue
        if path[0] in hidden:  # one marker per sensitive field, no values, no sub-fields
            found[path[0]] = FieldDiff(path=path[0], sensitive=True)
            continue
        text = ".".join(path)
        found[text] = FieldDiff(path=text, before=_lookup(old, path), after=_lookup(new, path))
    return tuple(found[key] for key in sorted(found))
