"""The pre-flight audit (``migrator audit``): data quality, owners and collisions, before a move.

:func:`~migrator.audit.run.audit_bundle` produces an :class:`~migrator.audit.model.AuditReport`;
:mod:`migrator.audit.render` shows it as text or JSON. Nothing the audit outputs holds a source
value: findings name rules, fields and record keys.
"""

from __future__ import annotations
