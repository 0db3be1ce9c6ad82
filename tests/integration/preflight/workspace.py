"""Builders for pre-flight tests: an example spec next to a generated bundle, edited as needed.

``make_example`` copies ``examples/<system>/migration.yaml`` into a folder and generates its
bundle into ``data/`` beside it (the spec's ``bundle: ./data``), so every test runs on the real
example spec against synthetic data. ``edit_spec`` changes the copy's text; ``rewrite_objects``
rewrites one JSON Lines file of the bundle and re-signs the manifest so it still verifies.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from migrator.sources.generator import GenerateResult, generate_bundle
from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples"


def make_example(
    folder: Path,
    system: str,
    *,
    records: int = 400,
    seed: int = 11,
    dirty_rate: float = 0.0,
    oversized_bytes: int | None = None,
) -> tuple[Path, GenerateResult]:
    """The example spec of ``system`` copied into ``folder``, with a generated bundle."""
    folder.mkdir(parents=True, exist_ok=True)
    spec = folder / "migration.yaml"
    spec.write_text((EXAMPLES / system / "migration.yaml").read_text(encoding="utf-8"), "utf-8")
    result = generate_bundle(
        system,
        folder / "data",
        records=records,
        seed=seed,
        dirty_rate=dirty_rate,
        oversized_attachment_bytes=oversized_bytes,
    )
    _write_sandbox_members(folder, system)
    return spec, result


def _write_sandbox_members(folder: Path, system: str) -> None:
    """The spec's ``destination.sandbox.members`` file for this generated bundle: its active
    users, without the planted alumni account (whose records must wait in the owner queue),
    plus the members the committed example invites who are no source user (its fallback owner).
    """
    members = []
    for user in read_objects(folder / "data", "users"):
        if user.get("active") and not user["email"].endswith("@alumni.example.net"):
            first = user.get("first_name", user.get("forename"))
            last = user.get("last_name", user.get("surname"))
            members.append({"firstName": first, "lastName": last, "email": user["email"]})
    example = EXAMPLES / system
    example_users = {user["email"] for user in read_objects(example / "data", "users")}
    committed = json.loads((example / "workspace-members.json").read_text(encoding="utf-8"))
    members += [m for m in committed if m["email"] not in example_users]
    (folder / "workspace-members.json").write_text(json.dumps(members), encoding="utf-8")


def edit_spec(spec: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must occur) by ``new`` in the spec file."""
    text = spec.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {spec}"
    spec.write_text(text.replace(old, new), encoding="utf-8")


def read_objects(bundle: Path, name: str) -> list[dict[str, Any]]:
    """The decoded lines of ``<name>.jsonl``."""
    lines = (bundle / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def rewrite_objects(
    bundle: Path, name: str, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
) -> None:
    """Rewrite ``<name>.jsonl`` through ``change`` and update its manifest entry."""
    rows = change(read_objects(bundle, name))
    data = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")
    (bundle / f"{name}.jsonl").write_bytes(data)
    manifest_path = bundle / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["name"] == f"{name}.jsonl":
            entry["records"] = len(rows)
            entry["sha256"] = hashlib.sha256(data).hexdigest()
    manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
