"""The state lock: who holds it, the error a second holder gets, and when it may be broken.

A store is locked for the whole of an apply (and briefly by ``state rm``). The lock is a row in the
store itself (local-only: never part of ``state show --json``, never bumps the serial), so it
survives the death of its holder: a process killed with SIGKILL leaves its lock behind, and
``migrator state unlock`` releases it only after checking that the holder's process is gone from
this host (refusing otherwise unless forced). This module holds the pure parts; the backends
store the row.
"""

from __future__ import annotations

import getpass
import os
import socket
from pathlib import Path

from migrator.clock import Clock, isoformat_z
from migrator.errors import StateLocked
from migrator.model import FrozenModel


class LockInfo(FrozenModel):
    """Who holds a state lock (Terraform's ``LockInfo``)."""

    lock_id: str
    """Unique per acquisition: only the holder of this id releases the lock normally."""
    who: str
    """The user name of the holder."""
    pid: int
    """The holder's process id on ``host``."""
    host: str
    operation: str
    """What the holder is doing (``apply``, ``destroy``, ``state rm``)."""
    since: str
    """When it was acquired, ISO-8601 UTC."""


def describe_current_process(lock_id: str, operation: str, clock: Clock) -> LockInfo:
    """A :class:`LockInfo` for this process."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = f"uid {os.getuid()}"
    return LockInfo(
        lock_id=lock_id,
        who=who,
        pid=os.getpid(),
        host=socket.gethostname(),
        operation=operation,
        since=isoformat_z(clock.now()),
    )


def is_process_running(pid: int) -> bool:
    """True when ``pid`` names a live (non-zombie) process on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by another user
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def locked_error(info: LockInfo, *, location: str) -> StateLocked:
    """The error a second acquirer gets: who, since when, doing what, and the way out."""
    return StateLocked(
        f"state is locked by {info.who} since {info.since} ({info.operation})",
        detail=f"The lock on {location} is held by process {info.pid} on host {info.host}.",
        hint=(
            "wait for that run to finish; if it was killed, release the lock with "
            f"`migrator state unlock --state {location}`"
        ),
    )


def unrecorded_holder_error(*, location: str) -> StateLocked:
    """The error an acquirer gets when no lock row is left but the holder is still connected
    (its row was removed by ``state unlock --force`` while it ran)."""
    return StateLocked(
        "state is locked by a connected process whose lock record was removed",
        detail=(
            f"A process that took the lock on {location} is still connected to the state "
            "database; its lock record was removed with `state unlock --force` while it ran."
        ),
        hint="wait for that process to end (its connection closes with it), then retry",
    )


def check_breakable(
    info: LockInfo, *, location: str, force: bool, holder_connected: bool | None = None
) -> None:
    """Raise :class:`StateLocked` unless the lock's holder is provably gone (or ``force``).

    Provably gone means: the state's server says the holder's connection is closed
    (``holder_connected`` is False), or, for a backend that cannot tell (None), the lock was
    taken on this host and its process no longer runs. A lock from another host of a file
    state cannot be checked and needs ``force``.
    """
    if force:
        return
    here = socket.gethostname()
    if holder_connected is not None:
        if not holder_connected:
            return
        reason = (
            f"its holder (process {info.pid} on host {info.host}) is still connected to the "
            "state database"
        )
    elif info.host != here:
        reason = f"it was taken on host {info.host}, so this host cannot check its process"
    elif is_process_running(info.pid):
        reason = f"its process {info.pid} is still running on this host"
    else:
        return
    raise StateLocked(
        f"state is locked by {info.who} since {info.since} ({info.operation}); not unlocking",
        detail=f"The lock on {location} was not released: {reason}.",
        hint=(
            "let that run finish or stop it; only if you are sure nothing is writing, run "
            f"`migrator state unlock --force --state {location}`"
        ),
    )
