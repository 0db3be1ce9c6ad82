"""Uploaded files: stored in a folder beside the database, described in ``sandbox_files``.

A file database ``x.db`` keeps its files in ``x.db.files/`` (mode 0700, each file 0600); an
in-memory sandbox uses a temporary folder removed by :meth:`FileStore.close`. A file is deleted
with the last record that references it (twenty-api.md §9: destroy removes uploaded files); the
folder never holds a file the database does not list once a transaction has committed.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import uuid
from pathlib import Path
from typing import Any

from migrator.private_files import ensure_private_dir, write_private_atomic


class FileStore:
    """The files folder and its table rows."""

    def __init__(self, db_path: Path | None) -> None:
        if db_path is None:
            self.root = Path(tempfile.mkdtemp(prefix="migrator-sandbox-files-"))
            self._temporary = True
        else:
            self.root = ensure_private_dir(db_path.with_name(db_path.name + ".files"))
            self._temporary = False

    @staticmethod
    def url(file_id: str) -> str:
        """Where the sandbox serves the file (with the API key), as Twenty's signed URL path."""
        return f"/file/files-field/{file_id}"

    def save(
        self,
        conn: sqlite3.Connection,
        *,
        name: str,
        content: bytes,
        mime_type: str,
        field_id: str,
        workspace_id: str,
        now: str,
    ) -> dict[str, Any]:
        """Store ``content`` and return its row: ``id, path, size, createdAt, extension …``."""
        file_id = str(uuid.uuid4())
        extension = Path(name).suffix
        relative = f"files-field/{workspace_id}/{file_id}{extension}"
        write_private_atomic(self.root / relative, content)
        doc = {
            "id": file_id,
            "path": relative,
            "size": len(content),
            "createdAt": now,
            "name": name,
            "extension": extension,
            "mimeType": mime_type,
            "fieldMetadataId": field_id,
        }
        conn.execute(
            "INSERT INTO sandbox_files (id, doc) VALUES (?, ?)", (file_id, json.dumps(doc))
        )
        return doc

    @staticmethod
    def get(conn: sqlite3.Connection, file_id: str) -> dict[str, Any] | None:
        """The row of a file, or None."""
        row = conn.execute("SELECT doc FROM sandbox_files WHERE id = ?", (file_id,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def read(self, doc: dict[str, Any]) -> bytes:
        """The bytes of a stored file."""
        return (self.root / str(doc["path"])).read_bytes()

    @staticmethod
    def forget(conn: sqlite3.Connection, file_ids: set[str]) -> list[str]:
        """Delete the rows of ``file_ids``; return their paths for :meth:`unlink` after commit."""
        paths = []
        for file_id in sorted(file_ids):
            doc = FileStore.get(conn, file_id)
            if doc is not None:
                paths.append(str(doc["path"]))
                conn.execute("DELETE FROM sandbox_files WHERE id = ?", (file_id,))
        return paths

    def unlink(self, paths: list[str]) -> None:
        """Remove forgotten files from the folder."""
        for relative in paths:
            (self.root / relative).unlink(missing_ok=True)

    def close(self) -> None:
        """Remove the temporary folder of an in-memory sandbox."""
        if self._temporary:
            shutil.rmtree(self.root, ignore_errors=True)
