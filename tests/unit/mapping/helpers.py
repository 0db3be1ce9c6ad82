"""Small hand-made bundles and specs for the mapper's tests, written into a test's directory.

:func:`write_bundle` writes JSON Lines files and a manifest that the real reader accepts (sha256
and counts included); :func:`load_test_spec` writes a spec (JSON is YAML) and loads it through the
full validation, so every test spec is a spec a user could write; :func:`run_all` runs every phase
in the mapper's own order and collects what each yields.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrator.errors import SpecError
from migrator.identity import migration_namespace
from migrator.mapping.mapper import Mapper
from migrator.mapping.model import DesiredRecord, Fate, Finding, MappingResult, RowOutcome
from migrator.sources.bundle import Bundle, open_bundle
from migrator.spec.models import MigrationSpec
from migrator.spec.validation import load_spec

NAMESPACE = migration_namespace("mapping-tests")
EXPORTED_AT = "2026-01-15T08:00:00.000Z"


def write_bundle(
    root: Path,
    system: str,
    objects: dict[str, list[dict[str, Any]]],
    *,
    files: dict[str, bytes] | None = None,
) -> Path:
    """A bundle folder ``root/data`` holding ``objects`` (and attachment ``files`` by path)."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, rows in objects.items():
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        path = data / f"{name}.jsonl"
        path.write_text(text, encoding="utf-8")
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        entries.append({"name": path.name, "object": name, "records": len(rows), "sha256": sha})
    total = 0
    for relative, content in (files or {}).items():
        target = data / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        total += len(content)
    manifest = {
        "source": system,
        "schema_version": "1.0",
        "exported_at": EXPORTED_AT,
        "files": entries,
        "attachments": {"count": len(files or {}), "total_bytes": total},
    }
    (data / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return data


def spec_document(system: str, **sections: Any) -> dict[str, Any]:
    """A spec document with the required sections filled for ``system``."""
    timezone = {"oplacrm": "Asia/Ho_Chi_Minh", "aeronaclinic": "Europe/London"}[system]
    currency = {"oplacrm": "VND", "aeronaclinic": "GBP"}[system]
    document: dict[str, Any] = {
        "version": 1,
        "name": "mapping-tests",
        "source": {
            "system": system,
            "bundle": "./data",
            "timezone": timezone,
            "currency": currency,
        },
        "destination": {"url": "sandbox:.migrator/sandbox.db"},
        "provenance": {"created_by": "Test import"},
    }
    document.update(sections)
    return document


def load_test_spec(root: Path, document: dict[str, Any]) -> MigrationSpec:
    """Write ``document`` as ``root/migration.yaml`` and load it with full validation."""
    path = root / "migration.yaml"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    try:
        return load_spec(path, environ={}).spec
    except SpecError as problem:
        lines = [d.render() for d in problem.diagnostics] if problem.diagnostics else []
        raise AssertionError("the test spec is invalid:\n" + "\n".join(lines)) from None


@dataclass
class Run:
    """What every phase of a mapper yielded, and each phase's counts."""

    items: dict[str, list[DesiredRecord | RowOutcome | Finding]] = field(default_factory=dict)
    results: dict[str, MappingResult] = field(default_factory=dict)

    def records(self, phase: str) -> list[DesiredRecord]:
        """The desired records of ``phase``."""
        return [i for i in self.items[phase] if isinstance(i, DesiredRecord)]

    def outcomes(self, phase: str) -> list[RowOutcome]:
        """The row outcomes of ``phase``."""
        return [i for i in self.items[phase] if isinstance(i, RowOutcome)]

    def findings(self, phase: str) -> list[Finding]:
        """The findings of ``phase``."""
        return [i for i in self.items[phase] if isinstance(i, Finding)]

    def record(self, phase: str, source_id: str) -> DesiredRecord:
        """The record of ``phase`` whose source key ends with ``:<source_id>``."""
        found = [r for r in self.records(phase) if r.source_key.endswith(f":{source_id}")]
        assert len(found) == 1, (phase, source_id, [r.source_key for r in self.records(phase)])
        return found[0]

    def outcome(self, phase: str, source_id: str) -> RowOutcome:
        """The row outcome of ``phase`` whose source key ends with ``:<source_id>``."""
        found = [o for o in self.outcomes(phase) if o.source_key.endswith(f":{source_id}")]
        assert len(found) == 1, (phase, source_id)
        return found[0]

    def fates(self, phase: str) -> dict[str, int]:
        """The fate counts of ``phase`` by fate name, plus ``desired``."""
        result = self.results[phase]
        counts = {fate.value: n for fate, n in result.fates.items() if n}
        counts["desired"] = result.desired
        return counts


def make_mapper(
    spec: MigrationSpec, bundle: Bundle, members: dict[str, str] | None = None
) -> Mapper:
    """A mapper over ``bundle`` with the test namespace."""
    return Mapper(spec, bundle, members=members or {}, namespace=NAMESPACE)


def run_all(mapper: Mapper) -> Run:
    """Run every phase in the mapper's order."""
    run = Run()
    for phase in mapper.phases():
        run.items[phase.name] = list(mapper.run(phase.name))
        run.results[phase.name] = mapper.result(phase.name)
    return run


def setup(
    root: Path,
    system: str,
    objects: dict[str, list[dict[str, Any]]],
    document: dict[str, Any],
    *,
    members: dict[str, str] | None = None,
    files: dict[str, bytes] | None = None,
) -> tuple[MigrationSpec, Mapper]:
    """Bundle, spec and mapper in one call."""
    write_bundle(root, system, objects, files=files)
    spec = load_test_spec(root, document)
    bundle = open_bundle(system, root / "data", timezone=spec.source.timezone)
    return spec, make_mapper(spec, bundle, members)


def member_id(email: str) -> str:
    """A stable member id for a test email."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"member:{email}"))


def conserved(run: Run) -> None:
    """Assert that every phase accounts for each of its rows exactly once."""
    for name, result in run.results.items():
        outcomes = sum(result.fates.values())
        assert result.source_rows == result.desired + outcomes, name
        if name in run.items and not name.endswith(("-aggregated", "-skipped")):
            items = run.items[name]
            assert len([i for i in items if not isinstance(i, Finding)]) == result.source_rows
    for phase, result in run.results.items():
        for fate in result.fates:
            assert isinstance(fate, Fate), phase
