"""``migrator examples generate`` and the committed example bundles it produced."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator.cli import cli
from migrator.cli.errors import run_with_error_handling
from migrator.sources.bundle import open_bundle
from tests.conftest import REPO_ROOT

#: How the committed examples were generated (their manifests record the same under `generator`).
EXAMPLES = {
    "oplacrm": ["--records", "500", "--seed", "7", "--csv", "--dirty-rate", "0.01"],
    "aeronaclinic": ["--records", "600", "--seed", "7", "--csv", "--dirty-rate", "0.01"],
}


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.name != "README.md"
    }


@pytest.mark.parametrize("system", sorted(EXAMPLES))
def test_regenerating_the_committed_example_gives_the_same_bytes(
    system: str, tmp_path: Path
) -> None:
    out = tmp_path / system
    result = CliRunner().invoke(cli, ["examples", "generate", system, *EXAMPLES[system],
                                      "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    committed = REPO_ROOT / "examples" / system / "data"
    assert tree(out) == tree(committed)
    open_bundle(system, committed).verify()


def test_cli_reports_counts_fingerprint_and_dirt(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    result = CliRunner().invoke(
        cli, ["examples", "generate", "oplacrm", "--records", "200", "--seed", "3", "--out",
              str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "oplacrm records in" in result.output
    assert "Fingerprint: sha256:" in result.output
    assert "Dirty data: " in result.output
    assert (out / "manifest.json").is_file()


def test_cli_force_replaces_only_a_generated_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bundle"
    args = ["examples", "generate", "aeronaclinic", "--records", "100", "--out", str(out)]
    assert run_with_error_handling(cli, args) == 0
    assert run_with_error_handling(cli, args) == 1
    assert "Error: Output folder is not empty" in capsys.readouterr().err
    assert run_with_error_handling(cli, [*args, "--force"]) == 0
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    capsys.readouterr()
    assert run_with_error_handling(cli, [*args[:-1], str(other), "--force"]) == 1
    assert "not a bundle this generator wrote" in capsys.readouterr().err
    assert (other / "notes.txt").read_text(encoding="utf-8") == "keep me"
