"""The OplaCRM example, with the real mapper: a contact whose email an existing Twenty person
has is one merge, an account whose domain a soft-deleted company has is one restore, and
nothing else in the plan touches those two records."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from migrator.identity import migration_namespace
from migrator.mapping import Mapper
from migrator.mapping.model import DesiredRecord
from migrator.model import Action
from migrator.plan.payloads import payload_digest, write_payload
from migrator.plan.planfile import iter_record_changes
from migrator.spec.validation import load_spec
from migrator.workflows.plan import plan
from migrator.workflows.spec_inputs import open_spec_bundle, open_spec_destination
from tests.conftest import REPO_ROOT

PERSON = "0b6f7a1e-2c3d-4e5f-8a9b-1c2d3e4f5a6b"
COMPANY = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"


def _give_accounts_a_website(root: Path) -> None:
    """Every account gets a website (the generated example has none), and the manifest too."""
    path = root / "data" / "accounts.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        row["website"] = f"https://{str(row.get('short_id', row['id'])).lower()}.example.com"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    manifest = json.loads((root / "data" / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["name"] == "accounts.jsonl":
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (root / "data" / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")


def _desired(root: Path) -> dict[str, DesiredRecord]:
    """The mapper's companies and people, by address (a fresh sandbox's members)."""
    spec = load_spec(root / "migration.yaml", environ={}).spec
    bundle = open_spec_bundle(spec, root)
    with open_spec_destination(spec, root, None) as destination:
        members = destination.client.members()
    mapper = Mapper(spec, bundle, members=members, namespace=migration_namespace(spec.name))
    try:
        return {
            item.address: item
            for name in ("companies", "people")
            for item in mapper.run(name)
            if isinstance(item, DesiredRecord)
        }
    finally:
        mapper.close()


def _seed(root: Path, person: dict[str, Any], company: dict[str, Any]) -> None:
    spec = load_spec(root / "migration.yaml", environ={}).spec
    with open_spec_destination(spec, root, None) as destination:
        records = destination.client.records
        records.create_batch("people", [person])
        records.create_batch("companies", [company])
        records.delete_many("companies", [COMPANY])


def test_the_example_plans_one_merge_one_restore_and_nothing_else_on_them(tmp_path: Path) -> None:
    root = tmp_path / "oplacrm"
    shutil.copytree(
        REPO_ROOT / "examples" / "oplacrm",
        root,
        ignore=shutil.ignore_patterns(".migrator", "*.plan"),
    )
    _give_accounts_a_website(root)
    desired = _desired(root)
    account = next(d for d in desired.values() if d.mapping == "companies")
    contact = next(
        d
        for d in desired.values()
        if d.mapping == "people" and (d.payload.get("emails") or {}).get("primaryEmail")
    )
    _seed(
        root,
        {
            "id": PERSON,
            "name": {"firstName": "Already", "lastName": "Here"},
            "emails": {"primaryEmail": contact.payload["emails"]["primaryEmail"]},
        },
        {
            "id": COMPANY,
            "name": "Closed account",
            "domainName": {"primaryLinkUrl": account.payload["domainName"]["primaryLinkUrl"]},
        },
    )

    header = plan(root / "migration.yaml", environ={}, out=root / "p.plan").header
    changes = list(iter_record_changes(root / "p.plan"))
    counts = {c.mapping: c for c in header.counts}
    assert (counts["people"].merge, counts["people"].restore) == (1, 0)
    assert (counts["companies"].merge, counts["companies"].restore) == (0, 1)
    touching = [c for c in changes if {c.existing_id, c.twenty_id} & {PERSON, COMPANY}]
    assert sorted((c.action, c.address, c.existing_id) for c in touching) == sorted(
        [
            (Action.MERGE, contact.address, PERSON),
            (Action.RESTORE, account.address, COMPANY),
        ]
    )
    # whatever points at the restored company or the merged person points at their real ids
    id_map = {account.twenty_id: COMPANY, contact.twenty_id: PERSON}
    by_key = {(c.phase, c.address): c for c in changes}
    checked = 0
    for record in desired.values():
        change = by_key.get((f"mapping.{record.mapping}", record.address))
        pointing = [v for v in record.payload.values() if isinstance(v, str) and v in id_map]
        if change is None or not (pointing or record.twenty_id in id_map):
            continue
        body = write_payload(
            record.payload, id_map=id_map, existing_id=id_map.get(record.twenty_id)
        )
        assert change.payload_digest == payload_digest(body), record.address
        checked += 1
    assert checked >= 2
