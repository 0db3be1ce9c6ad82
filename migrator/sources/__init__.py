"""Source systems: bundle schemas, streaming bundle readers and the synthetic bundle generator.

The public entry points are :func:`migrator.sources.bundle.open_bundle` (read and verify an
export bundle), :mod:`migrator.sources.schema` (what each system's bundle holds) and
:func:`migrator.sources.generator.generate_bundle` (deterministic synthetic bundles).
"""

from __future__ import annotations
