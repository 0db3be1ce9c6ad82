"""migrator: Terraform-style plan/apply migrations of CRM data and schema into Twenty CRM."""

from __future__ import annotations

__version__ = "0.1.0"
