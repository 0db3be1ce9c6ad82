"""The mapper: source rows in, desired Twenty records (and the fate of every row) out.

:class:`Mapper` is the entry point (:mod:`migrator.mapping.mapper`); :mod:`migrator.mapping.model`
holds what it produces.
"""

from __future__ import annotations

from migrator.mapping.mapper import Mapper
from migrator.mapping.phases import Phase, PhaseKind

__all__ = ["Mapper", "Phase", "PhaseKind"]
