"""A sandbox served in its own process for the throughput benches, and draining its bucket.

Benches measure a client against a sandbox that does not share its interpreter (DESIGN.md,
Performance), starting from an empty bucket so the initial burst of 100 does not count.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx


def start_sandbox(db: Path | None, *serve_args: str) -> tuple[subprocess.Popen[str], str, str]:
    """``migrator sandbox serve --port 0 --db DB SERVE_ARGS…`` in a child process (no ``--db``
    for None: the sandbox keeps its data in memory).

    Returns the process, its URL and its API key (read from what it prints).
    """
    command = [sys.executable, "-m", "migrator", "sandbox", "serve", "--port", "0"]
    command += ["--db", str(db)] if db is not None else []
    process = subprocess.Popen([*command, *serve_args], stdout=subprocess.PIPE, text=True)
    url = key = ""
    assert process.stdout is not None
    for line in process.stdout:
        if match := re.match(r"Sandbox listening on (\S+)", line):
            url = match.group(1)
        elif line.startswith("API key: "):
            key = line.split(": ", 1)[1].strip()
        if url and key:
            return process, url, key
    raise SystemExit("the sandbox did not start")


def drain(url: str, key: str, threads: int) -> float:
    """Spend the bucket's burst with concurrent one-row reads until the sandbox answers 429.

    Returns the seconds it took.
    """
    stop = threading.Event()
    with httpx.Client(
        base_url=url,
        headers={"Authorization": f"Bearer {key}"},
        limits=httpx.Limits(max_connections=threads),
        timeout=60.0,
    ) as http:

        def hammer() -> None:
            while not stop.is_set():
                if http.get("/rest/companies", params={"limit": "1"}).status_code == 429:
                    stop.set()

        workers = [threading.Thread(target=hammer) for _ in range(threads)]
        started = time.monotonic()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    return time.monotonic() - started
