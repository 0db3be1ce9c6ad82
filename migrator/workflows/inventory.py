"""``migrator inventory SPEC``: the rebuild inventory of a spec's bundle.

Loads and checks the spec, opens and verifies its bundle, and builds the inventory of the rules,
settings and integrations that are rebuilt natively in Twenty rather than migrated. Reads only.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from migrator.inventory.build import build_inventory
from migrator.inventory.model import Inventory
from migrator.spec.validation import load_spec
from migrator.workflows.spec_inputs import open_spec_bundle


def inventory(
    spec_path: Path, *, environ: Mapping[str, str], display_path: str | None = None
) -> Inventory:
    """The rebuild inventory of the spec at ``spec_path``."""
    loaded = load_spec(spec_path, environ=environ, display_path=display_path)
    bundle = open_spec_bundle(loaded.spec, spec_path.resolve().parent)
    return build_inventory(loaded.spec, bundle)
