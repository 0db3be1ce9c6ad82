"""The README's tour, run as written: every command copy-pasteable, and the data it leaves.

The ``sh`` block under "## A short tour" is read from README.md and each line is run with bash,
as a user would paste it (the tour's folder, ``/tmp/oplacrm-tour``, moved under this test's
temporary folder). ``migrator`` and ``python3`` resolve to the running interpreter's virtualenv,
as they do after the README's set-up command. Between the steps the test reads what the sandbox
and the state hold: the applied records, the contact the delta changed, and an empty
migration after destroy.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from migrator.state import open_sqlite_state
from tests.conftest import REPO_ROOT
from tests.e2e.project import sandbox_http

pytestmark = pytest.mark.slow
TOUR_DIR = "/tmp/oplacrm-tour"


def tour_lines() -> list[str]:
    """The commands of the README's tour, comments stripped, in order."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A short tour", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "README.md: the tour has no sh block"
    lines = [line.split("  #", 1)[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line]


def _run(line: str, cwd: Path, tour: Path) -> str:
    bin_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIGRATOR_", "TWENTY_"))}
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    command = line.replace(TOUR_DIR, str(tour))
    done = subprocess.run(
        ["bash", "-e", "-c", command], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, f"`{line}` exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout


def _people(http: httpx.Client) -> dict[str, dict[str, object]]:
    """The sandbox's people that migrator wrote, by their source key."""
    rows = http.get("/rest/people", params={"limit": 200}).json()["data"]["people"]
    return {str(p["migrationSourceId"]): p for p in rows if p.get("migrationSourceId")}


def test_the_readme_tour_runs_as_written_and_leaves_the_workspace_as_it_was(
    tmp_path: Path,
) -> None:
    lines = tour_lines()
    assert lines[0].startswith(f"cp -r examples/oplacrm {TOUR_DIR} && cd {TOUR_DIR}")
    steps = [line.split()[1] if line.startswith("migrator") else line for line in lines[1:]]
    expected = ["init", "validate", "validate", "audit", "plan", "apply", "verify"]
    assert steps[:7] == expected
    assert steps[-3:] == ["delta", "report", "destroy"]
    tour = tmp_path / "oplacrm-tour"
    _run(lines[0].split(" && cd ", 1)[0], REPO_ROOT, tour)
    outputs = {}
    for line in lines[1:]:
        outputs[line] = _run(line, tour, tour)
        if line.startswith("migrator verify"):
            with sandbox_http(tour) as http:
                applied = _people(http)
        if line.startswith("migrator delta"):
            with sandbox_http(tour) as http:
                after_delta = _people(http)
    contact = json.loads((tour / "data" / "contacts.jsonl").read_text().splitlines()[0])
    key = f"oplacrm:contacts:{contact['id']}"
    assert applied[key]["jobTitle"] != "Giám đốc kinh doanh"
    assert after_delta[key]["jobTitle"] == "Giám đốc kinh doanh"
    assert sum(p["jobTitle"] != applied[k]["jobTitle"] for k, p in after_delta.items()) == 1
    assert "balanced" in (tour / "handoff.md").read_text(encoding="utf-8")
    with sandbox_http(tour) as http:
        assert _people(http) == {}
    with open_sqlite_state(tour / ".migrator" / "oplacrm-to-twenty.state.db") as store:
        assert list(store.records()) == []
