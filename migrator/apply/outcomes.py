"""The plan's own quarantine and holds, stored in the state phase by phase, every one of them.

A plan file's header lists only the first entries of each (``PlanHeader.quarantine`` and
``holds``); the whole quarantine is in the file's outcomes section
(:func:`~migrator.plan.planfile.iter_plan_outcomes`), and the holds past the header are in no
file: apply recomputes every row's outcome, so :class:`PlanOutcomes` finds them again exactly as
the planner decided them, from the items of each phase:

* a row the mapper holds (owner not resolved, parent not written) comes as a held
  :class:`~migrator.mapping.model.RowOutcome`;
* a record the planner holds is a desired record one of whose first-pass dependencies the planner
  will not write: a record it quarantined (a match taken or ambiguous, a unique value taken) or
  one it held in turn. The mapper never lets a record depend on a row it does not write, so a
  dependency on any quarantined address of the plan is one of those, and the hold is recorded as
  the planner made it (``parent_not_written``, blocked by the first such dependency).

The planner's holds cascade across phases, so the items of phases an earlier run completed are
read too (:meth:`PlanOutcomes.learn`), without writing anything, whenever the plan quarantines
anything at all. The quarantine of a phase is stored when the phase starts, its holds in chunks as
its items pass and the rest when it ends (:meth:`PlanOutcomes.flush`); storing is idempotent, so a
phase run again after a crash stores the same entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from migrator.apply.model import Desired, DesiredItem
from migrator.mapping.model import Fate, RowOutcome
from migrator.plan.model import QuarantineEntry as PlanQuarantineEntry
from migrator.plan.planfile import iter_plan_outcomes
from migrator.state.model import HoldEntry, QuarantineEntry
from migrator.state.store import StateStore

PARENT_NOT_WRITTEN = "parent_not_written"
MIN_CHUNK = 500


@dataclass
class PlanOutcomes:
    """The plan's quarantine (by mapping) and the holds found so far (see the module doc)."""

    store: StateStore
    run_id: str
    chunk: int = MIN_CHUNK
    quarantine: dict[str, list[QuarantineEntry]] = field(default_factory=dict)
    """The quarantine entries still to store, by mapping."""
    blocked: set[str] = field(default_factory=set)
    """Addresses the plan does not write whose dependants the planner held."""
    _holds: list[HoldEntry] = field(default_factory=list)
    _learning: bool = False

    @classmethod
    def load(
        cls, store: StateStore, run_id: str, plan_path: Path, mappings: Iterable[str], chunk: int
    ) -> PlanOutcomes:
        """Read the plan's whole quarantine once, keeping the entries of ``mappings`` (the
        phases still to run) to store."""
        wanted = set(mappings)
        found = cls(store, run_id, max(chunk, MIN_CHUNK))
        for entry in iter_plan_outcomes(plan_path):
            if isinstance(entry, PlanQuarantineEntry):  # the holds are recomputed
                found.blocked.add(entry.address)
                if entry.mapping in wanted:
                    found.quarantine.setdefault(entry.mapping, []).append(
                        QuarantineEntry(
                            address=entry.address,
                            mapping=entry.mapping,
                            source_key=entry.source_key,
                            code=entry.code,
                            reason=entry.reason,
                        )
                    )
        return found

    @property
    def cascades(self) -> bool:
        """True when the planner may have held records (it quarantined something)."""
        return bool(self.blocked)

    def start(self, mapping: str) -> None:
        """Store the quarantine of ``mapping`` (its phase is starting)."""
        entries = self.quarantine.pop(mapping, [])
        for begin in range(0, len(entries), self.chunk):
            with self.store.batch(run_id=self.run_id) as tx:
                for entry in entries[begin : begin + self.chunk]:
                    tx.quarantine(entry)

    def learn(self, items: Iterable[DesiredItem]) -> None:
        """Follow the planner's holds through a phase an earlier run completed (stores nothing)."""
        self._learning = True
        try:
            for item in items:
                self.observe(item)
        finally:
            self._learning = False

    def observe(self, item: DesiredItem) -> None:
        """Note one item of the running phase: a hold of the mapper or of the planner."""
        if isinstance(item, RowOutcome):
            if item.fate is Fate.HELD:
                self._hold(item.address, item.mapping, item.source_key, item.code, item.reason,
                           item.blocked_by)  # fmt: skip
            return
        if item.link is not None or not self.blocked:
            return
        self._planner_hold(item)

    def _planner_hold(self, item: Desired) -> None:
        blocker = next((dep for dep in item.depends_on if dep in self.blocked), None)
        if blocker is None:
            return
        self.blocked.add(item.address)
        self._hold(item.address, item.mapping, item.source_key, PARENT_NOT_WRITTEN,
                   f"{blocker} will not be written", blocker)  # fmt: skip

    def _hold(self, address: str, mapping: str, key: str, code: str, reason: str,
              blocked_by: str) -> None:  # fmt: skip
        if self._learning:
            return
        self._holds.append(
            HoldEntry(
                address=address,
                mapping=mapping,
                source_key=key,
                code=code,
                reason=reason,
                blocked_by=blocked_by,
            )
        )
        if len(self._holds) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        """Store the holds noted since the last flush."""
        if not self._holds:
            return
        with self.store.batch(run_id=self.run_id) as tx:
            for entry in self._holds:
                tx.hold(entry)
        self._holds.clear()
