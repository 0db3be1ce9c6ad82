"""Every file migrator creates is readable by its owner only."""

from __future__ import annotations

import stat
from pathlib import Path

from migrator.private_files import create_private, open_private, write_private_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_helpers_create_0600_files_in_0700_directories(tmp_path: Path) -> None:
    target = tmp_path / "new" / "dir" / "state.db"
    create_private(target)
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700
    with open_private(tmp_path / "log.jsonl", "a") as handle:
        handle.write("{}\n")
    assert _mode(tmp_path / "log.jsonl") == 0o600
    write_private_atomic(tmp_path / "plan.json", b"{}\n")
    assert _mode(tmp_path / "plan.json") == 0o600
    assert (tmp_path / "plan.json").read_bytes() == b"{}\n"
    assert not list(tmp_path.glob(".plan.json.*"))
