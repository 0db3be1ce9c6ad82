"""``migrator sandbox serve``: a Twenty-compatible API on loopback until Ctrl-C.

The options are a list (:data:`SERVE_OPTIONS`) turned into a :class:`SandboxConfig` by
:func:`config_from_options`; a new flag is one more entry there and one more keyword in that
function.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from migrator.sandbox.app import make_sandbox
from migrator.sandbox.config import SandboxConfig
from migrator.sandbox.server import make_server

SERVE_OPTIONS: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
    click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind."),
    click.option("--port", default=0, show_default=True, type=int, help="Port (0: any free)."),
    click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="SQLite file of the workspace (default: in memory, lost on exit).",
    ),
    click.option("--api-key", default=None, help="Accept this key instead of minting one."),
    click.option(
        "--members",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="JSON list of workspace members ({firstName, lastName, email}) to seed.",
    ),
    click.option(
        "--twenty-version",
        type=click.Choice(["2.15", "upstream"]),
        default="2.15",
        show_default=True,
        help="Which Twenty to behave like (restore routes, partial unique indexes).",
    ),
]


def config_from_options(options: dict[str, Any]) -> SandboxConfig:
    """The sandbox configuration the command-line options describe."""
    return SandboxConfig(
        db_path=options.get("db"),
        api_key=options.get("api_key"),
        twenty_version=options.get("twenty_version", "2.15"),
        members_file=options.get("members"),
    )


@click.group("sandbox")
def sandbox_group() -> None:
    """A local Twenty-compatible API for rehearsals and tests."""


def _serve(**options: Any) -> int:
    """Serve a sandbox on loopback; print its URL and API key; stop on Ctrl-C."""
    with make_sandbox(config_from_options(options)) as sandbox:
        server = make_server(sandbox, options["host"], options["port"])
        host, port = server.server_address[:2]
        click.echo(f"Sandbox listening on http://{host!s}:{port}", err=False)
        click.echo(f"Workspace id: {sandbox.workspace_id}")
        click.echo(f"API key: {sandbox.api_key}")
        click.echo("Press Ctrl-C to stop.")
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            click.echo("Stopping the sandbox.")
        finally:
            server.server_close()
    return 0


serve_command: Callable[..., Any] = _serve
for _option in reversed(SERVE_OPTIONS):
    serve_command = _option(serve_command)
serve_command = sandbox_group.command("serve")(serve_command)
