"""The Python API of migrator: one function per command.

Each function takes paths, clients and a clock as parameters (never globals or the environment,
which ``migrator.cli`` reads and passes down), calls the pure cores, and returns data for the CLI
to render. They raise :class:`~migrator.errors.MigratorError` subclasses for expected failures.
"""

from __future__ import annotations

from migrator.workflows.examples import generate_example
from migrator.workflows.graph import graph
from migrator.workflows.plan import PlanResult, plan
from migrator.workflows.state import (
    list_state,
    remove_from_state,
    show_state,
    show_state_entry,
    show_state_json,
    unlock_state,
)
from migrator.workflows.validate import ValidationResult, validate

__all__ = [
    "PlanResult",
    "ValidationResult",
    "generate_example",
    "graph",
    "list_state",
    "plan",
    "remove_from_state",
    "show_state",
    "show_state_entry",
    "show_state_json",
    "unlock_state",
    "validate",
]
