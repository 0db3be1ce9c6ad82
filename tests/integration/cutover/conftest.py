"""A project copied from an example, its in-process sandbox, and what a cutover test needs.

The example's spec points at ``sandbox:.migrator/sandbox.db``; every workflow opens that file
in-process. :class:`Project` seeds it (as a user of the workspace would), snapshots it through the
sandbox's own canonical snapshot, and runs the mapper to find source values to collide with.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from migrator.identity import migration_namespace
from migrator.mapping import Mapper
from migrator.mapping.model import DesiredRecord
from migrator.sandbox.app import make_sandbox
from migrator.sandbox.config import SandboxConfig
from migrator.sandbox.inspect import snapshot
from migrator.spec.models import MigrationSpec
from migrator.spec.validation import load_spec
from migrator.workflows.apply import apply_plan_file
from migrator.workflows.plan import plan
from migrator.workflows.spec_inputs import open_spec_bundle, open_spec_destination
from tests.conftest import REPO_ROOT


@dataclass
class Project:
    """A copy of an example with its sandbox."""

    root: Path
    environ: dict[str, str] = field(default_factory=dict)
    """What the workflows see of the environment (a served sandbox's URL and key)."""

    @property
    def spec_path(self) -> Path:
        return self.root / "migration.yaml"

    def spec(self) -> MigrationSpec:
        return load_spec(self.spec_path, environ={}).spec

    def seed(self, plural: str, rows: Sequence[dict[str, Any]]) -> list[str]:
        """Create ``rows`` as a user would (through the API; ids are made here)."""
        rows = [{"id": str(uuid.uuid4()), **row} for row in rows]
        with open_spec_destination(self.spec(), self.root, None) as dest:
            dest.client.records.create_batch(plural, rows)
        return [row["id"] for row in rows]

    def soft_delete(self, plural: str, ids: Sequence[str]) -> None:
        with open_spec_destination(self.spec(), self.root, None) as dest:
            dest.client.records.delete_many(plural, list(ids))

    def update(self, plural: str, record_id: str, values: dict[str, Any]) -> None:
        with open_spec_destination(self.spec(), self.root, None) as dest:
            dest.client.records.update_one(plural, record_id, values)

    def snapshot(self) -> dict[str, Any]:
        """The sandbox's canonical snapshot (metadata, records, files)."""
        members = self.spec().destination.sandbox.members
        config = SandboxConfig(
            db_path=self.root / ".migrator" / "sandbox.db",
            members_file=(self.root / members) if members else None,
        )
        with make_sandbox(config) as box:
            return snapshot(box.workspace, box.workspace_id)

    def desired(self, mapping: str) -> Iterator[DesiredRecord]:
        """The mapper's records of ``mapping`` (to pick source values to collide with)."""
        spec = self.spec()
        bundle = open_spec_bundle(spec, self.root)
        with open_spec_destination(spec, self.root, None) as dest:
            members = {m.user_email.lower(): m.id for m in dest.client.members() if m.user_email}
        namespace = migration_namespace(spec.name)
        mapper = Mapper(spec, bundle, members=members, namespace=namespace, spec_dir=self.root)
        try:
            for phase in mapper.phases():
                for item in mapper.run(phase.name):
                    if phase.name == mapping and isinstance(item, DesiredRecord):
                        yield item
                if phase.name == mapping:
                    return
        finally:
            mapper.close()

    def apply(self) -> None:
        """Plan and apply the spec as it is."""
        out = self.root / f"{uuid.uuid4().hex}.plan"
        plan(self.spec_path, environ=self.environ, out=out)
        apply_plan_file(out, environ=self.environ)


def copy_example(name: str, tmp_path: Path) -> Project:
    root = tmp_path / name
    shutil.copytree(
        REPO_ROOT / "examples" / name,
        root,
        ignore=shutil.ignore_patterns(".migrator", "*.plan", "plans"),
    )
    return Project(root)


@pytest.fixture
def oplacrm(tmp_path: Path) -> Project:
    return copy_example("oplacrm", tmp_path)


@pytest.fixture
def aeronaclinic(tmp_path: Path) -> Project:
    return copy_example("aeronaclinic", tmp_path)


def without_updated_by(value: Any) -> Any:
    """``value`` with every ``updatedBy`` left out (only the server sets it)."""
    if isinstance(value, dict):
        return {k: without_updated_by(v) for k, v in value.items() if k != "updatedBy"}
    if isinstance(value, list):
        return [without_updated_by(v) for v in value]
    return value
