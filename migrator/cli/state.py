"""``migrator state list|show|rm|unlock|migrate``: inspect, repair and move the state.

The state comes from ``--state PATH|URI`` (or ``MIGRATOR_STATE``): a file, or a PostgreSQL
schema as ``postgresql://user@host/db?schema=NAME`` (the password from PGPASSWORD or a .pgpass
file); else the only ``.migrator/*.state.db`` of the working directory. ``state import MAPPING
--spec SPEC`` adopts records already in Twenty (its state is the spec's unless ``--state``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from migrator.clock import SystemClock
from migrator.state.location import StateLocation, parse_state_location
from migrator.state.show import render_state_summary
from migrator.workflows import state as state_workflows
from migrator.workflows.apply import import_state_records

F = TypeVar("F", bound=Callable[..., Any])

_CHUNK_CHARS = 1 << 16


def state_option(command: F) -> F:
    """The ``--state PATH|URI`` option every state command takes."""
    return click.option(
        "--state",
        "state_path",
        metavar="PATH|URI",
        envvar="MIGRATOR_STATE",
        help=(
            "The state: a file, or postgresql://user@host/db?schema=NAME "
            "(default: the only .migrator/*.state.db here)."
        ),
    )(command)


def _resolve(state_path: str | None) -> StateLocation:
    return state_workflows.resolve_state_location(state_path, cwd=Path.cwd())


def _echo_chunks(chunks: Iterable[str]) -> None:
    buffer: list[str] = []
    size = 0
    for chunk in chunks:
        buffer.append(chunk)
        size += len(chunk)
        if size >= _CHUNK_CHARS:
            click.echo("".join(buffer), nl=False)
            buffer, size = [], 0
    click.echo("".join(buffer), nl=False)


@click.group("state")
def state_group() -> None:
    """Inspect and repair the state."""


@state_group.command("list")
@state_option
@click.option("--mapping", help="Only the records of this mapping.")
def list_command(state_path: str | None, mapping: str | None) -> None:
    """Print every address in the state: schema resources, then records."""
    path = _resolve(state_path)
    _echo_chunks(f"{address}\n" for address in state_workflows.list_state(path, mapping=mapping))


@state_group.command("show")
@click.argument("address", required=False)
@state_option
@click.option("--json", "as_json", is_flag=True, help="The whole state as canonical JSON.")
@click.option(
    "--include-pre-images",
    is_flag=True,
    help="Show the values of pre-existing records migrator changed (may be personal data).",
)
def show_command(
    address: str | None, state_path: str | None, as_json: bool, include_pre_images: bool
) -> None:
    """Summarise the state, print it as JSON, or print what it holds at ADDRESS."""
    path = _resolve(state_path)
    if address is not None:
        click.echo(
            state_workflows.show_state_entry(path, address, include_pre_images=include_pre_images),
            nl=False,
        )
    elif as_json:
        _echo_chunks(state_workflows.show_state_json(path, include_pre_images=include_pre_images))
    else:
        click.echo(render_state_summary(state_workflows.show_state(path)))


@state_group.command("rm")
@click.argument("addresses", nargs=-1, required=True)
@state_option
@click.option(
    "--lock-timeout",
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds to wait for the lock.",
)
def rm_command(addresses: tuple[str, ...], state_path: str | None, lock_timeout: float) -> None:
    """Forget ADDRESSES in the state (Twenty is not touched)."""
    path = _resolve(state_path)
    serial = state_workflows.remove_from_state(
        path, addresses, lock_timeout=lock_timeout, clock=SystemClock()
    )
    noun = "address" if len(addresses) == 1 else "addresses"
    click.echo(f"Removed {len(addresses)} {noun} from {path.display()} (serial {serial}).")


@state_group.command("unlock")
@state_option
@click.option("--force", is_flag=True, help="Release the lock even if its holder may be alive.")
def unlock_command(state_path: str | None, force: bool) -> None:
    """Release a lock left by a migrator process that is gone."""
    path = _resolve(state_path)
    released = state_workflows.unlock_state(path, force=force)
    if released is None:
        click.echo(f"{path.display()} is not locked.")
    else:
        click.echo(
            f"Released the lock of {released.who} since {released.since} "
            f"({released.operation}, pid {released.pid} on {released.host})."
        )


@state_group.command("migrate")
@click.option(
    "--to",
    "backend",
    type=click.Choice(["postgres", "sqlite"]),
    required=True,
    help="The backend to move the state to.",
)
@click.argument("target")
@state_option
@click.option(
    "--lock-timeout",
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds to wait for the locks.",
)
def migrate_command(backend: str, target: str, state_path: str | None, lock_timeout: float) -> None:
    """Copy the state to TARGET on another backend, without loss.

    TARGET is a file path (--to sqlite) or postgresql://user@host/db?schema=NAME (--to
    postgres), new or empty. Lineage, serial, the run journal and pre-images are kept; the
    source is left as it was. Point the spec's state section at TARGET afterwards.
    """
    source = _resolve(state_path)
    destination = state_workflows.target_location(backend, target)
    copied = state_workflows.migrate_state(
        source, destination, lock_timeout=lock_timeout, clock=SystemClock()
    )
    click.echo(
        f"Copied state {copied.lineage or '(empty)'} at serial {copied.serial} "
        f"({copied.records} records) from {copied.source} to {copied.target}."
    )
    click.echo(f"Both give the same `state show --json` (sha256 {copied.view_sha256}).")


@state_group.command("import")
@click.argument("mapping")
@click.option(
    "--spec",
    "spec_path",
    required=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="The migration spec whose mapping to adopt records for.",
)
@click.option("--by", help="Match on this field (default: the provenance field migrationSourceId).")
@state_option
@click.option(
    "--lock-timeout",
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds to wait for the lock.",
)
def import_command(
    mapping: str, spec_path: Path, by: str | None, state_path: str | None, lock_timeout: float
) -> None:
    """Adopt MAPPING's records already in Twenty into the state (Twenty is not written)."""
    result = import_state_records(
        spec_path,
        mapping,
        environ=dict(os.environ),
        by=by,
        state_path=parse_state_location(state_path) if state_path else None,
        lock_timeout=lock_timeout,
    )
    click.echo(
        f"Adopted {result.adopted} of {result.desired} records of {mapping} by {result.by} "
        f"({result.already_known} already in the state, {result.not_found} not in Twenty; "
        f"{result.twenty_records_read} Twenty records read). State serial {result.serial}."
    )
