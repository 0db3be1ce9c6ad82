"""The state lock: one holder, a clear refusal, waiting, and breaking when its holder is gone."""

from __future__ import annotations

import getpass
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from migrator.clock import FixedClock
from migrator.errors import StateLocked
from migrator.state import LockInfo
from migrator.state.lock import check_breakable, is_process_running
from tests.unit.state.conftest import StoreFactory


def lock(pid: int, host: str | None = None) -> LockInfo:
    return LockInfo(
        lock_id="l-1",
        who="ana",
        pid=pid,
        host=host or socket.gethostname(),
        operation="apply",
        since="2026-01-01T00:00:00.000Z",
    )


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_second_acquirer_is_told_who_since_when_and_what(make_store: StoreFactory) -> None:
    holder, other = make_store(), make_store()
    mine = holder.acquire_lock("apply")
    assert holder.acquire_lock("apply") == mine  # re-entrant for its holder
    assert (mine.pid, mine.operation, mine.who) == (os.getpid(), "apply", getpass.getuser())
    with pytest.raises(StateLocked) as caught:
        other.acquire_lock("destroy")
    error = caught.value
    assert error.summary == (
        f"state is locked by {getpass.getuser()} since 2026-01-01T00:00:00.000Z (apply)"
    )
    assert f"process {os.getpid()} on host {socket.gethostname()}" in error.detail
    assert "`migrator state unlock --state " in error.hint
    assert other.lock_info() == mine


def test_releasing_or_closing_frees_the_lock(make_store: StoreFactory) -> None:
    holder, other = make_store(), make_store()
    holder.acquire_lock("apply")
    holder.release_lock()
    other.acquire_lock("apply")
    other.close()
    assert holder.lock_info() is None


def test_lock_timeout_waits_then_gives_up(make_store: StoreFactory, clock: FixedClock) -> None:
    holder, other = make_store(), make_store()
    holder.acquire_lock("apply")
    with pytest.raises(StateLocked):
        other.acquire_lock("apply", timeout=2.0)
    assert clock.monotonic() == pytest.approx(2.0)


def test_lock_timeout_succeeds_when_the_holder_finishes_in_time(
    make_store: StoreFactory, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder, other = make_store(), make_store()
    holder.acquire_lock("apply")
    advance = clock.sleep

    def finish_while_waiting(seconds: float) -> None:
        advance(seconds)
        if clock.monotonic() >= 1.0:
            holder.release_lock()

    monkeypatch.setattr(clock, "sleep", finish_while_waiting)
    got = other.acquire_lock("apply", timeout=5.0)
    assert got.operation == "apply"
    assert clock.monotonic() == pytest.approx(1.0)


def test_a_lock_is_breakable_only_when_its_process_is_gone_from_this_host() -> None:
    check_breakable(lock(dead_pid()), location="s.db", force=False)
    with pytest.raises(StateLocked, match="not unlocking") as alive:
        check_breakable(lock(os.getpid()), location="s.db", force=False)
    assert f"its process {os.getpid()} is still running on this host" in alive.value.detail
    assert "--force" in alive.value.hint
    with pytest.raises(StateLocked) as remote:
        check_breakable(lock(dead_pid(), host="elsewhere"), location="s.db", force=False)
    assert "taken on host elsewhere" in remote.value.detail
    check_breakable(lock(os.getpid(), host="elsewhere"), location="s.db", force=True)


def test_a_killed_unreaped_process_counts_as_gone() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert is_process_running(child.pid)
        os.kill(child.pid, signal.SIGKILL)
        for _ in range(200):  # the zombie appears once the kernel has delivered the signal
            if not is_process_running(child.pid):
                break
            time.sleep(0.01)
        assert not is_process_running(child.pid)
    finally:
        child.kill()
        child.wait()
    assert not is_process_running(child.pid)
    assert not is_process_running(0)
