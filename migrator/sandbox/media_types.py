"""The media type Twenty stores for an uploaded file: from its bytes, else its name's extension.

Twenty's ``uploadFilesFieldFile`` (``extractFileInfo`` in
``packages/twenty-server/src/engine/core-modules/file/utils/extract-file-info.utils.ts``, the code
whose storage layout capture 69 shows) detects the type from the content's magic numbers
(``file-type``); when nothing is detected it looks the file name's extension up (``mrmime``), and
a name without a known extension gives ``application/octet-stream``. The part's own
``Content-Type`` is not what decides (some versions take it as a declared hint only), so a
client that sends every file as ``application/octet-stream`` still gets ``image/png`` for a PNG.
The sandbox detects the formats a CRM export carries (the generators' PDF, PNG, JPEG and DICOM
among them) and knows their extensions; upstream's refusal of a file whose content contradicts a
detectable extension is not modelled (docs/gotchas.md).
"""

from __future__ import annotations

from pathlib import PurePosixPath

OCTET_STREAM = "application/octet-stream"

#: Leading bytes -> media type, tried in order.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"PK\x03\x04", "application/zip"),
)
_DICOM_OFFSET = 128
"""A DICOM file has a 128-byte preamble, then ``DICM``."""

#: Extension (lower case, no dot) -> media type, for content nothing above detects.
_BY_EXTENSION: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "dcm": "application/dicom",
    "txt": "text/plain",
    "csv": "text/csv",
    "md": "text/markdown",
    "html": "text/html",
    "json": "application/json",
    "xml": "application/xml",
    "zip": "application/zip",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def sniffed(content: bytes) -> str | None:
    """The media type the bytes themselves show, or None."""
    for magic, media_type in _MAGIC:
        if content.startswith(magic):
            if media_type == "application/zip":
                return None  # Office files are zips too: the extension says which
            return media_type
    if content[_DICOM_OFFSET : _DICOM_OFFSET + 4] == b"DICM":
        return "application/dicom"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def stored_media_type(content: bytes, filename: str) -> str:
    """What Twenty records as the file's ``mimeType`` (module doc)."""
    found = sniffed(content)
    if found is not None:
        return found
    extension = PurePosixPath(filename).suffix.lstrip(".").lower()
    return _BY_EXTENSION.get(extension, OCTET_STREAM)
