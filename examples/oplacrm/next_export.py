"""Turn ``data/`` into the next export of the same OplaCRM account, for rehearsing a delta run.

During cutover the sales team keeps working in OplaCRM; the next export differs from the first
by what they changed. This script makes one such change in the bundle next to it: the first
contact's job title, with its ``updated_at`` moved on, and the manifest's sha256 of
``contacts.jsonl`` brought up to date (a bundle whose files do not match their manifest is
refused). Run it on a copy of this folder, not on the committed example:

    cp -r examples/oplacrm /tmp/oplacrm-tour && cd /tmp/oplacrm-tour && python3 next_export.py
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def main() -> None:
    """Change the first contact's job title and re-seal the manifest."""
    contacts = DATA / "contacts.jsonl"
    rows = [json.loads(line) for line in contacts.read_text(encoding="utf-8").splitlines()]
    rows[0]["job_title"] = "Giám đốc kinh doanh"
    rows[0]["updated_at"] = "2026-11-22T09:00:00.000Z"
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    contacts.write_text(text, encoding="utf-8")
    manifest_path = DATA / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["name"] == contacts.name:
            entry["sha256"] = hashlib.sha256(contacts.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"{contacts}: contact {rows[0]['external_id']} has a new job title")


if __name__ == "__main__":
    main()
