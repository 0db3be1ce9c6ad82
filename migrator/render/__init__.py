"""Views of a plan: text for a terminal, Markdown for a pull request, JSON for machines.

Each view is a pure function of a :class:`~migrator.plan.model.PlanHeader` and a stream of
:class:`~migrator.plan.model.RecordChange` values (style.md 3.1: compute, then render). Views never
read files, the clock or the environment, and they consume record changes one at a time, so a
1,000,000-change plan renders in constant memory. No view ever shows a sensitive value: a field
diff marked sensitive is shown as :data:`~migrator.plan.model.SENSITIVE_MARKER` whatever values it
carries.
"""

from __future__ import annotations
