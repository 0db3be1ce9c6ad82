"""Destroy: the inverse of every apply, built from the state and run by apply's executor.

:mod:`.plan` turns the state into an ordinary plan of kind ``destroy`` (record deletes children
first, pre-images put back, then the schema migrator created removed); :mod:`.conflicts` finds
what users did since the migration that a destroy would break or lose, so the workflow can refuse
without ``--force``. Nothing here writes to Twenty or the state: the executor does.
"""

from __future__ import annotations
