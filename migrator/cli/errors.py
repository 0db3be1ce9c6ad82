"""The one error handler: exit codes 0/1/2/3/130 and the bug log file."""

from __future__ import annotations

import datetime as dt
import tempfile
import traceback
from pathlib import Path

import click

from migrator import __version__
from migrator.errors import MigratorError, SpecError
from migrator.private_files import open_private

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_BUG = 3
EXIT_INTERRUPTED = 130

BUG_LOG_NAME = "last-error.log"


def render_migrator_error(error: MigratorError) -> str:
    """The text a user sees for an expected failure (no traceback, no secrets)."""
    lines: list[str] = []
    if isinstance(error, SpecError):
        lines.extend(d.render() for d in error.diagnostics)
    lines.append(f"Error: {error.summary}")
    if error.detail:
        lines.append(error.detail)
    if error.hint:
        lines.append(f"Next step: {error.hint}")
    return "\n".join(lines)


def write_bug_log(exc: BaseException, argv: list[str]) -> Path:
    """Write the traceback of an unexpected exception to an owner-only log; return its path.

    The log goes to ``.migrator/last-error.log`` under the working directory, or to the temporary
    directory when that is not writable. The command line is recorded without its arguments'
    values past the command name, which may be paths to patient data.
    """
    text = "".join(traceback.format_exception(exc))
    header = (
        f"migrator {__version__} unexpected error at {dt.datetime.now(dt.UTC).isoformat()}\n"
        f"command: migrator {' '.join(argv[:1])} …\n\n"
    )
    for directory in (Path.cwd() / ".migrator", Path(tempfile.gettempdir()) / "migrator"):
        path = directory / BUG_LOG_NAME
        try:
            with open_private(path, "w") as handle:
                handle.write(header + text)
        except OSError:
            continue
        return path
    return Path("(no writable location for the log)")


def run_with_error_handling(group: click.Group, argv: list[str]) -> int:
    """Run ``group`` on ``argv`` and turn every outcome into an exit code."""
    debug = "--debug" in argv
    try:
        result = group.main(args=argv, prog_name="migrator", standalone_mode=False)
    except MigratorError as error:
        if debug:
            raise
        click.echo(render_migrator_error(error), err=True)
        return EXIT_ERROR
    except click.exceptions.Abort as abort:
        if isinstance(abort.__cause__, KeyboardInterrupt):
            click.echo("Interrupted.", err=True)
            return EXIT_INTERRUPTED
        click.echo("Aborted.", err=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as error:
        error.show()
        return EXIT_ERROR
    except click.exceptions.Exit as done:
        return done.exit_code
    except Exception as exc:
        if debug:
            raise
        log = write_bug_log(exc, [a for a in argv if not a.startswith("-")])
        click.echo(
            f"Error: unexpected error ({type(exc).__name__}); this is a bug in migrator.\n"
            f"The traceback is in {log}; please attach it to a bug report.",
            err=True,
        )
        return EXIT_BUG
    return result if isinstance(result, int) else EXIT_OK
