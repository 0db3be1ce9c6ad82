"""Sample migrations (``plan``/``apply SPEC --sample N``): choose, read and guard a sample.

One job per module: :mod:`~migrator.sample.edges` (what the spec links), :mod:`~migrator.sample.
rows` (the bundle's rows, linked), :mod:`~migrator.sample.select` (the deterministic choice),
:mod:`~migrator.sample.bundle` (a bundle reading only the sample), :mod:`~migrator.sample.header`
(how a plan says it is a sample), :mod:`~migrator.sample.guard` (samples and full runs do not
mix in one state) and :mod:`~migrator.sample.conservation` (verify's count of the rows outside).
"""

from __future__ import annotations

from migrator.sample.bundle import SampledBundle, sample_bundle
from migrator.sample.guard import SampleStatus, check_full_run, check_sample_run, sample_status
from migrator.sample.header import SAMPLE_WARNING, sample_size_of, sample_warning
from migrator.sample.select import SampleSelection

__all__ = [
    "SAMPLE_WARNING",
    "SampleSelection",
    "SampleStatus",
    "SampledBundle",
    "check_full_run",
    "check_sample_run",
    "sample_bundle",
    "sample_size_of",
    "sample_status",
    "sample_warning",
]
