"""The command line: the only place that prints, reads the environment or exits.

``main`` runs the click group under one error handler (pre-commit's ``error_handler``):

* a :class:`~migrator.errors.MigratorError` prints ``Error: <summary>``, the detail and the next
  step, and exits 1 (click usage errors exit 1 too, so that 2 keeps its one meaning: "changes
  present" under ``--detailed-exitcode``);
* Ctrl-C exits 130;
* any other exception prints one short line, writes the traceback to an owner-only log file whose
  path it prints, and exits 3;
* ``--debug`` re-raises instead.

Each command lives in its own module under ``migrator/cli/`` and is registered here.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from migrator.cli.app import cli
from migrator.cli.apply import apply_command
from migrator.cli.audit import audit_command
from migrator.cli.delta import delta_command
from migrator.cli.destroy import destroy_command
from migrator.cli.errors import run_with_error_handling
from migrator.cli.examples import examples_group
from migrator.cli.graph import graph_command
from migrator.cli.init import init_command
from migrator.cli.inventory import inventory_command
from migrator.cli.plan import plan_command
from migrator.cli.report import report_command
from migrator.cli.sandbox import sandbox_group
from migrator.cli.state import state_group
from migrator.cli.validate import validate_command
from migrator.cli.verify import verify_command

cli.add_command(validate_command)
cli.add_command(sandbox_group)
cli.add_command(state_group)
cli.add_command(graph_command)
cli.add_command(plan_command)
cli.add_command(examples_group)
cli.add_command(apply_command)
cli.add_command(audit_command)
cli.add_command(inventory_command)
cli.add_command(report_command)
cli.add_command(init_command)
cli.add_command(delta_command)
cli.add_command(destroy_command)
cli.add_command(verify_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and exit with its code."""
    args = list(sys.argv[1:] if argv is None else argv)
    sys.exit(run_with_error_handling(cli, args))


__all__ = ["cli", "click", "main"]
