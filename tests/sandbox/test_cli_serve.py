"""``migrator sandbox serve`` prints its URL and key, answers, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import REPO_ROOT


def test_serve_prints_url_and_key_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    members = tmp_path / "members.json"
    members.write_text(
        json.dumps([{"firstName": "Ada", "lastName": "L", "email": "ADA@x.example"}])
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "migrator",
            "sandbox",
            "serve",
            "--port",
            "0",
            "--members",
            str(members),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(4)]
        url = lines[0].rsplit(" ", 1)[-1]
        key = lines[2].split(": ", 1)[1]
        assert url.startswith("http://127.0.0.1:")
        answer = httpx.get(
            f"{url}/rest/workspaceMembers", headers={"Authorization": f"Bearer {key}"}, timeout=10
        )
        emails = [item["userEmail"] for item in answer.json()["data"]["workspaceMembers"]]
        assert emails == ["ada@x.example"]
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "Stopping the sandbox." in out
