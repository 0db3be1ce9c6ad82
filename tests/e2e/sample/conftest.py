"""A ~300-record sample migration of each example, run once per session through the CLI.

:func:`run_sample` does what a user does before the full run, on a fresh copy of the example
(:mod:`tests.e2e.project`): read the sandbox's snapshot, ``plan --sample 300 -o first.plan``
(twice, to compare the bytes), apply it (the saved plan, or ``apply SPEC --sample 300
--auto-approve``), re-plan the sample (no changes), ``verify``, try a full plan and a sample of
another size (both refused), ``destroy``, read the snapshot again and plan the full run. Every
step's output is kept with what the state and Twenty held after the apply, so the tests only
read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from migrator.sample import SampleSelection, sample_bundle
from migrator.spec.models import MigrationSpec
from migrator.spec.validation import load_spec
from migrator.state import open_sqlite_state
from migrator.state.model import StateMeta
from migrator.workflows.spec_inputs import open_spec_bundle
from tests.e2e.project import AppliedExample, Run, copy_example, run_cli, sandbox_http

SIZE = 300


def read_snapshot(root: Path) -> dict[str, Any]:
    """The sandbox's canonical snapshot now."""
    with sandbox_http(root) as http:
        response = http.get("/_sandbox/snapshot")
        response.raise_for_status()
        data: dict[str, Any] = json.loads(response.content)
    return data


@dataclass
class SampledExample:
    """An example sampled, verified and destroyed; what every step printed and left."""

    applied: AppliedExample
    """The sample as applied (its ``snapshot`` and state are read right after the apply)."""
    spec: MigrationSpec
    selection: SampleSelection
    """The sample chosen again from the example's spec and bundle (what the plan was made of)."""
    full_counts: dict[str, int]
    """Rows per source object in the whole bundle."""
    before: dict[str, Any]
    after_apply_meta: StateMeta
    again_plan_bytes_equal: bool
    replan: Run
    verify: Run
    full_plan_refused: Run
    other_size_refused: Run
    destroy: Run
    after_destroy: dict[str, Any]
    after_destroy_meta: StateMeta
    full_plan_after_destroy: Run
    snapshot_after_apply: dict[str, Any] = field(default_factory=dict)
    in_state: dict[str, set[str]] = field(default_factory=dict)
    """Per mapping, the source ids the state recorded after the apply (written, quarantined or
    held)."""

    def kept(self, obj: str) -> frozenset[str]:
        """Record ids of source object ``obj`` in the sample."""
        return self.selection.rows.get(obj, frozenset())


def _ok(run: Run, code: int = 0) -> Run:
    assert run.exit_code == code, run.output[-4000:]
    return run


def _meta(root: Path, name: str) -> StateMeta:
    with open_sqlite_state(root / ".migrator" / f"{name}-to-twenty.state.db") as store:
        return store.meta()


def run_sample(name: str, into: Path, *, apply_spec: bool = False) -> SampledExample:
    """Copy ``examples/<name>`` and run the whole sample cycle (module docstring)."""
    root = copy_example(name, into)
    before = read_snapshot(root)
    plan = _ok(run_cli(root, "plan", "migration.yaml", "--sample", str(SIZE), "-o", "first.plan"))
    _ok(run_cli(root, "plan", "migration.yaml", "--sample", str(SIZE), "-o", "again.plan"))
    same = (root / "first.plan").read_bytes() == (root / "again.plan").read_bytes()
    args: tuple[str, ...] = ("apply", "first.plan")
    if apply_spec:
        args = ("apply", "migration.yaml", "--sample", str(SIZE), "--auto-approve")
    applied_run = _ok(run_cli(root, *args))
    replan = run_cli(root, "plan", "migration.yaml", "--sample", str(SIZE), "--detailed-exitcode")
    applied = AppliedExample(name, root, plan, applied_run, replan)
    snapshot = applied.snapshot
    in_state: dict[str, set[str]] = {}
    entries: list[tuple[str, str]] = [(e.mapping, e.source_key) for e in applied.state_records()]
    entries += [(e.mapping, e.source_key) for e in applied.quarantined()]
    entries += [(e.mapping, e.source_key) for e in applied.held()]
    for mapping, source_key in entries:
        in_state.setdefault(mapping, set()).add(source_key.split(":", 2)[2].split("#", 1)[0])
    spec = load_spec(root / "migration.yaml", environ={}).spec
    bundle = open_spec_bundle(spec, root)
    selection = sample_bundle(spec, bundle, SIZE).selection
    return SampledExample(
        applied=applied,
        spec=spec,
        selection=selection,
        full_counts={obj: bundle.count(obj) for obj in bundle.objects},
        before=before,
        after_apply_meta=_meta(root, name),
        again_plan_bytes_equal=same,
        replan=replan,
        verify=run_cli(root, "verify", "migration.yaml", "--format", "json"),
        full_plan_refused=run_cli(root, "plan", "migration.yaml"),
        other_size_refused=run_cli(root, "plan", "migration.yaml", "--sample", "100"),
        destroy=run_cli(root, "destroy", "migration.yaml", "--auto-approve"),
        after_destroy=read_snapshot(root),
        after_destroy_meta=_meta(root, name),
        full_plan_after_destroy=run_cli(root, "plan", "migration.yaml", "-o", "full.plan"),
        snapshot_after_apply=snapshot,
        in_state=in_state,
    )


SampleFactory = Callable[[str, Path], SampledExample]


@pytest.fixture(scope="session")
def opla_sample(tmp_path_factory: pytest.TempPathFactory) -> SampledExample:
    """``examples/oplacrm`` sampled through a saved plan (``apply first.plan``)."""
    return run_sample("oplacrm", tmp_path_factory.mktemp("opla-sample"))


@pytest.fixture(scope="session")
def aerona_sample(tmp_path_factory: pytest.TempPathFactory) -> SampledExample:
    """``examples/aeronaclinic`` sampled with ``apply SPEC --sample 300 --auto-approve``."""
    return run_sample("aeronaclinic", tmp_path_factory.mktemp("aerona-sample"), apply_spec=True)
