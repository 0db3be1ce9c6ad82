"""The pull-request comment the CI example posts stays within GitHub's 65,536-character limit.

The comment is the Markdown plan (at most :data:`~migrator.render.markdown.MARKDOWN_LIMIT`)
plus a title, the plan file's digest and the audit report; the audit report gets only the room
that is left. The ``Post or update the plan comment`` script of ``examples/ci/migration.yml`` is
run here, as written, by node with a stand-in for the GitHub client, on a plan summarised to its
limit (with characters that JavaScript counts twice) and an audit report far too long to fit.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from migrator.model import Action
from migrator.plan.model import PlanWarning
from migrator.render.markdown import MARKDOWN_LIMIT, comment_length, render_markdown
from tests.conftest import REPO_ROOT
from tests.unit.render.plans import change, sales_header

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

WORKFLOW = REPO_ROOT / "examples" / "ci" / "migration.yml"
GITHUB_LIMIT = 65_536

HARNESS = """
const fs = require('fs');
const script = fs.readFileSync(process.argv[2], 'utf8');
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const posted = [];
const issues = {
  listComments: 'listComments',
  createComment: async (args) => posted.push(args.body),
  updateComment: async (args) => posted.push(args.body),
};
const github = { paginate: async () => [], rest: { issues } };
const context = {
  runId: 42, repo: { owner: 'o', repo: 'r' }, payload: { pull_request: { number: 7 } },
};
new AsyncFunction('require', 'github', 'context', script)(require, github, context).then(() => {
  process.stdout.write(JSON.stringify(posted));
});
"""


def _comment_script() -> str:
    workflow: dict[str, Any] = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    for step in workflow["jobs"]["plan"]["steps"]:
        if step.get("name") == "Post or update the plan comment":
            return str(step["with"]["script"])
    raise AssertionError("the workflow has no comment step")


def _post(tmp_path: Path, plan_md: str, audit: str) -> str:
    (tmp_path / "plan.md").write_text(plan_md, encoding="utf-8")
    (tmp_path / "audit.txt").write_text(audit, encoding="utf-8")
    (tmp_path / "audit.status").write_text("1\n", encoding="utf-8")
    (tmp_path / "script.js").write_text(_comment_script(), encoding="utf-8")
    (tmp_path / "harness.js").write_text(HARNESS, encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin",
        "SPEC": "migrations/oplacrm/migration.yaml",
        "PLAN_SHA256": "a" * 64,
        "PLAN_CHANGES": "true",
        "HEAD_SHA": "b" * 40,
    }
    node = shutil.which("node")
    assert node is not None
    result = subprocess.run(
        [node, "harness.js", "script.js"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    posted: list[str] = json.loads(result.stdout)
    assert len(posted) == 1
    return posted[0]


def _largest_plan() -> str:
    """A Markdown plan summarised to its limit, with emoji (two UTF-16 units each)."""
    warnings = tuple(
        PlanWarning(code=f"w{n}", message="values like 🙂 need a look " * 4) for n in range(900)
    )
    header = sales_header().model_copy(update={"warnings": warnings})
    text = render_markdown(header, [change("people", "person", 1, Action.CREATE)])
    assert MARKDOWN_LIMIT - 2_000 < comment_length(text) <= MARKDOWN_LIMIT
    assert comment_length(text) > len(text)
    return text


def test_the_comment_fits_githubs_limit_with_the_audit_cut_at_a_line_end(tmp_path: Path) -> None:
    plan_md = _largest_plan()
    audit = "".join(f"record {n}: invalid email `x{n}`\n" for n in range(20_000))
    body = _post(tmp_path, plan_md, audit)
    assert comment_length(body) <= GITHUB_LIMIT
    assert body.startswith("<!-- migrator-plan: migrations/oplacrm/migration.yaml -->")
    assert plan_md in body  # the plan is whole
    assert "Plan file sha256: `" + "a" * 64 + "`" in body
    report = body[body.index("<summary>Audit report</summary>") :]
    assert "record 0: invalid email `x0`\n" in report
    assert "record 19999" not in report
    shown = [line for line in report.split("\n") if line.startswith("record ")]
    assert all(line.endswith("`") for line in shown)  # no line is cut in the middle
    assert report.endswith(
        "\n… cut here to fit the comment: the whole audit report is in the log of this run's "
        "Audit step.\n```\n</details>"
    )


def test_a_small_plan_and_audit_are_posted_whole(tmp_path: Path) -> None:
    plan_md = render_markdown(sales_header(), [])
    audit = "Summary: 3 records would be quarantined.\nrecord with ``` inside\n"
    body = _post(tmp_path, plan_md, audit)
    assert plan_md in body
    assert body.endswith(
        "\n````\nSummary: 3 records would be quarantined.\nrecord with ``` inside\n````\n</details>"
    )
    assert "cut here" not in body
