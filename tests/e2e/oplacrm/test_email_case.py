"""An email written with capitals is sent as Twenty stores it, so nothing drifts afterwards.

Twenty lower-cases every address on write (twenty-api.md §3). A contact exported as
``Quang.Nguyen@…`` must be planned as ``quang.nguyen@…``: otherwise ``verify`` reports a
difference on every such person after a clean apply, and ``plan --refresh`` plans an update
that writes the capitals back, forever.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.project import apply_example, run_cli, sandbox_http
from tests.e2e.sources import rewrite_jsonl

CONTACT = 0
"""The first contact of the example bundle (its email is unique there)."""


def _capitalise_first_email(root: Path) -> None:
    data = root / "data"
    rows = [json.loads(line) for line in (data / "contacts.jsonl").read_text().splitlines()]
    local, domain = str(rows[CONTACT]["email"]).split("@")
    rows[CONTACT]["email"] = f"{local.title()}@{domain.upper()}"
    rewrite_jsonl(data, "contacts", rows)


def test_a_capitalised_email_is_written_lower_case_and_verifies_without_drift(
    tmp_path: Path,
) -> None:
    applied = apply_example("oplacrm", tmp_path, prepare=_capitalise_first_email)
    assert applied.replan_run.exit_code == 0, applied.replan_run.output[-2000:]
    row = json.loads((applied.root / "data" / "contacts.jsonl").read_text().splitlines()[CONTACT])
    assert any(c.isupper() for c in row["email"])
    with sandbox_http(applied.root) as http:
        people = http.get("/rest/people", params={"limit": 200}).json()["data"]["people"]
    (person,) = [p for p in people if p["migrationSourceId"] == f"oplacrm:contacts:{row['id']}"]
    assert person["emails"]["primaryEmail"] == row["email"].lower()
    verify = run_cli(applied.root, "verify", "migration.yaml")
    assert verify.exit_code == 0, verify.output[-2000:]
    refresh = run_cli(applied.root, "plan", "migration.yaml", "--refresh", "--detailed-exitcode")
    assert refresh.exit_code == 0, refresh.output[-2000:]
