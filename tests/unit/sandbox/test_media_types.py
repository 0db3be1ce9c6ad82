"""The media type the sandbox stores for an upload is Twenty's: the bytes first, then the name."""

from __future__ import annotations

import pytest

from migrator.sandbox.media_types import OCTET_STREAM, stored_media_type


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"%PDF-1.4\n% synthetic", "consent.pdf", "application/pdf"),
        (b"\x89PNG\r\n\x1a\nrest", "xray.png", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "photo.jpg", "image/jpeg"),
        (b"\x00" * 128 + b"DICMrest", "xray.dcm", "application/dicom"),
        (b"GIF89a....", "chart.gif", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "photo.webp", "image/webp"),
    ],
)
def test_the_bytes_decide(content: bytes, name: str, expected: str) -> None:
    assert stored_media_type(content, name) == expected
    # a wrong or missing extension does not change what the content shows
    assert stored_media_type(content, "upload.bin") == expected
    assert stored_media_type(content, "upload") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("notes.txt", "text/plain"),
        ("rows.CSV", "text/csv"),
        ("letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("scan.dcm", "application/dicom"),
        ("data.unknown", OCTET_STREAM),
        ("no-extension", OCTET_STREAM),
    ],
)
def test_undetected_content_falls_back_to_the_extension(name: str, expected: str) -> None:
    assert stored_media_type(b"synthetic text\n", name) == expected


def test_an_office_file_is_a_zip_named_by_its_extension() -> None:
    content = b"PK\x03\x04" + bytes(40)
    assert stored_media_type(content, "sheet.xlsx").endswith("spreadsheetml.sheet")
    assert stored_media_type(content, "bundle.zip") == "application/zip"
