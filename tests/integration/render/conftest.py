"""Snapshot fixtures for the plan views (the same extensions as the unit tests)."""

from __future__ import annotations

from tests.unit.render.conftest import snapshot_json, snapshot_md, snapshot_text

__all__ = ["snapshot_json", "snapshot_md", "snapshot_text"]
