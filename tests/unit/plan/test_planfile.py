"""The plan file is deterministic, versioned, private, and refuses to be half-read."""

from __future__ import annotations

import gzip
import stat
from pathlib import Path

import pytest

from migrator import __version__
from migrator.errors import PlanError
from migrator.model import Action
from migrator.plan.model import DestinationIdentity, FieldDiff, PlanHeader, RecordChange
from migrator.plan.planfile import (
    PlanWriter,
    iter_record_changes,
    plan_file_sha256,
    read_plan_header,
)


def _header() -> PlanHeader:
    return PlanHeader(
        migrator_version=__version__,
        name="demo",
        spec={"name": "demo", "version": 1},
        spec_digest="sha256:abc",
        source=None,
        destination=DestinationIdentity(base_url="sandbox:x.db", workspace_id="ws-1"),
        prior_state=None,
    )


def _changes(n: int) -> list[RecordChange]:
    return [
        RecordChange(
            address=f"record.companies[oplacrm:account:{i}]",
            mapping="companies",
            source_key=f"oplacrm:account:{i}",
            twenty_object="company",
            twenty_id=f"00000000-0000-5000-8000-{i:012d}",
            action=Action.UPDATE if i % 2 else Action.CREATE,
            reason="missing_in_twenty",
            payload_digest=f"sha256:{i:064x}",
            phase="companies",
            field_diffs=(FieldDiff(path="name", before="A", after="B"),) if i % 2 else (),
        )
        for i in range(n)
    ]


def _write(path: Path, changes: list[RecordChange]) -> PlanHeader:
    with PlanWriter(path.parent) as writer:
        for change in changes:
            writer.add(change)
        return writer.finish(_header(), path)


def test_plan_file_round_trips_and_is_byte_identical_for_the_same_plan(tmp_path: Path) -> None:
    changes = _changes(500)
    header = _write(tmp_path / "a.plan", changes)
    _write(tmp_path / "b.plan", changes)
    assert header.record_change_count == 500
    assert (tmp_path / "a.plan").read_bytes() == (tmp_path / "b.plan").read_bytes()
    assert plan_file_sha256(tmp_path / "a.plan") == plan_file_sha256(tmp_path / "b.plan")
    assert read_plan_header(tmp_path / "a.plan") == header
    assert list(iter_record_changes(tmp_path / "a.plan")) == changes
    assert stat.S_IMODE((tmp_path / "a.plan").stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".plan-spool-*"))


def test_truncated_or_edited_plan_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.plan"
    _write(path, _changes(10))
    lines = gzip.decompress(path.read_bytes()).decode().splitlines(keepends=True)
    cut = tmp_path / "cut.plan"
    cut.write_bytes(gzip.compress("".join(lines[:5]).encode(), mtime=0))
    with pytest.raises(PlanError, match="truncated or was edited"):
        list(iter_record_changes(cut))
    edited = tmp_path / "edited.plan"
    lines[3] = lines[3].replace('"create"', '"update"')
    edited.write_bytes(gzip.compress("".join(lines).encode(), mtime=0))
    with pytest.raises(PlanError, match="truncated or was edited"):
        list(iter_record_changes(edited))


def test_other_format_or_version_or_garbage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.plan"
    _write(path, _changes(1))
    text = gzip.decompress(path.read_bytes()).decode()
    future = tmp_path / "future.plan"
    future.write_bytes(
        gzip.compress(text.replace('"migrator_plan":1', '"migrator_plan":9').encode())
    )
    with pytest.raises(PlanError, match="has format 9"):
        read_plan_header(future)
    old = tmp_path / "old.plan"
    old.write_bytes(
        gzip.compress(
            text.replace(
                f'"migrator_version":"{__version__}"', '"migrator_version":"0.0.1"'
            ).encode()
        )
    )
    with pytest.raises(PlanError, match=r"made by migrator 0\.0\.1"):
        read_plan_header(old)
    garbage = tmp_path / "garbage.plan"
    garbage.write_bytes(b"not a plan")
    with pytest.raises(PlanError, match="not a readable migrator plan"):
        read_plan_header(garbage)
    with pytest.raises(PlanError, match="not found"):
        read_plan_header(tmp_path / "absent.plan")
