"""The hand-off report (``migrator report``): what the migration did, and what is left to do.

:func:`~migrator.report.build.build_report` reads the state (a view of it: nothing is written),
the spec and the bundle into a :class:`~migrator.report.model.HandoffReport`;
:mod:`migrator.report.render` shows it as Markdown or JSON.
"""

from __future__ import annotations
