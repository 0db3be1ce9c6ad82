"""``migrator sandbox serve`` rate-limit and fault flags: parsed, checked, and in force when served.

Parsing is checked through click's own context (no server started); one test serves a sandbox in
a child process with flags set and checks, over loopback, that the limit and knobs are in force.
"""

from __future__ import annotations

import signal
import subprocess
import sys

import click
import httpx
import pytest

from migrator.cli import main
from migrator.cli.sandbox import config_from_options, serve_command
from migrator.sandbox.config import NO_RATE_LIMIT, Faults, RateLimit, SandboxConfig
from tests.conftest import REPO_ROOT


def parsed(*args: str) -> SandboxConfig:
    assert isinstance(serve_command, click.Command)
    context = serve_command.make_context("serve", list(args))
    return config_from_options(dict(context.params))


def test_serve_defaults_to_twentys_limits_and_no_faults():
    config = parsed()
    assert config.rate_limit == RateLimit(100, 1_000, 100, 60_000)
    assert config.faults == Faults()
    assert config.seed == 0


def test_serve_flags_set_every_knob():
    config = parsed(
        "--rate-limit-short", "10", "--rate-limit-short-ttl", "500",
        "--rate-limit-long", "0", "--rate-limit-long-ttl", "1000",
        "--latency", "0.1:0.25", "--error-rate", "0.1", "--drop-rate", "0.05",
        "--lost-response-rate", "0.02", "--seed", "7",
    )  # fmt: skip
    assert config.rate_limit == RateLimit(10, 500, 0, 1_000)
    assert config.faults == Faults(
        latency=(0.1, 0.25), error_rate=0.1, drop_rate=0.05, lost_response_rate=0.02
    )
    assert config.seed == 7
    assert parsed("--latency", "2").faults.latency == (2.0, 2.0)
    assert parsed("--no-rate-limit").rate_limit == NO_RATE_LIMIT


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--latency", "0.5:0.1"], "Invalid value for '--latency': the minimum 0.5 is above"),
        (["--latency", "fast"], "Invalid value for '--latency': 'fast' is not a number"),
        (["--latency", "-1"], "seconds cannot be negative. Use SECONDS or MIN:MAX"),
        (["--error-rate", "1.5"], "Invalid value for '--error-rate': 1.5 is not in the range"),
        (["--drop-rate", "-0.1"], "Invalid value for '--drop-rate'"),
        (["--lost-response-rate", "x"], "Invalid value for '--lost-response-rate'"),
        (["--rate-limit-short", "-1"], "Invalid value for '--rate-limit-short'"),
        (["--rate-limit-long-ttl", "0"], "Invalid value for '--rate-limit-long-ttl'"),
        (["--no-rate-limit", "--rate-limit-long", "5"], "--no-rate-limit cannot be combined"),
    ],
)
def test_serve_refuses_bad_flags_with_a_clear_message(args, message, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["sandbox", "serve", *args])
    assert exited.value.code == 1
    assert message in capsys.readouterr().err


def test_served_sandbox_enforces_the_flags_over_loopback(tmp_path):
    process = subprocess.Popen(
        [
            sys.executable, "-m", "migrator", "sandbox", "serve", "--port", "0",
            "--rate-limit-short", "0", "--rate-limit-long", "3",
            "--error-rate", "1", "--latency", "0:0.01", "--seed", "5",
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(3)]
        url, key = lines[0].rsplit(" ", 1)[-1], lines[2].split(": ", 1)[1]
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as client:
            knobs = client.get("/_sandbox/faults").json()
            write = client.post("/rest/companies", json={"name": "Nope"})
            reads = [client.get("/rest/companies").status_code for _ in range(4)]
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
    assert (knobs["error_rate"], knobs["latency"], knobs["seed"]) == (1.0, [0.0, 0.01], 5)
    assert write.status_code == 503  # the fault layer answered: no token spent
    assert reads == [200, 200, 200, 429]
