"""An image embedded in a note's text is uploaded, linked from the text and attached to the note;
a resumed run reuses the first upload; a delete takes the attachment and its file with it."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import httpx

from migrator.addresses import record_address
from migrator.apply.inline_images import attachment_ids
from migrator.apply.model import Desired
from migrator.identity import twenty_id
from migrator.mapping.model import FileRef
from migrator.model import Action
from migrator.plan.model import DestinationIdentity, PriorState
from migrator.sandbox.app import Sandbox
from migrator.state import open_sqlite_state
from migrator.workflows.state import remove_from_state
from tests.integration.apply.conftest import ApplyPlan
from tests.integration.apply.harness import NAMESPACE, Scenario, records_of

STATE = Path(".migrator/test.state.db")
PNG = b"\x89PNG\r\n\x1a\n synthetic x-ray"
DIGEST = hashlib.sha256(PNG).hexdigest()
RELATIVE = f"attachments/{DIGEST[:2]}/{DIGEST}.png"
TEXT = f"Caries on 16.\n\n![X-ray]({RELATIVE})\n\nSee the X-ray above."


def _note(root: Path) -> Desired:
    (root / RELATIVE).parent.mkdir(parents=True, exist_ok=True)
    (root / RELATIVE).write_bytes(PNG)
    key = "aeronaclinic:clinical_notes:1"
    ident = twenty_id(NAMESPACE, key)
    ref = FileRef("bodyV2", RELATIVE, len(PNG), DIGEST, "X-ray", "image/png", inline=RELATIVE)
    payload = {"id": ident, "title": "Clinical note", "bodyV2": {"markdown": TEXT}}
    return Desired(record_address("notes", key), "notes", key, "note", ident, payload, files=(ref,))


def _files(sandbox: Sandbox) -> list[Path]:
    return sorted(p for p in sandbox.workspace.files.root.rglob("*") if p.is_file())


def test_embedded_image_rehosted_attached_resumed_and_destroyed(
    apply_plan: ApplyPlan,
    plan_identity: DestinationIdentity,
    http: httpx.Client,
    sandbox: Sandbox,
    tmp_path: Path,
) -> None:
    bundle = tmp_path / "bundle"
    note = _note(bundle)
    scenario = Scenario([], [note])
    apply_plan(scenario.write_plan(tmp_path / "plan.gz", plan_identity), scenario.source(bundle))

    (stored,) = records_of(http, "notes")
    (attachment,) = records_of(http, "attachments")
    (file_id,) = [f["fileId"] for f in attachment["file"]]
    markdown = stored["bodyV2"]["markdown"]
    assert markdown == TEXT.replace(RELATIVE, f"/file/files-field/{file_id}")
    assert attachment["id"] == attachment_ids(note.twenty_id, 1)[0]
    assert attachment["targetNoteId"] == note.twenty_id and attachment["name"] == "X-ray"
    assert http.get(f"/file/files-field/{file_id}").content == PNG
    snapshot = http.get("/_sandbox/snapshot").json()
    assert [(f["id"], f["mimeType"]) for f in snapshot["files"]] == [(file_id, "image/png")]
    with open_sqlite_state(tmp_path / STATE) as store:
        entry = store.record(note.address)
        assert entry is not None and entry.file_ids == (file_id,)
        meta = store.meta()
    assert meta.lineage is not None

    # the state forgets the note (a crash between Twenty's answer and the state's commit): the
    # create is sent again, finds the note written and keeps the image its first send linked
    remove_from_state(tmp_path / STATE, [note.address])
    again = Scenario([], [note])
    prior = PriorState(lineage=meta.lineage, serial=meta.serial + 1)
    apply_plan(again.write_plan(tmp_path / "again.gz", plan_identity, prior), again.source(bundle))

    (attachment_again,) = records_of(http, "attachments")
    assert attachment_again["file"] == attachment["file"]
    assert records_of(http, "notes")[0]["bodyV2"]["markdown"] == markdown
    with open_sqlite_state(tmp_path / STATE) as store:
        entry = store.record(note.address)
        assert entry is not None and entry.file_ids == (file_id,)
        meta = store.meta()
    assert meta.lineage is not None

    # deleting the note destroys the attachment holding its image, and the file goes with it
    (change,) = [c.model_copy(update={"action": Action.DELETE}) for c in again.changes()]
    gone = Scenario([], [])
    prior = PriorState(lineage=meta.lineage, serial=meta.serial)
    plan = gone.write_plan(tmp_path / "gone.gz", plan_identity, prior, changes=[change])
    apply_plan(plan, gone.source(bundle))

    assert records_of(http, "notes") == [] and records_of(http, "attachments") == []
    left = [f["id"] for f in http.get("/_sandbox/snapshot").json()["files"]]
    assert file_id not in left and not [p for p in _files(sandbox) if file_id in p.name]
    assert len(left) == 1  # the resumed run's second upload, never attached (as for attachments)


def _updated(note: Desired, root: Path, text: str, images: list[bytes]) -> Desired:
    refs = []
    for number, content in enumerate(images):
        digest = hashlib.sha256(content).hexdigest()
        relative = f"attachments/{digest[:2]}/{digest}.png"
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)
        text += f"\n\n![image {number}]({relative})"
        label = f"image {number}"
        refs.append(FileRef("bodyV2", relative, len(content), digest, label, "", inline=relative))
    payload = {**note.payload, "bodyV2": {"markdown": text}}
    return replace(note, payload=payload, files=tuple(refs))


def _apply_update(
    apply_plan: ApplyPlan, identity: DestinationIdentity, tmp_path: Path, item: Desired, name: str
) -> None:
    with open_sqlite_state(tmp_path / STATE) as store:
        meta = store.meta()
    assert meta.lineage is not None
    scenario = Scenario([], [item])
    scenario.actions[item.address] = (Action.UPDATE, None)
    prior = PriorState(lineage=meta.lineage, serial=meta.serial)
    plan = scenario.write_plan(tmp_path / name, identity, prior)
    apply_plan(plan, scenario.source(tmp_path / "bundle"))


def test_an_updated_text_is_linked_to_its_images_again(
    apply_plan: ApplyPlan, plan_identity: DestinationIdentity, http: httpx.Client, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle"
    note = _note(bundle)
    first = Scenario([], [note])
    apply_plan(first.write_plan(tmp_path / "plan.gz", plan_identity), first.source(bundle))

    two = [PNG + b" one", PNG + b" two"]
    _apply_update(apply_plan, plan_identity, tmp_path, _updated(note, bundle, "Later.", two), "u1")
    (stored,) = records_of(http, "notes")
    held = {a["id"]: a for a in records_of(http, "attachments")}
    assert sorted(held) == sorted(attachment_ids(note.twenty_id, 2))
    file_ids = [held[i]["file"][0]["fileId"] for i in attachment_ids(note.twenty_id, 2)]
    expected = "Later."
    for number, file_id in enumerate(file_ids):
        expected += f"\n\n![image {number}](/file/files-field/{file_id})"
    assert stored["bodyV2"]["markdown"] == expected
    with open_sqlite_state(tmp_path / STATE) as store:
        entry = store.record(note.address)
        assert entry is not None and entry.file_ids == tuple(sorted(file_ids))

    # a text without images leaves no attachment behind, and no file
    _apply_update(apply_plan, plan_identity, tmp_path, _updated(note, bundle, "None.", []), "u2")
    assert records_of(http, "attachments") == []
    assert records_of(http, "notes")[0]["bodyV2"]["markdown"] == "None."
    with open_sqlite_state(tmp_path / STATE) as store:
        entry = store.record(note.address)
        assert entry is not None and entry.file_ids == ()
