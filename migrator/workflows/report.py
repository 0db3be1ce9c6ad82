"""``migrator report SPEC``: the hand-off report of a spec's migration, from its state.

Loads and checks the spec, opens and verifies the bundle, opens the spec's state read-only when
there is one (the spec's ``state`` section: a SQLite file or a PostgreSQL schema; ``state``
overrides it; no state yet means nothing was applied and the report says so) and builds the
report. Writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from migrator.report.build import build_report
from migrator.report.model import HandoffReport
from migrator.spec.validation import load_spec
from migrator.state.location import (
    StateLocation,
    open_existing_state,
    state_location_for_spec,
)
from migrator.workflows.spec_inputs import open_spec_bundle


def report(
    spec_path: Path,
    *,
    environ: Mapping[str, str],
    state: StateLocation | Path | None = None,
    display_path: str | None = None,
) -> HandoffReport:
    """The hand-off report of the spec at ``spec_path`` (``state`` overrides the spec's)."""
    loaded = load_spec(spec_path, environ=environ, display_path=display_path)
    spec = loaded.spec
    bundle = open_spec_bundle(spec, spec_path.resolve().parent)
    location = state or state_location_for_spec(spec.state, spec_path=spec_path, name=spec.name)
    store = open_existing_state(location)
    if store is None:
        return build_report(spec, bundle, None)
    try:
        return build_report(spec, bundle, store)
    finally:
        store.close()
