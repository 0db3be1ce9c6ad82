"""Delta: the plan of what changed in the source since the last apply (:mod:`.planner`)."""

from __future__ import annotations
