"""A private temporary spool of Python values, for work a later phase picks up.

Second-pass links and note/task targets are discovered while their records' mapping runs but
planned in their own, later phases; a mapping of a million records may have as many, so they
wait on disk, not in memory. The file is created 0600 by :mod:`tempfile`, holds only this
process's own pickles (never data from elsewhere), is read back once in order, and is removed
when read or discarded.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


class Spool:
    """Append values, then read them back once, in order."""

    def __init__(self, directory: Path | None = None) -> None:
        fd, name = tempfile.mkstemp(prefix=".plan-phase-", suffix=".pickle", dir=directory)
        self.path = Path(name)
        self._file: IO[bytes] = os.fdopen(fd, "wb")
        self.count = 0

    def append(self, value: Any) -> None:
        """Add one value."""
        pickle.dump(value, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def drain(self) -> Iterator[Any]:
        """Every value in the order appended; the spool is removed afterwards."""
        self._file.close()
        try:
            with self.path.open("rb") as handle:
                for _ in range(self.count):
                    yield pickle.load(handle)
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the spool without reading it."""
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)
