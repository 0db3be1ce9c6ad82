"""Images embedded in a RICH_TEXT value become files to upload; anything else is left as written.

Also: a FILES upload carries the media type its row declares.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from migrator.mapping.inline_images import (
    as_in_bundle,
    embedded_images,
    media_type_of,
    rewrite_targets,
)
from migrator.mapping.model import FileRef
from tests.unit.mapping.helpers import run_all, setup, spec_document

PNG = b"\x89PNG\r\n\x1a\n synthetic x-ray"
BIG = b"\xff\xd8\xff" + bytes(2 * 1024 * 1024)


def _path(content: bytes, extension: str) -> str:
    digest = hashlib.sha256(content).hexdigest()
    return f"attachments/{digest[:2]}/{digest}.{extension}"


PNG_PATH, BIG_PATH = _path(PNG, "png"), _path(BIG, "jpg")
MISSING = "attachments/ab/" + "b" * 64 + ".png"


def _note(number: int, text: str) -> dict[str, Any]:
    return {"noteId": number, "patientId": 100, "createdAt": "2025-02-16T12:00:00+00:00",
            "noteType": "EXAMINATION", "text": text, "locked": False}  # fmt: skip


NOTES = [
    _note(1, f"Caries on 16.\n\n![X-ray]({PNG_PATH})\n\nAgain: ![same](<./{PNG_PATH}>)"),
    _note(2, "Seen at https://example.org/x.png ![remote](https://example.org/x.png)"),
    _note(3, f"![gone]({MISSING}) ![escape](../secrets.png) ![abs](file:///etc/x.png)"),
    _note(4, f'<img src="{BIG_PATH}"> too large; ![inline](data:image/png;base64,AAAA)'),
    _note(5, "No image here, only ![brackets] and (parentheses)."),
]
OBJECTS: dict[str, list[dict[str, Any]]] = {
    "patients": [{"patientId": 100, "forename": "Ann", "surname": "Lee"}],
    "clinical_notes": NOTES,
    "attachments": [
        {"attachmentId": 1, "patientId": 100, "fileName": "xray.png", "mimeType": "image/png",
         "sha256": hashlib.sha256(PNG).hexdigest(), "relativePath": PNG_PATH},
    ],
}  # fmt: skip
MAPPINGS: dict[str, Any] = {
    "patients": {"from": "patients", "to": "person",
                 "fields": {"name": {"firstName": "forename", "lastName": "surname"}}},
    "clinical_notes": {"from": "clinical_notes", "to": "note",
                       "fields": {"title": {"const": "Clinical note"}, "bodyV2": "text"}},
    "documents": {"from": "attachments", "to": "attachment",
                  "fields": {"name": "fileName", "file": {"file": "relativePath"}}},
}  # fmt: skip


def _run(tmp_path: Path) -> Any:
    document = spec_document("aeronaclinic", objects=MAPPINGS)
    document["destination"]["files"] = {"max_mb": 1}
    files = {PNG_PATH: PNG, BIG_PATH: BIG}
    _, mapper = setup(tmp_path, "aeronaclinic", OBJECTS, document, files=files)
    return run_all(mapper)


def test_bundle_images_become_inline_file_refs_once_each(tmp_path: Path) -> None:
    run = _run(tmp_path)
    note = run.record("clinical_notes", "1")
    digest = hashlib.sha256(PNG).hexdigest()
    assert note.files == (
        FileRef("bodyV2", PNG_PATH, len(PNG), digest, "X-ray", "image/png", inline=PNG_PATH),
        FileRef("bodyV2", PNG_PATH, len(PNG), digest, "same", "image/png", inline=f"./{PNG_PATH}"),
    )
    assert note.payload["bodyV2"] == {"markdown": NOTES[0]["text"]}  # written as the source has it
    assert not [f for f in run.findings("clinical_notes") if f.address == note.address]


def test_other_images_are_left_as_written_with_a_finding_without_the_target(
    tmp_path: Path,
) -> None:
    run = _run(tmp_path)
    findings = run.findings("clinical_notes")
    by_note: dict[str, list[str]] = {}
    for finding in findings:
        by_note.setdefault(finding.address.rsplit(":", 1)[1].rstrip("]"), []).append(finding.code)
        assert "example.org" not in finding.message and "attachments/" not in finding.message
        assert "secrets" not in finding.message
    assert by_note == {
        "2": ["inline_image_remote"],
        "3": ["inline_image_missing", "inline_image_outside_bundle", "inline_image_outside_bundle"],
        "4": ["inline_image_too_large"],
    }
    for number in (2, 3, 4, 5):
        record = run.record("clinical_notes", str(number))
        assert record.files == ()
        assert record.payload["bodyV2"] == {"markdown": NOTES[number - 1]["text"]}


def test_a_files_upload_carries_the_declared_media_type(tmp_path: Path) -> None:
    run = _run(tmp_path)
    (ref,) = run.record("documents", "1").files
    assert (ref.field, ref.media_type, ref.inline) == ("file", "image/png", "")


def test_image_syntax_found_and_rewritten_only_inside_image_links() -> None:
    text = (
        "See attachments/ab/x.png.\n![a](attachments/ab/x.png) ![b](<attachments/c d.jpg> 'T') "
        "<IMG alt='x' src='attachments/ab/x.png'> ![a again](attachments/ab/x.png)"
    )
    assert [(i.target, i.alt) for i in embedded_images(text)] == [
        ("attachments/ab/x.png", "a"),
        ("attachments/c d.jpg", "b"),
    ]
    urls = {"attachments/ab/x.png": "/file/files-field/1", "attachments/c d.jpg": "/f/2"}
    assert rewrite_targets(text, urls) == (
        "See attachments/ab/x.png.\n![a](/file/files-field/1) ![b](</f/2> 'T') "
        "<IMG alt='x' src='/file/files-field/1'> ![a again](/file/files-field/1)"
    )
    assert list(embedded_images("plain text, no images")) == []


def test_media_type_of_a_name() -> None:
    assert media_type_of("x.PNG") == "image/png"
    assert media_type_of("x.dcm") == "application/dicom"
    assert media_type_of("x.unknown") == "" and media_type_of("noext") == ""


def test_uploaded_links_compare_as_the_bundle_targets_they_replaced() -> None:
    refs = (
        FileRef("bodyV2", "attachments/a.png", 1, "", "a", "image/png", inline="attachments/a.png"),
        FileRef(
            "bodyV2", "attachments/b.png", 1, "", "b", "image/png", inline="./attachments/b.png"
        ),
    )
    first, second = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    stored = {
        "id": "x",
        "bodyV2": {
            "markdown": f"![a](http://crm.example/file/files-field/{first}) then "
            f"![b](/file/files-field/{second}) and ![a](http://crm.example/file/files-field/{first})",
            "blocknote": "[]",
        },
    }
    back = as_in_bundle(stored, refs)
    assert back["bodyV2"] == {
        "markdown": "![a](attachments/a.png) then ![b](./attachments/b.png) and "
        "![a](attachments/a.png)",
        "blocknote": "[]",
    }
    assert as_in_bundle(stored, ()) is stored
    edited = {"bodyV2": {"markdown": "edited in Twenty, image removed"}}
    assert as_in_bundle(edited, refs) == edited
