"""The views on plans the real planner makes against the sandbox (with the planner's own
stand-in mapper, :class:`tests.integration.plan.fakes.FakeMapper`), and ``migrator plan
--format`` end to end.

A contact whose email an existing Twenty person has becomes a merge and an account whose domain
a soft-deleted company has becomes a restore, so the plan holds creates, a merge, a restore,
schema changes and the planner's warnings. Names and emails are sensitive in that mapper: none
may appear in any view or in the decompressed plan file.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from migrator import mapping as mapping_package
from migrator.cli import main
from migrator.destination import open_destination
from migrator.model import Action
from migrator.plan.planfile import iter_plan_outcomes, iter_record_changes, plan_file_sha256
from migrator.render.views import PLAN_FORMATS, render_plan
from migrator.sources.bundle import open_bundle
from migrator.workflows.graph import graph
from migrator.workflows.plan import PlanResult, plan
from tests.conftest import DATA_DIR, REPO_ROOT
from tests.integration.plan.fakes import SPEC, FakeMapper, domain_of

SMALL_BUNDLE = DATA_DIR / "plan" / "oplacrm-small"
EXISTING_PERSON = "0b6f7a1e-2c3d-4e5f-8a9b-1c2d3e4f5a6b"
DELETED_COMPANY = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "migration.yaml").write_text(SPEC, encoding="utf-8")
    shutil.copytree(SMALL_BUNDLE, root / "data")
    bundle = open_bundle("oplacrm", root / "data")
    account = next(iter(bundle.read("accounts")))
    contact = next(iter(bundle.read("contacts")))
    url = f"sandbox:{(root / '.migrator' / 'sandbox.db').resolve()}"  # as the spec names it
    with open_destination(url, None) as destination:
        records = destination.client.records
        records.create_batch(
            "people",
            [
                {
                    "id": EXISTING_PERSON,
                    "name": {"firstName": "Kept", "lastName": "Here"},
                    "emails": {"primaryEmail": str(contact.get("email")).lower()},
                }
            ],
        )
        records.create_batch(
            "companies",
            [
                {
                    "id": DELETED_COMPANY,
                    "name": "Old name",
                    "domainName": {"primaryLinkUrl": domain_of(str(account.get("short_id")))},
                }
            ],
        )
        records.delete_many("companies", [DELETED_COMPANY])
    return root


def _sensitive_values(project: Path) -> set[str]:
    """Every contact name and email of the bundle (sensitive in the fake mapper)."""
    found: set[str] = set()
    for row in open_bundle("oplacrm", project / "data").read("contacts"):
        for name in ("first_name", "last_name", "email"):
            value = row.get(name)
            if isinstance(value, str) and len(value) >= 4:
                found.update({value, value.lower()})
    return found


def _views(result: PlanResult, path: Path, mermaid: str) -> dict[str, str]:
    sha = plan_file_sha256(path)
    return {
        fmt: "".join(
            render_plan(
                fmt,
                result.header,
                iter_record_changes(path),
                plan_sha256=sha,
                mermaid=mermaid,
                outcomes=iter_plan_outcomes(path),
            )
        )
        for fmt in PLAN_FORMATS
    }


def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((REPO_ROOT / "schemas" / "plan.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def test_views_of_a_real_plan_show_every_change_count_and_warning(project: Path) -> None:
    path = project / "p.plan"
    result = plan(project / "migration.yaml", environ={}, out=path, mapper_factory=FakeMapper)
    header = result.header
    views = _views(result, path, graph(project / "migration.yaml", environ={}))
    counts = {c.mapping: c for c in header.counts}
    assert counts["people"].merge == 1 and counts["companies"].restore == 1
    assert header.schema_changes

    doc: dict[str, Any] = json.loads(views["json"])
    _validator().validate(doc)
    for mapping, tally in counts.items():
        for action in (Action.CREATE, Action.MERGE, Action.RESTORE):
            listed = [
                c
                for c in doc["record_changes"]
                if c["mapping"] == mapping
                and c["actions"] == [action.value]
                and c["phase"] == f"mapping.{mapping}"
            ]
            assert len(listed) == getattr(tally, action.value), (mapping, action)
        row = next(
            line for line in views["markdown"].splitlines() if line.startswith(f"| `{mapping}` |")
        )
        assert row.startswith(
            f"| `{mapping}` | {tally.twenty_object} | {tally.source:,} | {tally.create:,} | "
            f"{tally.update:,} | {tally.merge:,} | {tally.restore:,} |"
        )
    for change in header.schema_changes:
        assert change.address in views["text"]
        assert f"`{change.address}`" in views["markdown"]
    assert [c["address"] for c in doc["header"]["schema_changes"]] == [
        c.address for c in header.schema_changes
    ]
    for warning in header.warnings:
        assert f"Warning: {warning.code}" in views["text"]
        assert f"**`{warning.code}`**" in views["markdown"]
    assert [w["code"] for w in doc["header"]["warnings"]] == [w.code for w in header.warnings]
    assert " <= record.people[" in views["text"]
    assert "  ^ record.companies[" in views["text"]
    assert "```mermaid\nflowchart" in views["markdown"]
    assert "sandbox:.migrator/sandbox.db" in views["markdown"]
    assert str(project) not in views["markdown"]


def test_no_contact_name_or_email_in_any_view_or_the_plan_file(project: Path) -> None:
    path = project / "p.plan"
    result = plan(project / "migration.yaml", environ={}, out=path, mapper_factory=FakeMapper)
    views = _views(result, path, graph(project / "migration.yaml", environ={}))
    views["plan file"] = gzip.decompress(path.read_bytes()).decode("utf-8")
    secrets = _sensitive_values(project)
    assert len(secrets) > 100
    for where, text in views.items():
        leaked = sorted(s for s in secrets if s in text)
        assert leaked == [], f"{where} shows {len(leaked)} sensitive values"


@pytest.fixture
def cli_mapper(monkeypatch: pytest.MonkeyPatch) -> None:
    """``migrator plan`` finds the planner's stand-in mapper where the real one will live."""
    monkeypatch.setattr(mapping_package, "Mapper", FakeMapper, raising=False)


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    code = exited.value.code
    assert isinstance(code, int)
    return code, out, err


@pytest.mark.usefixtures("cli_mapper")
def test_cli_plan_formats(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    code, out, err = _cli(
        ["plan", "migration.yaml", "-o", "p.plan", "--format", "markdown"], capsys
    )
    assert code == 0, err
    sha = plan_file_sha256(project / "p.plan")
    assert out.startswith("## migrator plan: `fake-plan`")
    assert f"Plan file sha256: `{sha}`" in out
    assert "```mermaid" in out
    assert f"Saved the plan to p.plan (sha256 {sha})." in err

    code, out, _ = _cli(["plan", "migration.yaml", "--format", "json"], capsys)
    doc = json.loads(out)
    _validator().validate(doc)
    assert doc["plan_sha256"] is None
    assert sorted(p.name for p in project.iterdir()) == [
        ".migrator",
        "data",
        "migration.yaml",
        "p.plan",
    ]

    code, out, _ = _cli(["plan", "migration.yaml", "--detailed-exitcode"], capsys)
    assert code == 2
    assert "\x1b[" not in out
    assert out.splitlines()[-1].startswith("Plan: ")
    assert " <= record.people[" in out
