"""A bundle that reads only a sample: what the mapper sees when a plan or a check is a sample's.

:class:`SampledBundle` is the opened :class:`~migrator.sources.bundle.Bundle` with its reads
filtered: a written object yields only the sampled rows, an object folded into sampled records
(consents into patients, payments into invoices) only the rows of those records, and every other
object (lookups, owners, skipped objects) all of its rows. Its fingerprint is the bundle's own:
a sample plan is bound to the very data it was chosen from. Counts follow the reads, so the
mapper's conservation holds within the sample.

:func:`sample_bundle` chooses the sample (:mod:`migrator.sample.select`) and wraps the bundle.
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator.errors import UsageError
from migrator.mapping.paths import key_text, record_getter
from migrator.sample.edges import Fold, SampleEdges, sample_edges
from migrator.sample.rows import read_row_graph
from migrator.sample.select import SampleSelection, select_sample
from migrator.sources.bundle import Bundle, Format
from migrator.sources.records import SourceRecord
from migrator.spec.models import MigrationSpec


class SampledBundle(Bundle):
    """``bundle`` read through ``selection`` (see the module docstring)."""

    def __init__(self, bundle: Bundle, selection: SampleSelection, edges: SampleEdges) -> None:
        super().__init__(bundle.schema, bundle.root, bundle.manifest, bundle.timezone)
        self.full = bundle
        """The bundle as it is (its counts are the whole source)."""
        self.selection = selection
        self._folds: dict[str, tuple[Fold, ...]] = {}
        for fold in edges.folds:
            if fold.folded not in selection.rows:
                self._folds[fold.folded] = (*self._folds.get(fold.folded, ()), fold)
        self._fold_counts: dict[str, int] = {}

    def count(self, object_name: str) -> int:
        """The rows a read of ``object_name`` yields (the sample's, for a sampled object)."""
        if object_name in self.selection.counts:
            return self.selection.counts[object_name]
        if object_name in self._folds:
            if object_name not in self._fold_counts:
                self._fold_counts[object_name] = sum(1 for _ in self.read(object_name))
            return self._fold_counts[object_name]
        return super().count(object_name)

    def read(self, object_name: str, *, fmt: Format = "auto") -> Iterator[SourceRecord]:
        """The sampled rows of ``object_name`` in file order (all rows of an unsampled one)."""
        rows = super().read(object_name, fmt=fmt)
        kept = self.selection.rows.get(object_name)
        if kept is not None:
            return (record for record in rows if record.id in kept)
        folds = self._folds.get(object_name)
        if folds is not None:
            return self._folded(rows, folds)
        return rows

    def _folded(
        self, rows: Iterator[SourceRecord], folds: tuple[Fold, ...]
    ) -> Iterator[SourceRecord]:
        wanted = [(record_getter(fold.by), self._parent_keys(fold)) for fold in folds]
        for record in rows:
            for getter, keys in wanted:
                text = key_text(getter(record))
                if text is not None and text.strip().lower() in keys:
                    yield record
                    break

    def _parent_keys(self, fold: Fold) -> frozenset[str]:
        getter = record_getter(fold.key)
        found = set()
        for record in self.read(fold.parent):
            text = key_text(getter(record))
            if text:
                found.add(text.strip().lower())
        return frozenset(found)


def sample_bundle(spec: MigrationSpec, bundle: Bundle, size: int) -> SampledBundle:
    """Choose the sample of about ``size`` records of ``bundle`` for ``spec`` and wrap it."""
    if size < 1:
        raise UsageError(
            f"--sample takes a positive number of records, not {size}",
            hint="ask for the records a reviewer should see, e.g. --sample 300",
        )
    edges = sample_edges(spec, bundle.schema)
    selection = select_sample(read_row_graph(bundle, edges), edges, size)
    return SampledBundle(bundle, selection, edges)
