"""Small validators for source values: each returns the normalised value and its findings.

Every finding has a severity: ERROR (the record goes to the quarantine with the reason), WARN
(loaded, flagged, raw value kept) or FIX (normalised and counted). Findings name a code and, once
attached to a record, the record key and the field; they never quote the value.
"""

from __future__ import annotations
