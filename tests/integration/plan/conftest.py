"""Fixtures for planning against the embedded sandbox: a project folder with a spec and a
generated OplaCRM bundle, and a way to put records into its sandbox before planning."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from migrator.destination import open_destination
from migrator.workflows.spec_inputs import resolve_destination_url
from tests.conftest import DATA_DIR
from tests.integration.plan.fakes import SPEC

SMALL_BUNDLE = DATA_DIR / "plan" / "oplacrm-small"

Seeder = Callable[[str, Sequence[dict[str, Any]]], list[str]]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """``tmp_path/project`` with the fake spec and a clean 300-record OplaCRM bundle (made by
    ``migrator examples generate oplacrm --records 300 --seed 1 --dirty-rate 0``)."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "migration.yaml").write_text(SPEC, encoding="utf-8")
    shutil.copytree(SMALL_BUNDLE, root / "data")
    return root


def sandbox_url(project: Path) -> str:
    """The project's sandbox destination, as the planner resolves it."""
    return resolve_destination_url("sandbox:.migrator/sandbox.db", project)


@pytest.fixture
def seed(project: Path) -> Seeder:
    """``seed(plural, rows)`` creates rows in the project's sandbox; returns their ids."""

    def create(plural: str, rows: Sequence[dict[str, Any]]) -> list[str]:
        with open_destination(sandbox_url(project), None) as destination:
            result = destination.client.records.create_batch(plural, list(rows))
            return list(result.written_ids)

    return create
