"""Verify's conservation for a sample: the rows outside the sample count as such.

Verify maps the sample again (the state says how large it was), so each mapping's outcomes add up
to the rows of the sample; :func:`count_outside` then gives each mapping its whole source and the
difference as ``outside_sample``, so the balance ``source = written + … + outside_sample`` holds
for the whole bundle and a row the sample should have written is still ``not_written``.

Only phases whose source rows are bundle rows are widened: mappings (children included) and the
objects folded into sampled records. A note's targets are counted within the sample (how many
targets the other rows have is not known without mapping them too); skipped objects are read
whole by a sample anyway.
"""

from __future__ import annotations

from collections.abc import Mapping

from migrator.sample.bundle import SampledBundle
from migrator.spec.models import MigrationSpec
from migrator.verify.model import Conservation

AGGREGATED_SUFFIX = "-aggregated"


def _source_object(spec: MigrationSpec, phase: str) -> str | None:
    if phase in spec.all_mappings():
        return spec.source_object_of(phase)
    if phase.endswith(AGGREGATED_SUFFIX):
        return phase.removesuffix(AGGREGATED_SUFFIX)
    return None


def count_outside(
    counts: Mapping[str, Conservation], spec: MigrationSpec, bundle: SampledBundle
) -> dict[str, Conservation]:
    """``counts`` (per phase, within the sample) widened to the whole source (module doc)."""
    widened: dict[str, Conservation] = {}
    for phase, item in counts.items():
        obj = _source_object(spec, phase)
        whole = bundle.full.count(obj) if obj is not None else item.source
        outside = max(whole - item.source, 0)
        widened[phase] = item.model_copy(
            update={"source": item.source + outside, "outside_sample": outside}
        )
    return widened
