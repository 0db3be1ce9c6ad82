"""The Python API of migrator: one function per command.

Each function takes paths, clients and a clock as parameters (never globals or the environment,
which ``migrator.cli`` reads and passes down), calls the pure cores, and returns data for the CLI
to render. They raise :class:`~migrator.errors.MigratorError` subclasses for expected failures.
"""

from __future__ import annotations

from migrator.workflows.apply import ApplyRequest, apply_plan_file, plan_for_apply, run_apply
from migrator.workflows.audit import audit
from migrator.workflows.delta import apply_delta, plan_delta
from migrator.workflows.destroy import destroy, plan_destroy
from migrator.workflows.examples import generate_example
from migrator.workflows.graph import graph
from migrator.workflows.init import init
from migrator.workflows.inventory import inventory
from migrator.workflows.plan import PlanResult, plan
from migrator.workflows.report import report
from migrator.workflows.state import (
    list_state,
    migrate_state,
    remove_from_state,
    show_state,
    show_state_entry,
    show_state_json,
    unlock_state,
)
from migrator.workflows.validate import ValidationResult, validate
from migrator.workflows.verify import verify

__all__ = [
    "ApplyRequest",
    "PlanResult",
    "ValidationResult",
    "apply_delta",
    "apply_plan_file",
    "audit",
    "destroy",
    "generate_example",
    "graph",
    "init",
    "inventory",
    "list_state",
    "migrate_state",
    "plan",
    "plan_delta",
    "plan_destroy",
    "plan_for_apply",
    "remove_from_state",
    "report",
    "run_apply",
    "show_state",
    "show_state_entry",
    "show_state_json",
    "unlock_state",
    "validate",
    "verify",
]
