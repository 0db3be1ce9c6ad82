"""The mapper: source rows in, desired Twenty records (and the fate of every row) out.

:class:`Mapper` is the entry point (:mod:`migrator.mapping.mapper`); :mod:`migrator.mapping.model`
holds what it produces. How the mapper reads the spec where the spec models leave a choice open
(each is also stated in the module that implements it):

* **Identity.** A record's source key is ``<system>:<object>:<id>`` (the mapping's ``identity``
  path, else the primary key); a child's is its parent row's key plus ``#<child>``; a note or
  task target's is its note's key plus ``#target.<ref>``; a second mapping writing the same
  Twenty object from the same source object adds ``#<mapping>``. The Twenty id is the UUIDv5 of
  the migration namespace and that key.
* **Payload.** Every mapped field that has a value, ``null`` only for an explicit ``const: null``
  (no value means "not sent"); composites carry their mapped sub-fields (all empty: left out; a
  CURRENCY without an amount is left out, without a code it takes ``source.currency``); FILES
  fields are left to apply (:class:`~migrator.mapping.model.FileRef`); ``createdBy`` is
  ``{source: IMPORT, name: provenance.created_by}`` and ``createdAt`` comes from the source's
  ``created_at``/``createdAt`` when the spec does not map it; the provenance field holds the source
  key; keys are sorted. Values are converted to their field type; a value Twenty would refuse (a
  text in a NUMBER, a SELECT value that is not an option) quarantines the row by default.
* **Validators.** A source field's schema ``check`` runs on ``from`` values before the transforms
  (:mod:`migrator.mapping.checks`); a required source field without a value is the ERROR
  ``missing_required_value``; ``on_invalid`` applies to every problem of the value (validator,
  transform, type); reader ERRORs (no primary key) quarantine the row.
* **References.** An orphan or ambiguous first-pass reference quarantines its row; one whose
  target is not written holds it (``parent_not_written``); ``on_invalid: drop`` (or ``warn``)
  makes a reference optional: left empty with a finding. References to a deduplicated row go to
  its winner. Links (self references, ``deferred``) never change their record's fate: a link
  that cannot be written is dropped with a finding.
* **Deduplication** happens first, on Twenty's unique values, in source order: the first row wins
  even if it is later quarantined (its losers stay deduplicated; their dependants are held).
* **Owners**: unresolved owners are held (``fallback: hold``) or given to the fallback member
  with a finding; a fallback member that is not a workspace member holds the record too.
* **Aggregates**: rows of an object read only by aggregates count as AGGREGATED in the
  ``<object>-aggregated`` phase when some aggregate folded them in, SKIPPED otherwise (orphans
  included; the audit reports orphans). Lookup tables and the owners' users are reference data
  with no phase.
* **Locked records** (OplaCRM ``locked: true``) and renamed custom fields (``renamed_from``) are
  reported as findings (``locked_record``, ``renamed_field``).
* **Sensitivity** follows :mod:`migrator.spec.sensitivity`; reasons, codes and findings name
  records and fields, never values.
"""

from __future__ import annotations

from migrator.mapping.mapper import Mapper
from migrator.mapping.phases import Phase, PhaseKind

__all__ = ["Mapper", "Phase", "PhaseKind"]
