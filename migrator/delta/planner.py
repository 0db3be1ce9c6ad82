"""The delta planner: the ordinary planner, plus what a cutover needs (style.md 3.3: delta is an
ordinary plan built from state, not a special code path).

The ordinary planner already finds, through the state's payload digests, the source records that
are new (``create``) or changed (``update``) and leaves the others as no-ops, which send nothing.
:class:`DeltaPlanner` adds:

* **records removed from the source** — the state's records of a mapping that the source no
  longer yields — get the spec's ``on_source_delete``: ``delete`` plans a ``delete`` change (the
  executor destroys a record migrator created, and only puts back the pre-image of one it merged
  into or restored: a record that existed before the migration is never deleted); ``flag``
  plans an update of the provenance ``source_deleted_field`` to true, decided from the state
  alone (``{id, <field>: true}``, carried in the change's field differences; apply recognises it
  by its digest, :func:`migrator.apply.join.state_patch`); it counts outside the mapping's
  balance (the row is no longer a source row), and a record already flagged is left alone;
  ``keep`` leaves the record and lists it as a warning;
* **drift** — with ``--refresh``, a record edited in Twenty since migrator wrote it (or deleted
  there) is a conflict: listed as a warning and left alone, unless ``overwrite_drift`` writes the
  source back. A record whose only difference is ``updatedAt`` is not drift: migrator's own
  second-pass link write (a partial upsert) moved it;
* the budget of deletes: ``DELETE … id[in]`` 200 ids a request, a pre-image put back by batch
  upsert, a restored record soft-deleted again by one PATCH.
"""

from __future__ import annotations

import math
from typing import Any

from migrator.graph import GraphNode
from migrator.identity import twenty_id as identity_of
from migrator.mapping.model import DesiredRecord
from migrator.model import Action
from migrator.plan.diff import Reason, RecordDecision
from migrator.plan.model import FieldDiff, RecordChange
from migrator.plan.payloads import payload_digest
from migrator.plan.planner import Planner
from migrator.plan.stateview import MappingState
from migrator.state.model import RecordDigest, RecordStatus

DRIFT_REASONS = frozenset({Reason.DRIFT, Reason.MISSING, Reason.DELETED})
"""Decisions ``--refresh`` makes because Twenty no longer holds what migrator wrote."""
CHUNK = 200


class DeltaPlanner(Planner):
    """:class:`~migrator.plan.planner.Planner` with removed records and drift conflicts."""

    def __init__(self, *args: Any, overwrite_drift: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.overwrite_drift = overwrite_drift
        self._node: GraphNode | None = None
        self._destroys: dict[str, int] = {}
        self._put_backs: dict[str, int] = {}
        self._re_deletes: dict[str, int] = {}

    def run(self) -> None:
        """Plan as the ordinary planner does, then count deletes in the budget."""
        super().run()
        for phase, tally in self.builder.tallies.items():
            destroyed = self._destroys.get(phase, 0)
            tally.upserts -= destroyed  # the builder counts every non-create as an upsert
            if destroyed:
                tally.extra["batch_destroy"] = math.ceil(destroyed / CHUNK)
            if self._re_deletes.get(phase):
                tally.extra["patch_one"] = self._re_deletes[phase]

    def _policy(self, mapping: str) -> str:
        """The mapping's ``on_source_delete`` (note/task targets follow their note or task)."""
        body = self.spec.all_mappings().get(mapping.removesuffix("-targets"))
        return str(getattr(body, "on_source_delete", None) or self.spec.on_source_delete)

    def _left(self, node: GraphNode, view: MappingState) -> None:
        """The planner's hook for records the source no longer yields (module docstring)."""
        self._node = node
        left = view.left()
        if not left:
            return
        policy = self._policy(view.mapping)
        if policy == "keep":
            self.builder.warn(
                "source_deleted_keep",
                view.mapping,
                f"{view.mapping}: records removed from the source are kept "
                "(on_source_delete: keep)",
                left,
            )
            return
        for address in left:
            row = view.take(address)
            if row is None:
                continue
            if policy == "delete":
                self._delete(row.address, row.source_key, row.twenty_id, row.status, view.mapping)
            else:
                self._flag(row, view.mapping)

    def _flag(self, row: RecordDigest, mapping: str) -> None:
        """Set the provenance ``source_deleted_field`` of a record whose source row is gone: an
        update decided from the state alone (:func:`migrator.apply.join.state_patch`)."""
        assert self._node is not None
        name = self.spec.provenance.source_deleted_field
        body = {"id": row.twenty_id, name: True}
        digest = payload_digest(body)
        if row.payload_digest == digest:
            return  # flagged by an earlier delta
        own = identity_of(self.settings.namespace, row.source_key)
        spec_body = self.spec.all_mappings().get(mapping.removesuffix("-targets"))
        change = RecordChange(
            address=row.address,
            mapping=mapping,
            source_key=row.source_key,
            twenty_object=spec_body.to if spec_body is not None else self._node.twenty_object,
            twenty_id=own,
            action=Action.UPDATE,
            reason=f"removed from the source: flagged ({name})",
            payload_digest=digest,
            phase=self._node.address,
            existing_id=row.twenty_id if own != row.twenty_id else None,
            field_diffs=(FieldDiff(path=name, before=None, after=True),),
        )
        self.builder.add_change(change, counts_as="flag")

    def _delete(
        self, address: str, source_key: str, twenty_id: str, status: RecordStatus, mapping: str
    ) -> None:
        assert self._node is not None
        phase = self._node.address
        own = identity_of(self.settings.namespace, source_key)
        body = self.spec.all_mappings().get(mapping)
        twenty_object = body.to if body is not None else self._node.twenty_object
        if status in (RecordStatus.WRITTEN, RecordStatus.ADOPTED):
            reason = "removed from the source: destroyed"
            self._destroys[phase] = self._destroys.get(phase, 0) + 1
        else:
            reason = "removed from the source: merged into, so only its pre-image is put back"
            if status is RecordStatus.RESTORED:
                self._re_deletes[phase] = self._re_deletes.get(phase, 0) + 1
        change = RecordChange(
            address=address,
            mapping=mapping,
            source_key=source_key,
            twenty_object=twenty_object,
            twenty_id=own,
            action=Action.DELETE,
            reason=reason,
            payload_digest=payload_digest({"delete": twenty_id}),
            phase=phase,
            existing_id=twenty_id if own != twenty_id else None,
        )
        self.builder.add_change(change)

    def _emit(self, desired: DesiredRecord, decision: RecordDecision) -> None:
        change = decision.change
        if change is not None and change.reason == Reason.DRIFT and _only_stamps(change):
            # migrator's own second-pass link write (a partial upsert) moved ``updatedAt``
            same = change.model_copy(
                update={"action": Action.NOOP, "reason": Reason.UNCHANGED, "field_diffs": ()}
            )
            decision = RecordDecision(same, None, decision.existing_id, True, decision.body)
            change = same
        if self.overwrite_drift or change is None or change.reason not in DRIFT_REASONS:
            super()._emit(desired, decision)
            return
        self.builder.warn(
            "drift_conflict",
            desired.mapping,
            f"{desired.mapping}: records changed in Twenty since migrator wrote them are left "
            "alone (--overwrite-drift writes the source back)",
            [desired.address],
        )
        kept = change.model_copy(update={"action": Action.NOOP, "field_diffs": ()})
        super()._emit(
            desired, RecordDecision(kept, None, decision.existing_id, True, decision.body)
        )


def _only_stamps(change: RecordChange) -> bool:
    """True when the only field that differs is ``updatedAt``: no one edited the record."""
    return bool(change.field_diffs) and all(d.path == "updatedAt" for d in change.field_diffs)
