"""A corrupt bundle gives one clear SourceError naming the file and line, before any planning."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.errors import SourceError
from migrator.sources.bundle import open_bundle
from tests.conftest import DATA_DIR

BUNDLES = DATA_DIR / "bundles"


@pytest.mark.parametrize(
    ("folder", "where", "problem"),
    [
        ("corrupt-sha256", "accounts.jsonl:", "sha256 does not match the manifest"),
        ("corrupt-truncated-line", "contacts.jsonl:3:", "truncated JSON line"),
        ("corrupt-non-utf8", "accounts.jsonl:2:", "not valid UTF-8"),
        ("corrupt-missing-file", "notes.jsonl:", "named in the manifest but missing"),
        ("corrupt-ragged-csv", "csv/contacts.csv:3:", "ragged CSV row: 11 cells"),
        ("corrupt-count", "accounts.jsonl:", "the manifest says 4 records, the file holds 3"),
        ("corrupt-attachment", "attachments/0c/", "does not match the sha256 in its name"),
    ],
)
def test_verify_names_the_file_and_line_of_the_first_problem(
    folder: str, where: str, problem: str
) -> None:
    bundle = open_bundle("oplacrm", BUNDLES / folder)
    with pytest.raises(SourceError) as caught:
        bundle.verify()
    summary = caught.value.summary
    assert summary.startswith("Corrupt source bundle: ")
    assert where in summary
    assert problem in summary
    assert "nothing was planned" in caught.value.hint


def test_the_intact_bundle_verifies() -> None:
    open_bundle("oplacrm", BUNDLES / "oplacrm-mini").verify()


@pytest.mark.parametrize(
    ("folder", "object_name", "fmt", "where"),
    [
        ("corrupt-truncated-line", "contacts", "jsonl", "contacts.jsonl:3:"),
        ("corrupt-non-utf8", "accounts", "jsonl", "accounts.jsonl:2:"),
        ("corrupt-ragged-csv", "contacts", "csv", "csv/contacts.csv:3:"),
        ("corrupt-missing-file", "notes", "jsonl", "notes.jsonl"),
    ],
)
def test_reading_a_damaged_file_raises_the_same_error_at_the_same_line(
    folder: str, object_name: str, fmt: str, where: str
) -> None:
    bundle = open_bundle("oplacrm", BUNDLES / folder)
    with pytest.raises(SourceError) as caught:
        list(bundle.read(object_name, fmt=fmt))  # type: ignore[arg-type]
    assert where in caught.value.summary


def test_corruption_messages_quote_no_record_content() -> None:
    for folder in ("corrupt-truncated-line", "corrupt-non-utf8", "corrupt-ragged-csv"):
        bundle = open_bundle("oplacrm", BUNDLES / folder)
        with pytest.raises(SourceError) as caught:
            bundle.verify()
        text = caught.value.summary + caught.value.detail
        for value in ("Bình", "Dũng", "Châu", "binh.tran", "909080808"):
            assert value not in text


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        ("[]", "must be a JSON object"),
        ('{"source": "oplacrm"}', "`schema_version` is missing"),
        ('{"source": "oplacrm", "schema_version": "1.0", "files": {}}', "`files` must be a list"),
        (
            '{"source": "oplacrm", "schema_version": "1.0", "files": [{"name": "../x.jsonl",'
            ' "object": "accounts", "records": 1, "sha256": "' + "0" * 64 + '"}]}',
            "relative path inside the bundle",
        ),
        (
            '{"source": "oplacrm", "schema_version": "1.0", "files": [{"name": "a.jsonl",'
            ' "object": "accounts", "records": 1, "sha256": "XYZ"}]}',
            "64 lower-case hex",
        ),
        ('{"source": "oplacrm", "schema_version": "2.0", "files": []}', "not supported"),
        ("{not json", "not valid UTF-8 JSON"),
    ],
)
def test_invalid_manifests_are_refused_when_opening(
    tmp_path: Path, manifest: str, problem: str
) -> None:
    (tmp_path / "manifest.json").write_text(manifest, encoding="utf-8")
    with pytest.raises(SourceError, match=problem.replace("(", r"\(")):
        open_bundle("oplacrm", tmp_path)
