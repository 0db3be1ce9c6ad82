"""Syrupy extensions for plan renderings: one reviewable file per snapshot.

Text and Markdown plans are stored as ``.txt`` and ``.md`` files (read like the terminal or the
pull request would show them); JSON plans use syrupy's ``JSONSnapshotExtension``. Update them
only with ``pytest --snapshot-update`` and say so in the commit message.
"""

from __future__ import annotations

from syrupy.extensions.json import JSONSnapshotExtension
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode


class TextSnapshotExtension(SingleFileSnapshotExtension):
    """A text plan as a ``.txt`` file."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"


class MarkdownSnapshotExtension(SingleFileSnapshotExtension):
    """A Markdown plan as a ``.md`` file."""

    _write_mode = WriteMode.TEXT
    file_extension = "md"


__all__ = ["JSONSnapshotExtension", "MarkdownSnapshotExtension", "TextSnapshotExtension"]
