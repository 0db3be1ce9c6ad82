"""The state: what migrator has done to one Twenty workspace (DESIGN.md, State).

A store of rows, not one document: lineage and serial, the schema resources migrator created or
changed, the record map with pre-images, delta cursors, the run journal, the quarantine and the
owner queue. :class:`~migrator.state.store.StateStore` is the protocol; the SQLite backend in
:mod:`migrator.state.sqlite` is the default.
"""

from __future__ import annotations
