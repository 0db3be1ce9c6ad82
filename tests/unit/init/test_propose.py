"""``migrator init`` proposes a spec that validates as written and guesses like a reviewer would.

The agreement test compares the proposal with the committed example spec of each system: for
every custom field the example provisions from one source path (a path, ``from``, a reference's
``by`` or an owner), the proposal's field for the same Twenty object and path must have the same
type. It fails below 80%.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migrator import workflows
from migrator.errors import UsageError
from migrator.init.propose import Proposal
from migrator.spec.models import FieldMapping, MigrationSpec, as_value_spec
from migrator.spec.validation import load_spec
from tests.conftest import REPO_ROOT
from tests.integration.preflight.workspace import make_example

SYSTEMS = ("oplacrm", "aeronaclinic")


@pytest.fixture(scope="module", params=SYSTEMS)
def proposed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path, Proposal]:
    system: str = request.param
    folder = tmp_path_factory.mktemp(system)
    make_example(folder, system, records=800, seed=21)
    out = folder / "proposed" / "migration.yaml"
    out.parent.mkdir()
    return system, out, workflows.init(system, folder / "data", out=out)


def _source_path(raw: FieldMapping) -> str | None:
    if isinstance(raw, dict):
        first = next(iter(raw.values()))
        value = as_value_spec(first)
    else:
        value = as_value_spec(raw)
    return value.from_ or value.by or value.owner


def agreement(example: MigrationSpec, proposal: Proposal) -> tuple[int, int, list[str]]:
    """(agreeing, compared, misses) over the example's single-path custom fields."""
    proposed = {(f.object, f.path): f.type for f in proposal.fields}
    compared = agreeing = 0
    misses: list[str] = []
    for mapping in example.objects.values():
        section = example.schema_.get(mapping.to)
        for name, raw in mapping.fields.items():
            declared = section.fields.get(name) if section else None
            path = _source_path(raw)
            if declared is None or path is None:
                continue
            compared += 1
            if proposed.get((mapping.to, path)) == declared.type.value:
                agreeing += 1
            else:
                misses.append(f"{mapping.to}.{name} ({path}): {declared.type.value}")
    return agreeing, compared, misses


def test_the_proposal_validates_as_written(proposed: tuple[str, Path, Proposal]) -> None:
    _, out, _ = proposed
    result = workflows.validate(out, environ={})
    assert result.is_valid, [d.render() for d in result.diagnostics]
    assert not list(result.diagnostics), "not even a warning"
    assert out.stat().st_mode & 0o777 == 0o600


def test_guessed_types_agree_with_the_example(proposed: tuple[str, Path, Proposal]) -> None:
    system, _, proposal = proposed
    example = load_spec(REPO_ROOT / "examples" / system / "migration.yaml", environ={}).spec
    agreeing, compared, misses = agreement(example, proposal)
    assert compared >= 30
    assert agreeing / compared >= 0.8, misses


def test_every_guess_carries_a_comment(proposed: tuple[str, Path, Proposal]) -> None:
    _, out, proposal = proposed
    lines = out.read_text(encoding="utf-8").splitlines()
    for item in proposal.fields:
        if not item.guessed:
            continue
        at = next(
            i
            for i, line in enumerate(lines)
            if re.match(rf"^      {item.name}:", line)
            and "fields:" in "".join(lines[max(0, i - 400) : i])
        )
        comment = lines[at - 1].strip()
        assert comment.startswith("# guess: ") and "confidence" in comment, (item, comment)
        assert 0 < item.confidence <= 1


def test_the_bundle_path_is_relative_to_the_spec(proposed: tuple[str, Path, Proposal]) -> None:
    _, out, _ = proposed
    spec = load_spec(out, environ={}).spec
    assert spec.source.bundle == "../data"
    assert (out.parent / spec.source.bundle / "manifest.json").exists()


def test_the_standard_map_is_used(proposed: tuple[str, Path, Proposal]) -> None:
    system, out, _ = proposed
    spec = load_spec(out, environ={}).spec
    targets = {m.from_: m.to for m in spec.objects.values()}
    if system == "oplacrm":
        assert targets["accounts"] == "company" and targets["contacts"] == "person"
        name = as_value_spec(spec.objects["invoices"].fields["name"])  # type: ignore[arg-type]
        assert name.from_ == "invoice_number"
        assert [t.prefix for t in name.transforms] == ["opla_"]  # type: ignore[union-attr]
        stage = as_value_spec(spec.objects["opportunities"].fields["stage"])  # type: ignore[arg-type]
        assert stage.map is not None and set(stage.map.values()) <= {
            "NEW",
            "SCREENING",
            "MEETING",
            "PROPOSAL",
            "CUSTOMER",
            "LOST",
        }
        assert {"CUSTOMER", "LOST"} <= set(stage.map.values())
        assert spec.skip["automations"].inventory
    else:
        assert targets["patients"] == "person" and targets["appointments"] == "opportunity"
        assert spec.objects["patients"].on_source_delete == "flag"
        assert "nhsNumber" in spec.objects["patients"].fields
        assert spec.skip["recall_rules"].inventory and "care_plans" in spec.skip


def test_init_never_overwrites(tmp_path: Path) -> None:
    make_example(tmp_path, "oplacrm", records=200, seed=3)
    out = tmp_path / "spec.yaml"
    out.write_text("hand-edited\n", encoding="utf-8")
    with pytest.raises(UsageError, match="already exists"):
        workflows.init("oplacrm", tmp_path / "data", out=out)
    assert out.read_text(encoding="utf-8") == "hand-edited\n"
    first = workflows.init("oplacrm", tmp_path / "data", out=out, force=True).text
    again = workflows.init("oplacrm", tmp_path / "data").text
    assert first.splitlines()[3:] == again.splitlines()[3:], "deterministic apart from the path"
