"""The exact bytes a change sends: pure functions the planner and apply both call.

A plan stores, for every record change, the digest of the payload apply will send; apply
recomputes the desired records (the mapper), shapes each payload with these same functions and
refuses one whose digest differs from the plan's. Keeping the shaping here, in one place, is what
makes that check meaningful.

Rules (decided here; see each function):

* **Id resolution.** A record migrator merged into or restored keeps its *own* Twenty id, not
  migrator's deterministic one. Every payload that points at such a record (a ``<field>Id`` key,
  a second-pass link) is resolved through an ``id_map`` (deterministic id → Twenty id) before it is
  digested, so foreign keys name the record that really exists.
* **Create** sends the desired payload (ids resolved) as it is.
* **Update** (a record migrator wrote before, now different) sends the same full payload by
  upsert on its id (Twenty ignores ``createdBy`` on that path), so a record's digest does not
  depend on whether it is being created or updated.
* **Merge / restore** (a pre-existing record matched by a unique value) sends the payload with
  ``id`` set to the existing record's id and without ``createdAt`` and ``createdBy``: the record
  existed before the migration and keeps its own history; its pre-image is read just before.
* **Link** sends ``{id, <field>Id}`` (a partial upsert, capture 123).
* The state remembers, per record, the digest of what was last written; once a record's links
  are written too, :func:`applied_digest` (record digest + its links) is stored, so a later plan
  sees both as done.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from migrator.mapping.digests import payload_digest as fast_digest
from migrator.model import digest

#: Keys left out of a merge or restore payload: the existing record keeps its own history.
MERGE_DROPPED_KEYS: frozenset[str] = frozenset({"createdAt", "createdBy"})


def resolve_ids(payload: Mapping[str, Any], id_map: Mapping[str, str]) -> dict[str, Any]:
    """``payload`` with every top-level ``<field>Id`` value found in ``id_map`` replaced.

    Only top-level keys ending in ``Id`` (Twenty's join columns: ``companyId``,
    ``targetPersonId``) are foreign keys; ``id`` itself is handled by :func:`write_payload`.
    """
    if not id_map:
        return dict(payload)
    resolved = dict(payload)
    for key, value in payload.items():
        if key != "id" and key.endswith("Id") and isinstance(value, str) and value in id_map:
            resolved[key] = id_map[value]
    return resolved


def write_payload(
    payload: Mapping[str, Any],
    *,
    id_map: Mapping[str, str],
    existing_id: str | None = None,
) -> dict[str, Any]:
    """The body apply sends for a create, update, merge or restore (see the module rules).

    ``existing_id`` is the Twenty id of a record migrator did not create (merge, restore, and
    every later update of such a record); it replaces ``id`` and drops the history keys.
    """
    body = resolve_ids(payload, id_map)
    if existing_id is not None:
        body = {k: v for k, v in body.items() if k not in MERGE_DROPPED_KEYS}
        body["id"] = existing_id
    return body


def link_payload(
    record_id: str, field: str, target_id: str, id_map: Mapping[str, str]
) -> dict[str, str]:
    """The partial upsert of one second-pass link: ``{"id": …, "<field>Id": …}``."""
    return {"id": record_id, f"{field}Id": id_map.get(target_id, target_id)}


def payload_digest(body: Mapping[str, Any]) -> str:
    """``sha256:…`` of a payload's canonical JSON: :func:`migrator.model.digest`, computed the
    fast way the mapper does (:func:`migrator.mapping.digests.payload_digest`, same bytes)."""
    return fast_digest(body)


def _points_into(payload: Mapping[str, Any], id_map: Mapping[str, str]) -> bool:
    if not id_map:
        return False
    return any(
        key != "id" and key.endswith("Id") and isinstance(value, str) and value in id_map
        for key, value in payload.items()
    )


def shape(
    payload: Mapping[str, Any],
    known_digest: str,
    *,
    id_map: Mapping[str, str],
    existing_id: str | None = None,
) -> tuple[Mapping[str, Any], str]:
    """``(body, digest)`` of :func:`write_payload`; when the body is the payload itself (no
    merged id to resolve, not a merge), ``known_digest`` — the mapper's digest of the payload,
    which the mapper guarantees equals :func:`payload_digest` of it — is reused."""
    if existing_id is None and not _points_into(payload, id_map):
        return payload, known_digest
    body = write_payload(payload, id_map=id_map, existing_id=existing_id)
    return body, payload_digest(body)


def applied_digest(record_digest: str, links: Iterable[tuple[str, str]]) -> str:
    """What the state stores for a record once its links are written too.

    ``links`` are ``(field, resolved target id)`` pairs; with none, the record digest itself.
    """
    pairs = sorted(set(links))
    if not pairs:
        return record_digest
    return digest({"record": record_digest, "links": [list(pair) for pair in pairs]})
