"""The plan file's fast line encoders equal the canonical ones; the outcomes section holds the
whole quarantine and holds however large, and a cut or edited section is refused."""

from __future__ import annotations

import gzip
import uuid
from pathlib import Path

import pytest

from migrator import __version__
from migrator.errors import PlanError
from migrator.model import Action, canonical_json
from migrator.plan.model import (
    HEADER_OUTCOMES,
    DestinationIdentity,
    FieldDiff,
    HoldEntry,
    PlanHeader,
    QuarantineEntry,
    RecordChange,
)
from migrator.plan.planfile import (
    PlanWriter,
    change_line,
    iter_plan_outcomes,
    iter_record_changes,
    read_plan_header,
)


def _header(**extra: object) -> PlanHeader:
    return PlanHeader(
        migrator_version=__version__,
        name="demo",
        spec={"name": "demo"},
        spec_digest="sha256:abc",
        source=None,
        destination=DestinationIdentity(base_url="sandbox:x.db", workspace_id="ws"),
        prior_state=None,
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    "extra",
    [{}, {"existing_id": "e"}, {"field_diffs": (FieldDiff(path="n", before=1.5, after=1e16),)}],
)
def test_change_lines_are_the_canonical_json_of_the_change(extra: dict[str, object]) -> None:
    change = RecordChange(
        address='record.people[oplacrm:contacts:Ä"\\\n\x01\u2028x]',
        mapping="people",
        source_key='oplacrm:contacts:Ä"\\\n\x01\u2028x',
        twenty_object="person",
        twenty_id="t",
        action=Action.CREATE,
        reason="néw\t",
        payload_digest="sha256:x",
        phase="mapping.people",
        **extra,  # type: ignore[arg-type]
    )
    expected = canonical_json(change.model_dump(mode="json", exclude_defaults=True)) + "\n"
    assert change_line(change) == expected.encode("utf-8")


def _entries(n: int) -> list[QuarantineEntry | HoldEntry]:
    found: list[QuarantineEntry | HoldEntry] = []
    for i in range(n):
        address, key = f"record.people[oplacrm:contacts:{i}]", f"oplacrm:contacts:{i}"
        if i % 3:
            found.append(
                HoldEntry(
                    address=address,
                    mapping="people",
                    source_key=key,
                    code="owner_unresolved",
                    reason="no member",
                    blocked_by="U1",
                )
            )
        else:
            found.append(
                QuarantineEntry(
                    address=address,
                    mapping="people",
                    source_key=key,
                    code="invalid_email",
                    reason="bad email",
                )
            )
    return found


def _write(path: Path, entries: list[QuarantineEntry | HoldEntry]) -> PlanHeader:
    quarantine = [e for e in entries if isinstance(e, QuarantineEntry)]
    holds = [e for e in entries if isinstance(e, HoldEntry)]
    header = _header(
        quarantine=tuple(quarantine[:HEADER_OUTCOMES]),
        holds=tuple(holds[:HEADER_OUTCOMES]),
        quarantine_total=len(quarantine),
        holds_total=len(holds),
    )
    with PlanWriter(path.parent) as writer:
        for entry in entries:
            writer.add_outcome(entry)
        return writer.finish(header, path)


def test_outcomes_beyond_the_header_are_all_in_the_file(tmp_path: Path) -> None:
    entries = _entries(3 * HEADER_OUTCOMES + 10)
    header = _write(tmp_path / "p.plan", entries)
    assert header.outcomes_cut and len(header.holds) == HEADER_OUTCOMES
    assert read_plan_header(tmp_path / "p.plan") == header
    assert list(iter_plan_outcomes(tmp_path / "p.plan")) == entries
    assert list(iter_record_changes(tmp_path / "p.plan")) == []
    small = _entries(5)
    _write(tmp_path / "s.plan", small)
    assert list(iter_plan_outcomes(tmp_path / "s.plan")) == small


def test_a_cut_or_edited_outcomes_section_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.plan"
    _write(path, _entries(HEADER_OUTCOMES + 20))
    lines = gzip.decompress(path.read_bytes()).decode().splitlines(keepends=True)
    cut = tmp_path / "cut.plan"
    cut.write_bytes(gzip.compress("".join(lines[:-5]).encode(), mtime=0))
    with pytest.raises(PlanError, match="truncated or was edited"):
        list(iter_plan_outcomes(cut))
    edited = tmp_path / "edited.plan"
    at = next(i for i, line in enumerate(lines) if '"hold"' in line)
    lines[at] = lines[at].replace("no member", "no memberX")
    edited.write_bytes(gzip.compress("".join(lines).encode(), mtime=0))
    with pytest.raises(PlanError, match="truncated or was edited"):
        list(iter_plan_outcomes(edited))


def test_compact_lines_leave_out_what_the_address_and_namespace_say(tmp_path: Path) -> None:
    namespace = uuid.UUID("3a1f0c2e-7b6d-4e5f-9a8b-0c1d2e3f4a5b")

    def change(i: int, **extra: object) -> RecordChange:
        key = f"oplacrm:contacts:{i}"
        fields: dict[str, object] = {
            "address": f"record.people[{key}]",
            "mapping": "people",
            "source_key": key,
            "twenty_object": "person",
            "twenty_id": str(uuid.uuid5(namespace, key)),
            "action": Action.CREATE,
            "reason": "new",
            "payload_digest": "sha256:x",
            "phase": "mapping.people",
        }
        return RecordChange.model_validate({**fields, **extra})

    changes = [
        change(1),
        change(2, existing_id="e", action=Action.MERGE),
        change(3, twenty_id="00000000-0000-4000-8000-000000000003"),  # not deterministic: kept
        change(4, phase="link.people.boss", action=Action.UPDATE),
        change(5, field_diffs=(FieldDiff(path="name", before="A", after="B"),)),
    ]
    assert b'"twenty_id"' not in change_line(changes[0], namespace)
    assert b'"mapping"' not in change_line(changes[0], namespace)
    assert b'"twenty_id"' in change_line(changes[2], namespace)
    path = tmp_path / "p.plan"
    with PlanWriter(tmp_path, namespace=namespace) as writer:
        for item in changes:
            writer.add(item)
        writer.finish(_header(namespace=str(namespace)), path)
    assert list(iter_record_changes(path)) == changes
    with (
        PlanWriter(tmp_path, namespace=namespace) as writer,
        pytest.raises(PlanError, match="another id namespace"),
    ):
        writer.finish(_header(), tmp_path / "q.plan")
