"""Files readable by their owner only.

Every file migrator creates (state, plan, audit log, error log, reports, the sandbox database) goes
through these helpers, so it is created with mode 0600 (directories 0700) from the first byte:
the mode is set at ``open`` time, never fixed up afterwards.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

FILE_MODE = 0o600
DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) with mode 0700 if missing; return it."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    return path


def create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (e.g. before SQLite opens it)."""
    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)


@contextlib.contextmanager
def open_private(path: Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[str]]:
    """Open ``path`` for writing or appending text, creating it with mode 0600.

    ``mode`` is ``"w"`` (truncate) or ``"a"`` (append).
    """
    if mode not in ("w", "a"):
        raise ValueError("open_private supports the modes 'w' and 'a'")
    ensure_private_dir(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if mode == "w" else os.O_APPEND)
    fd = os.open(path, flags, FILE_MODE)
    with os.fdopen(fd, mode, encoding=encoding) as handle:
        yield handle


def write_private_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (write a 0600 temp file, fsync, rename)."""
    ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
