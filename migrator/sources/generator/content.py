"""Synthetic attachment bytes: small files with the right magic numbers, and one oversized file
on demand.

Content is random bytes after a format header, so files are distinct and deterministic; nothing
in them is a real document or image. The oversized file repeats one random block to reach its
size quickly; it is only ever written when the caller asks for it.
"""

from __future__ import annotations

from migrator.sources.generator.randomness import Rng

#: Extension -> (MIME type, header bytes).
KINDS: dict[str, tuple[str, bytes]] = {
    "pdf": ("application/pdf", b"%PDF-1.4\n% synthetic test document\n"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
    "dcm": ("application/dicom", b"\x00" * 128 + b"DICM"),
    "txt": ("text/plain", b"synthetic note\n"),
}


def small_file(rng: Rng, extension: str, *, low: int = 16, high: int = 3072) -> bytes:
    """A synthetic file of ``low``..``high`` bytes (header included)."""
    header = KINDS[extension][1]
    size = rng.between(low, high)
    return header + rng.bytes(max(size - len(header), 1))


def large_file(rng: Rng, extension: str, size: int) -> bytes:
    """A synthetic file of exactly ``size`` bytes (at least the header)."""
    header = KINDS[extension][1]
    block = rng.bytes(65_536)
    body_size = max(size - len(header), 0)
    repeats, rest = divmod(body_size, len(block))
    return header + block * repeats + block[:rest]


def mime_type(extension: str) -> str:
    """The MIME type generated files of ``extension`` declare."""
    return KINDS[extension][0]
