"""Fixtures for the Twenty client's unit tests: Twenty's own recorded exchanges.

``captures/`` holds copies of the real exchanges in ``twenty-api.md``'s capture set that these
tests replay (recorded facts about Twenty v2.15; tokens were redacted at capture time).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

CAPTURES = Path(__file__).resolve().parent / "captures"


def load_capture(number: str) -> dict[str, Any]:
    """The capture whose file name starts with ``number`` (e.g. ``"35"``)."""
    (path,) = sorted(CAPTURES.glob(f"{number}-*.json"))
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def capture() -> Callable[[str], dict[str, Any]]:
    """Load a capture by number."""
    return load_capture
