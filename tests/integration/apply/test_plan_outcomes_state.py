"""The state records every quarantined and held record of a plan, past the header's first 1,000.

A plan file's header lists only the first 1,000 quarantined and held records; the whole
quarantine is in its outcomes section and the holds past the header are recomputed by apply
(:mod:`migrator.apply.outcomes`). A 5,000-record OplaCRM bundle with half its records dirty and
no workspace member to own anything quarantines and holds well over 1,000 each; after apply the
state holds every one of them, with the plan's codes, and the owner queue counts every record
waiting for an owner. The planner's own holds (dependants of a record it quarantines) are checked
on a small state with :class:`~migrator.apply.outcomes.PlanOutcomes` directly.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from migrator.apply.model import Desired
from migrator.apply.outcomes import PlanOutcomes
from migrator.mapping.model import Fate, RowOutcome
from migrator.plan.model import QuarantineEntry as PlanQuarantine
from migrator.plan.planfile import iter_plan_outcomes
from migrator.sources.generator import generate_bundle
from migrator.state import open_sqlite_state
from migrator.workflows.apply import apply_plan_file
from migrator.workflows.plan import plan
from tests.conftest import REPO_ROOT

ENVIRON = {"TWENTY_API_KEY": "sandbox"}


def test_the_state_holds_every_quarantined_and_held_record(tmp_path: Path) -> None:
    root = tmp_path / "oplacrm"
    root.mkdir()
    shutil.copy(REPO_ROOT / "examples" / "oplacrm" / "migration.yaml", root)
    generate_bundle("oplacrm", root / "data", records=5000, seed=7, dirty_rate=0.5)
    (root / "workspace-members.json").write_text("[]", encoding="utf-8")
    header = plan(root / "migration.yaml", environ=ENVIRON, out=root / "p.plan").header
    assert header.outcomes_cut
    assert header.quarantine_total > 1000 and header.holds_total > 1000
    quarantine = [e for e in iter_plan_outcomes(root / "p.plan") if isinstance(e, PlanQuarantine)]
    assert len(quarantine) == header.quarantine_total

    apply_plan_file(root / "p.plan", environ=ENVIRON)

    with open_sqlite_state(root / ".migrator" / "oplacrm-to-twenty.state.db") as store:
        stored_q = {q.address: q for q in store.quarantined()}
        stored_h = {h.address: h for h in store.held()}
        queue = store.owner_queue()
        runs = store.runs()
    rejected = {a for a, q in stored_q.items() if q.code == "rejected_by_twenty"}
    assert {(q.address, q.code) for q in quarantine} == {
        (a, q.code) for a, q in stored_q.items() if a not in rejected
    }
    cascaded = sum(p.held for p in runs[-1].phases) - header.holds_total
    assert len(stored_h) == header.holds_total + cascaded
    # the header's first 1,000 are among them (which of two reasons a row held twice shows may
    # differ: the embedded spec compiles its fields in another order than the YAML file)
    assert {hold.address for hold in header.holds} <= set(stored_h)
    per_mapping = Counter(h.mapping for h in stored_h.values())
    for counts in header.counts:
        assert per_mapping[counts.mapping] >= counts.held, counts.mapping
    owners = sum(1 for h in stored_h.values() if h.code == "owner_unresolved")
    assert owners > 0 and sum(entry.records_held for entry in queue) == owners


def test_the_planners_own_holds_cascade_from_its_quarantine(tmp_path: Path) -> None:
    def company(n: int) -> str:
        return f"record.companies[oplacrm:accounts:{n}]"

    def person(n: int, company_n: int) -> Desired:
        return Desired(
            address=f"record.people[oplacrm:contacts:{n}]",
            mapping="people",
            source_key=f"oplacrm:contacts:{n}",
            twenty_object="person",
            twenty_id=f"00000000-0000-0000-0000-{n:012d}",
            payload={},
            depends_on=(company(company_n),),
        )

    taken = 1500  # companies the planner quarantined (say, a match taken): their people wait
    with open_sqlite_state(tmp_path / "s.db", create=True) as store:
        outcomes = PlanOutcomes(store, run_id="", chunk=500)
        outcomes.blocked.update(company(n) for n in range(taken))
        outcomes.learn([person(0, 0)])  # a phase an earlier run completed: noted, not stored
        for n in range(1, taken + 1):
            outcomes.observe(person(n, n - 1))
        outcomes.observe(person(taken + 1, 10**6))  # its company is written: not held
        outcomes.observe(
            RowOutcome(
                "people",
                "record.people[oplacrm:contacts:x]",
                "oplacrm:contacts:x",
                Fate.HELD,
                "owner_unresolved",
                "no member",
                "MNV_9",
            )
        )
        outcomes.flush()
        held = {h.address: h for h in store.held()}
    assert "record.people[oplacrm:contacts:0]" not in held
    assert "record.people[oplacrm:contacts:0]" in outcomes.blocked
    expected = {f"record.people[oplacrm:contacts:{n}]" for n in range(1, taken + 1)}
    assert set(held) == expected | {"record.people[oplacrm:contacts:x]"}
    sample = held["record.people[oplacrm:contacts:7]"]
    assert (sample.code, sample.blocked_by) == ("parent_not_written", company(6))
    assert held["record.people[oplacrm:contacts:x]"].code == "owner_unresolved"
