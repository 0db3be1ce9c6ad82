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

from migrator.errors import SandboxError
from migrator.sandbox.app import make_sandbox
from migrator.sandbox.config import NO_RATE_LIMIT, Faults, RateLimit, SandboxConfig
from migrator.sandbox.faults import parse_latency
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


def _latency(ctx: click.Context, param: click.Parameter, value: str) -> tuple[float, float]:
    try:
        return parse_latency(value)
    except SandboxError as error:
        reason = error.summary.split(": ", 1)[-1]
        raise click.BadParameter(f"{reason} Use SECONDS or MIN:MAX, 0 <= MIN <= MAX.") from None


_PROBABILITY = click.FloatRange(0.0, 1.0)
_BUCKET = "calls per its TTL, 0 turns it off"
SERVE_OPTIONS += [
    click.option(
        "--rate-limit-short",
        type=click.IntRange(min=0),
        default=100,
        show_default=True,
        metavar="N",
        help=f"Twenty's short bucket: {_BUCKET}.",
    ),
    click.option(
        "--rate-limit-short-ttl",
        type=click.IntRange(min=1),
        default=1_000,
        show_default=True,
        metavar="MS",
        help="Refill period of the short bucket.",
    ),
    click.option(
        "--rate-limit-long",
        type=click.IntRange(min=0),
        default=100,
        show_default=True,
        metavar="N",
        help=f"Twenty's long bucket: {_BUCKET}.",
    ),
    click.option(
        "--rate-limit-long-ttl",
        type=click.IntRange(min=1),
        default=60_000,
        show_default=True,
        metavar="MS",
        help="Refill period of the long bucket.",
    ),
    click.option("--no-rate-limit", is_flag=True, help="Turn both buckets off."),
    click.option(
        "--latency",
        default="0",
        callback=_latency,
        metavar="SECONDS|MIN:MAX",
        help="Delay before each API request (uniform in MIN..MAX).",
        show_default=True,
    ),
    click.option(
        "--error-rate",
        type=_PROBABILITY,
        default=0.0,
        metavar="P",
        help="Share of data writes answered 503 without writing.",
    ),
    click.option(
        "--drop-rate",
        type=_PROBABILITY,
        default=0.0,
        metavar="P",
        help="Share of data writes whose connection drops before the write.",
    ),
    click.option(
        "--lost-response-rate",
        type=_PROBABILITY,
        default=0.0,
        metavar="P",
        help="Share of data writes stored, then their connection dropped.",
    ),
    click.option("--seed", type=int, default=0, show_default=True, help="Seed of the fault dice."),
]


def _traffic_settings(options: dict[str, Any]) -> dict[str, Any]:
    """Rate limit, faults and seed from the options (Twenty's limits unless told otherwise)."""
    limit = RateLimit(
        short_limit=options.get("rate_limit_short", 100),
        short_ttl_ms=options.get("rate_limit_short_ttl", 1_000),
        long_limit=options.get("rate_limit_long", 100),
        long_ttl_ms=options.get("rate_limit_long_ttl", 60_000),
    )
    if options.get("no_rate_limit"):
        if limit != RateLimit():
            raise click.UsageError("--no-rate-limit cannot be combined with --rate-limit-* values.")
        limit = NO_RATE_LIMIT
    faults = Faults(
        latency=options.get("latency", (0.0, 0.0)),
        error_rate=options.get("error_rate", 0.0),
        drop_rate=options.get("drop_rate", 0.0),
        lost_response_rate=options.get("lost_response_rate", 0.0),
    )
    return {"rate_limit": limit, "faults": faults, "seed": options.get("seed", 0)}


def config_from_options(options: dict[str, Any]) -> SandboxConfig:
    """The sandbox configuration the command-line options describe."""
    return SandboxConfig(
        db_path=options.get("db"),
        api_key=options.get("api_key"),
        twenty_version=options.get("twenty_version", "2.15"),
        members_file=options.get("members"),
        **_traffic_settings(options),
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
