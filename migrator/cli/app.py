"""The root click group and the options every command shares."""

from __future__ import annotations

import logging

import click

from migrator import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="migrator")
@click.option("--debug", is_flag=True, help="Re-raise unexpected errors with their traceback.")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug) to stderr.")
def cli(debug: bool, verbose: int) -> None:
    """Plan and apply migrations of CRM data and schema into Twenty CRM."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    del debug  # read by the error handler before click parses anything
