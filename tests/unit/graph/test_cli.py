"""``migrator graph``: prints the graph of a spec, and a cycle or a bad target as a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.cli import main
from tests.conftest import REPO_ROOT

EXAMPLE = str(REPO_ROOT / "examples" / "oplacrm" / "migration.yaml")


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    code = exited.value.code
    assert isinstance(code, int)
    return code


def test_graph_prints_mermaid_by_default_and_dot_on_request(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run(["graph", EXAMPLE]) == 0
    mermaid = capsys.readouterr().out
    assert mermaid.startswith("flowchart TD\n")
    assert '"link.companies.oplaParentCompany"' in mermaid
    assert _run(["graph", EXAMPLE, "--format", "dot", "--target", "people"]) == 0
    dot = capsys.readouterr().out
    assert dot.startswith("digraph migration {")
    assert '"mapping.people"' in dot and '"mapping.opportunities"' not in dot


def test_graph_with_an_unknown_target_exits_1_naming_the_mappings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run(["graph", EXAMPLE, "--target", "leads"]) == 1
    err = capsys.readouterr().err
    assert "Error: --target names no mapping of this spec: leads" in err
    assert "companies, files, invoices" in err


def test_graph_of_a_spec_with_an_unbreakable_cycle_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = """\
version: 1
name: demo
source: {system: oplacrm, bundle: ./data, timezone: Asia/Ho_Chi_Minh, currency: VND}
destination: {url: "sandbox:sandbox.db"}
provenance: {created_by: Demo import}
objects:
  companies:
    from: accounts
    to: company
    fields:
      name: name
      accountOwner: {ref: people, by: owner_id}
  people:
    from: contacts
    to: person
    fields:
      company: {ref: companies, by: account_id}
"""
    Path("cycle.yaml").write_text(spec, encoding="utf-8")
    assert _run(["graph", "cycle.yaml"]) == 1
    err = capsys.readouterr().err
    assert "cycle" in err and "deferred" in err
