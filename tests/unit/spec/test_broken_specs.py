"""The broken-spec corpus: each file has one mistake and declares the diagnostic it must give.

Every ``tests/data/specs/broken/*.yaml`` starts with ``# expect: LINE:COL: error: MESSAGE`` and
``# hint: HINT`` (or ``(none)``), written by hand from the mistake, not recorded from output.
``migrator validate`` must exit 1 and print exactly that one diagnostic, and no traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.cli import main
from tests.conftest import DATA_DIR

SPECS = DATA_DIR / "specs"
BROKEN = sorted((SPECS / "broken").glob("*.yaml"))


def _declared(path: Path) -> tuple[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# expect: "), f"{path.name} declares no expectation"
    assert lines[1].startswith("# hint: "), f"{path.name} declares no hint line"
    hint = lines[1].removeprefix("# hint: ")
    return lines[0].removeprefix("# expect: "), "" if hint == "(none)" else hint


def _validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    with pytest.raises(SystemExit) as exited:
        main(["validate", str(path)])
    captured = capsys.readouterr()
    code = exited.value.code
    assert isinstance(code, int)
    return code, captured.out.splitlines(), captured.out + captured.err


def test_corpus_is_large_enough() -> None:
    assert len(BROKEN) >= 30


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_spec_gives_exactly_its_declared_diagnostic(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expect, hint = _declared(path)
    code, lines, everything = _validate(path, capsys)
    expected = f"{path}:{expect}" + (f" (hint: {hint})" if hint else "")
    assert "Traceback" not in everything
    assert code == 1
    assert lines == [expected, f"{path}: invalid (1 error)"]


def test_base_of_the_corpus_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    path = SPECS / "valid" / "base.yaml"
    code, lines, _ = _validate(path, capsys)
    assert (code, lines) == (0, [f"{path}: valid (no problems found)"])
