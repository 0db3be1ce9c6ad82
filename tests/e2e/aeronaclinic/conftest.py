"""The AeronaClinic example applied once per session, and a variant with planted files.

``aerona`` is ``examples/aeronaclinic`` exactly as committed. The committed bundle has no file
over the 25 MB policy, no note with an embedded image and no mapped record owned by a user
without a workspace member, so ``aerona_planted`` applies a copy in which one attachment is
replaced by a 26 MiB file, one clinical note embeds an X-ray image of the bundle (markdown image
syntax, the bundle-relative path as its target) and one appointment belongs to the alumni user
who was never invited to Twenty, and a written patient has an SDS number.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.e2e.project import AppliedExample, Run, apply_example, run_cli
from tests.e2e.sources import rewrite_jsonl

OVERSIZED_ATTACHMENT = 10000
"""The attachment whose file the variant replaces by one over the size policy."""
OVERSIZED_BYTES = 26 * 1024 * 1024
IMAGE_NOTE = 300000
"""The clinical note the variant gives an embedded image."""
IMAGE_ATTACHMENT = 10008
"""The X-ray whose file the note embeds."""
ALUMNI_APPOINTMENT = 700000
"""The appointment the variant gives to the alumni user (no workspace member)."""
ALUMNI_USER = 509
SDS_PATIENT = 100010
"""A written patient the variant gives an SDS number (the example's only one is quarantined)."""
SDS_NUMBER = "200012345678"


@pytest.fixture(scope="session")
def aerona(tmp_path_factory: pytest.TempPathFactory) -> AppliedExample:
    """``examples/aeronaclinic`` planned, applied and re-planned once on its sandbox."""
    return apply_example("aeronaclinic", tmp_path_factory.mktemp("aerona"))


@pytest.fixture(scope="session")
def aerona_audit(aerona: AppliedExample) -> Run:
    """``migrator audit`` (the pre-flight data-quality report) of the applied example."""
    return run_cli(aerona.root, "audit", "migration.yaml")


def _rows(data: Path, source_object: str) -> list[dict[str, object]]:
    text = (data / f"{source_object}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def plant(root: Path) -> None:
    """An oversized attachment, an image embedded in a note, an appointment of the alumni."""
    data = root / "data"
    content = b"%PDF-1.4\n" + bytes(OVERSIZED_BYTES - 9)
    digest = hashlib.sha256(content).hexdigest()
    relative = f"attachments/{digest[:2]}/{digest}.pdf"
    (data / relative).parent.mkdir(parents=True, exist_ok=True)
    (data / relative).write_bytes(content)
    attachments = _rows(data, "attachments")
    image = ""
    for row in attachments:
        if row["attachmentId"] == OVERSIZED_ATTACHMENT:
            (data / str(row["relativePath"])).unlink()  # the folder holds what is listed
            row |= {"sha256": digest, "sizeBytes": OVERSIZED_BYTES, "relativePath": relative}
        if row["attachmentId"] == IMAGE_ATTACHMENT:
            image = str(row["relativePath"])
    assert image
    rewrite_jsonl(data, "attachments", attachments)
    notes = _rows(data, "clinical_notes")
    for row in notes:
        if row["noteId"] == IMAGE_NOTE:
            row["text"] = f"{row['text']}\n\n![X-ray]({image})"
    rewrite_jsonl(data, "clinical_notes", notes)
    appointments = _rows(data, "appointments")
    for row in appointments:
        if row["appointmentId"] == ALUMNI_APPOINTMENT:
            row["userId"] = ALUMNI_USER
    rewrite_jsonl(data, "appointments", appointments)
    patients = _rows(data, "patients")
    for row in patients:
        if row["patientId"] == SDS_PATIENT:
            row["sdsNumber"] = SDS_NUMBER
    rewrite_jsonl(data, "patients", patients)
    manifest_path = data / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["attachments"]["total_bytes"] = sum(int(str(r["sizeBytes"])) for r in attachments)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def aerona_planted(tmp_path_factory: pytest.TempPathFactory) -> AppliedExample:
    """The example with the planted cases of :func:`plant`, applied once."""
    return apply_example("aeronaclinic", tmp_path_factory.mktemp("aerona-planted"), prepare=plant)
