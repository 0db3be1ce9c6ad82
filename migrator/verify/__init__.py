"""Verify: read back what migrator wrote and prove, field by field, that Twenty holds what the
source says (:mod:`.check`), with per-object conservation; :mod:`.model` is the report and
:mod:`.render` its text view."""

from __future__ import annotations
