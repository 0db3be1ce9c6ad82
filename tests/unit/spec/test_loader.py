"""Every file-level problem of a YAML input is one positioned diagnostic, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.cli import main
from migrator.errors import SpecError
from migrator.spec.loader import MAX_NODES, load_yaml


def _write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def _only_diagnostic(path: Path, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(SpecError) as caught:
        load_yaml(path, environ=environ or {}, display_path=path.name)
    rendered = [d.render() for d in caught.value.diagnostics]
    assert len(rendered) == 1, rendered
    return rendered[0]


# (file name, content, expected diagnostic) — the expectation is declared, not recorded.
CASES: list[tuple[str, bytes | str, str]] = [
    (
        "syntax.yaml",
        "name: demo\nobjects: [a, b\n",
        "syntax.yaml:3:1: error: YAML syntax error: expected ',' or ']', but got '<stream end>'",
    ),
    (
        "mapping.yaml",
        "name: demo\n  bad: indent\n",
        "mapping.yaml:2:6: error: YAML syntax error: mapping values are not allowed here",
    ),
    ("empty.yaml", "", "empty.yaml:1:1: error: file is empty; expected a YAML mapping"),
    ("blank.yaml", "  \n\n", "blank.yaml:1:1: error: file is empty; expected a YAML mapping"),
    (
        "comments.yaml",
        "# only a comment\n",
        "comments.yaml:1:1: error: file has no content (only comments); expected a YAML mapping",
    ),
    (
        "binary.yaml",
        b"name: demo\nx: \x00\x01\x02\n",
        "binary.yaml:2:4: error: binary file (contains a NUL byte); expected UTF-8 YAML text",
    ),
    (
        "latin1.yaml",
        "name: demo\ncity: Hà Nội\n".encode("cp1258", errors="replace").replace(b"?", b"\xe0"),
        "latin1.yaml:2:8: error: not UTF-8 text (invalid byte 0xe0) (hint: save the file as UTF-8)",
    ),
    (
        "dupes.yaml",
        "name: demo\nsource:\n  system: oplacrm\n  system: aeronaclinic\n",
        "dupes.yaml:4:3: error: duplicate key 'system' "
        "(the mapping starting at line 3 has it twice)",
    ),
    (
        "tabs.yaml",
        "name: demo\nsource:\n\tsystem: oplacrm\n",
        "tabs.yaml:3:1: error: tab character in indentation; YAML indents with spaces only",
    ),
    (
        "tag.yaml",
        "name: demo\nkey: !python/object:os.system ls\n",
        "tag.yaml:2:6: error: unsupported YAML tag !python/object:os.system",
    ),
]


@pytest.mark.parametrize(("name", "content", "expected"), CASES, ids=[c[0] for c in CASES])
def test_load_yaml_reports_each_file_problem_as_one_positioned_diagnostic(
    tmp_path: Path, name: str, content: bytes | str, expected: str
) -> None:
    assert _only_diagnostic(_write(tmp_path, name, content)) == expected


def test_load_yaml_reports_a_missing_file(tmp_path: Path) -> None:
    assert _only_diagnostic(tmp_path / "absent.yaml") == (
        "absent.yaml:1:1: error: file not found (hint: check the path, relative to where you run)"
    )


def test_load_yaml_reports_a_directory(tmp_path: Path) -> None:
    folder = tmp_path / "spec.yaml"
    folder.mkdir()
    assert _only_diagnostic(folder) == "spec.yaml:1:1: error: is a directory, not a YAML file"


def test_load_yaml_refuses_a_very_large_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "big.yaml", "a: b\n" * 10)
    with pytest.raises(SpecError) as caught:
        load_yaml(path, environ={}, display_path="big.yaml", max_bytes=20)
    (diagnostic,) = list(caught.value.diagnostics)
    assert diagnostic.render().startswith(
        "big.yaml:1:1: error: file is too large (50 bytes; the limit is 20 bytes)"
    )


def test_load_yaml_stops_an_alias_bomb(tmp_path: Path) -> None:
    levels = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        levels.append(f"a{i}: &a{i} [{refs}]")
    path = _write(tmp_path, "bomb.yaml", "\n".join(levels) + "\n")
    rendered = _only_diagnostic(path)
    assert rendered.startswith("bomb.yaml:")
    assert f"document expands to more than {MAX_NODES} nodes through aliases" in rendered


def test_load_yaml_reports_every_unset_variable_with_its_position(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "env.yaml",
        "destination:\n  url: ${TWENTY_URL}\n  key_env: TWENTY_API_KEY\nname: ${NAME}\n",
    )
    with pytest.raises(SpecError) as caught:
        load_yaml(path, environ={}, display_path="env.yaml")
    assert [d.render() for d in caught.value.diagnostics] == [
        "env.yaml:2:8: error: environment variable TWENTY_URL is not set (used in "
        "destination.url) (hint: export TWENTY_URL=… or write ${TWENTY_URL:-default})",
        "env.yaml:4:7: error: environment variable NAME is not set (used in name) "
        "(hint: export NAME=… or write ${NAME:-default})",
    ]


def test_load_yaml_interpolates_values_and_defaults_but_not_keys(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "ok.yaml",
        "${KEY}: 1\nurl: ${URL:-sandbox:.migrator/sandbox.db}\nname: pre-${NAME}-post\n"
        "literal: $${NOT_A_VAR}\nempty: ${EMPTY:-fallback}\n",
    )
    document = load_yaml(path, environ={"NAME": "demo", "EMPTY": ""}, display_path="ok.yaml")
    assert document.data == {
        "${KEY}": 1,
        "url": "sandbox:.migrator/sandbox.db",
        "name": "pre-demo-post",
        "literal": "${NOT_A_VAR}",
        "empty": "fallback",
    }


def test_load_yaml_keeps_positions_of_keys_and_values(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "pos.yaml",
        "name: demo\nobjects:\n  companies:\n    from: accounts\n    fields: [name, {a: b}]\n",
    )
    document = load_yaml(path, environ={}, display_path="pos.yaml")
    assert document.position_of(("objects", "companies", "from")).line == 4
    assert document.position_of(("objects", "companies", "from")).column == 11
    key = document.position_of(("objects", "companies", "from"), key=True)
    assert (key.line, key.column) == (4, 5)
    item = document.position_of(("objects", "companies", "fields", 1, "a"))
    assert (item.line, item.column) == (5, 24)
    missing = document.position_of(("objects", "companies", "to"))
    assert (missing.line, missing.column) == (3, 3)


def test_load_yaml_returns_plain_data_with_string_keys_and_iso_dates(tmp_path: Path) -> None:
    path = _write(tmp_path, "plain.yaml", "2: two\nfalse: no\nwhen: 2024-05-01\nratio: 0.5\n")
    document = load_yaml(path, environ={}, display_path="plain.yaml")
    assert document.data == {"2": "two", "false": "no", "when": "2024-05-01", "ratio": 0.5}
    assert type(document.data["ratio"]) is float


def test_validate_cli_prints_the_diagnostic_and_exits_1_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, "dupes.yaml", "a: 1\na: 2\n")
    with pytest.raises(SystemExit) as exited:
        main(["validate", "dupes.yaml"])
    assert exited.value.code == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "dupes.yaml:2:1: error: duplicate key 'a' (the mapping starting at line 1 has it twice)",
        "dupes.yaml: invalid (1 error)",
    ]
    assert "Traceback" not in out + err


def test_load_yaml_resolves_merge_keys_with_positions_in_the_anchored_mapping(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "merge.yaml", "base: &b\n  x: 1\n  y: 2\nchild:\n  <<: *b\n  z: 3\n")
    document = load_yaml(path, environ={}, display_path="merge.yaml")
    assert document.data["child"] == {"z": 3, "x": 1, "y": 2}
    merged = document.position_of(("child", "x"))
    own = document.position_of(("child", "z"))
    assert (merged.line, merged.column, own.line, own.column) == (2, 6, 6, 6)
