"""Note and task targets: one ``noteTarget``/``taskTarget`` record per record a note is about.

While a note (or task) mapping runs, the key of each of its targets is written to a spool (an
anonymous temporary file, owner-only and gone when closed), so the targets phase
(``<mapping>-targets``) needs neither the rows again nor memory per note. When the targets phase
runs, every mapping involved has run, so each target resolves exactly like a reference:

* the note is not written → HELD ``parent_not_written`` (``blocked_by`` the note's address);
* no row of the target mapping has the key → QUARANTINED ``orphan_reference``; several (a
  non-unique ``key``) → QUARANTINED ``ambiguous_reference``;
* the target record is not written → HELD ``parent_not_written`` (``blocked_by`` its address);
* the same note already targets that record → SKIPPED ``duplicate_target``;
* otherwise a record ``{id, noteId|taskId, target<Object>Id, createdBy, <provenance>}``.

A target's source key is its note's key plus ``#target.<ref>`` (``.<by>`` is added when two
targets of a mapping name the same mapping), so its id is deterministic too. A null key makes no
target and is not counted.
"""

from __future__ import annotations

import re
import tempfile
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from migrator.identity import IdMaker
from migrator.mapping.digests import payload_digest
from migrator.mapping.model import DesiredRecord, Fate, RowOutcome
from migrator.mapping.refs import Ambiguous, MappingIndex, Orphan, choose

#: A spool entry written as tab-separated text (no tab, line break or leading bracket in it).
_PLAIN = re.compile(r"^[^\t\n\r\[][^\t\n\r]*\t\d+\t[^\t\n\r]*\t\d+$")
#: The phase name of a note or task mapping's targets.
TARGETS_SUFFIX = "-targets"
#: Target holder objects and the join column naming the note or task.
HOLDERS: dict[str, tuple[str, str]] = {
    "note": ("noteTarget", "noteId"),
    "task": ("taskTarget", "taskId"),
}


def targets_phase(mapping: str) -> str:
    """The name of ``mapping``'s targets phase (``activities-targets``)."""
    return mapping + TARGETS_SUFFIX


@dataclass(frozen=True)
class TargetPlan:
    """One entry of a mapping's ``targets``."""

    ref: str
    index: MappingIndex
    same_row: bool
    """No ``by``: the record the referenced mapping made from the note's own row."""
    key: tuple[str, str | None] | None
    join: str
    """The morph join column (``targetPersonId``)."""
    suffix: str
    """Appended to the note's key: ``target.<ref>`` (``.<by>`` when needed)."""


class Spool:
    """Target keys written while the note mapping runs, read back by the targets phase."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._closer = weakref.finalize(self, self._file.close)
        self.count = 0

    def add(self, identity: str, plan: int, value: str, line: int) -> None:
        """Remember one target of the note ``identity``."""
        text = f"{identity}\t{plan}\t{value}\t{line}"
        if _PLAIN.match(text):
            self._file.write(text.encode("utf-8") + b"\n")
        else:  # a key with a tab, a newline or a leading bracket: a JSON line instead
            self._file.write(orjson.dumps([identity, plan, value, line]) + b"\n")
        self.count += 1

    def __iter__(self) -> Iterator[tuple[str, int, str, int]]:
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            if line.startswith(b"["):
                identity, plan, value, number = orjson.loads(line)
                yield identity, plan, value, number
            else:
                identity, plan, value, number = line[:-1].decode("utf-8").split("\t")
                yield identity, int(plan), value, int(number)

    def close(self) -> None:
        """Drop the spool (also done when it is garbage-collected)."""
        self._closer()


@dataclass
class TargetsPhase:
    """Everything the targets phase of one note or task mapping needs."""

    phase: str
    holder: str
    owner_join: str
    note: MappingIndex
    plans: list[TargetPlan]
    ids: IdMaker
    constants: dict[str, Any]
    provenance: str

    def records(self, spool: Spool) -> Iterator[DesiredRecord | RowOutcome]:
        """Every target of the spool, in note order (module doc)."""
        last, taken = "", set[str]()
        note_key = ""
        plans = self.plans
        for identity, number, value, line in spool:
            if identity != last:
                last, taken = identity, set()
                note_key = self.note.key(identity)
            yield self._one(identity, note_key, plans[number], value, line, taken)

    def _outcome(self, address: str, key: str, line: int, fate: Fate, code: str, why: str,
                 blocked: str = "") -> RowOutcome:  # fmt: skip
        reason = f"{address}: {why}"
        return RowOutcome(self.phase, address, key, fate, code, reason, blocked, line)

    def _one(
        self,
        identity: str,
        note_key: str,
        plan: TargetPlan,
        value: str,
        line: int,
        taken: set[str],
    ) -> DesiredRecord | RowOutcome:
        note, index = self.note, plan.index
        key = f"{note_key}#{plan.suffix}"
        address = f"record.{self.phase}[{key}]"
        if identity in note.unwritten:
            note_address = note.address(identity)
            return self._outcome(address, key, line, Fate.HELD, "parent_not_written",
                                 f"parent not written ({note_address})", note_address)  # fmt: skip
        try:
            chosen = value if plan.same_row else choose(index, value, key=plan.key, pick="only",
                                                        exclude=None)  # fmt: skip
        except Orphan:
            return self._outcome(address, key, line, Fate.QUARANTINED, "orphan_reference",
                                 f"no `{plan.ref}` row has its key")  # fmt: skip
        except Ambiguous:
            return self._outcome(address, key, line, Fate.QUARANTINED, "ambiguous_reference",
                                 f"several `{plan.ref}` rows have its key")  # fmt: skip
        target = index.final(chosen or value)
        target_key = index.key(target)
        target_address = f"record.{index.name}[{target_key}]"  # index.address(target)
        if target in index.unwritten:
            return self._outcome(address, key, line, Fate.HELD, "parent_not_written",
                                 f"parent not written ({target_address})",
                                 target_address)  # fmt: skip
        if target_address in taken:
            return self._outcome(address, key, line, Fate.SKIPPED, "duplicate_target",
                                 "the note already targets it")  # fmt: skip
        taken.add(target_address)
        ids = self.ids
        own = ids(key)
        payload = {
            "id": own,
            self.owner_join: ids(note_key),
            plan.join: ids(target_key),
            self.provenance: key,
            **self.constants,
        }
        payload = dict(sorted(payload.items()))
        return DesiredRecord(
            mapping=self.phase,
            address=address,
            source_key=key,
            twenty_object=self.holder,
            twenty_id=own,
            payload=payload,
            payload_digest=payload_digest(payload, float_keys=()),
            depends_on=(f"record.{note.name}[{note_key}]", target_address),
            line=line,
        )
