"""A sandbox served in its own process on loopback (``migrator sandbox serve``), for tests and
benches that kill or measure the client side without touching the server."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class ServedProcess:
    """A served sandbox: its URL, workspace id and API key."""

    url: str
    workspace_id: str
    api_key: str
    process: subprocess.Popen[str]


@contextmanager
def serve_sandbox(db: Path, flags: Sequence[str] = ()) -> Iterator[ServedProcess]:
    """Run ``migrator sandbox serve --db DB`` until the block ends (then stop it)."""
    command = [sys.executable, "-m", "migrator", "sandbox", "serve", "--db", str(db), *flags]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIGRATOR_", "TWENTY_"))}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    try:
        found: dict[str, str] = {}
        deadline = time.monotonic() + START_TIMEOUT_S
        assert process.stdout is not None
        while len(found) < 3 and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            for key, pattern in (
                ("url", r"listening on (\S+)"),
                ("workspace", r"Workspace id: (\S+)"),
                ("key", r"API key: (\S+)"),
            ):
                match = re.search(pattern, line)
                if match:
                    found[key] = match.group(1)
        if len(found) < 3:
            raise RuntimeError("the sandbox did not start")
        yield ServedProcess(found["url"], found["workspace"], found["key"], process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
