"""Records per minute the Twenty client sustains against a rate-limited, slow destination.

Starts ``migrator sandbox serve`` in its own process with a 600 requests/min long bucket (short
bucket: Twenty's 100/s) and 1.5 s of latency on every request, drains the bucket with cheap
concurrent reads until it answers 429, then batch-creates companies (200 per request) through
:class:`~migrator.twenty.client.TwentyClient` for ``--minutes`` and measures records/min in steady
state from the audit events: requests leave in groups, and the records of every group but the
first and the last, over the time they took to refill, give the steady rate (the first group is
the first refill after the drain, the last a partial one). The reference is the ceiling,
requests/min x batch size.

It also reports what the pacing margin is for: how long each group of requests takes to leave
the client, and to reach the sandbox's records API (from its request log). The margin must cover
the difference, the arrival jitter, or the next group meets a 429.

    python bench/client_throughput.py [--minutes 3] [--concurrency 16] [--margin 0.05]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from served_sandbox import drain, start_sandbox

from migrator.twenty.client import ClientSettings, TwentyClient
from migrator.twenty.models import AuditEvent
from migrator.twenty.pacing import PacingLimits
from migrator.twenty.transport import build_http_client

NAMESPACE = uuid.UUID("0c7d5e0a-2f38-4b6b-9a0e-5b1f8e3c2d71")


def batches(count: int, size: int) -> Iterator[list[dict[str, Any]]]:
    """``count`` batches of ``size`` companies with deterministic ids, made as they are sent."""
    for start in range(0, count * size, size):
        yield [
            {"id": str(uuid.uuid5(NAMESPACE, f"co:{n}")), "name": f"Co {n}"}
            for n in range(start, start + size)
        ]


def steady_rate(events: list[tuple[float, AuditEvent]], group_gap: float) -> tuple[float, int]:
    """Records/min of accepted batch writes in steady state, and the count of 429s.

    A request's send time is its completion minus its duration (timed from the moment the pacer
    let it go). Sends come in groups; the records of groups 1..n-2 were refilled between the
    start of group 0 and the start of group n-2. Group 0 (the first refill after the drain) and
    the last group (a partial one, which still waits a full refill) are the run's edges, not its
    steady state, and are left out.
    """
    writes = [(done - e.duration_s, e) for done, e in events if e.method == "POST"]
    accepted = sorted((sent, e.record_count) for sent, e in writes if e.status == 201)
    groups: list[list[tuple[float, int]]] = []
    for sent, records in accepted:
        if groups and sent - groups[-1][-1][0] < group_gap:
            groups[-1].append((sent, records))
        else:
            groups.append([(sent, records)])
    refused = sum(1 for _, e in writes if e.status == 429)
    if len(groups) < 3:
        return 0.0, refused
    counted = sum(records for group in groups[1:-1] for _, records in group)
    span = groups[-2][0][0] - groups[0][0][0]
    return counted / span * 60.0, refused


def group_spreads(sends: list[float], gap: float) -> list[float]:
    """How long each group of near-simultaneous moments lasted (first to last)."""
    groups: list[list[float]] = []
    for moment in sorted(sends):
        if groups and moment - groups[-1][-1] < gap:
            groups[-1].append(moment)
        else:
            groups.append([moment])
    return [group[-1] - group[0] for group in groups]


def server_arrivals(url: str, key: str, since: float) -> list[float]:
    """When each accepted batch write entered the sandbox's records API (wall clock).

    An upper bound of the moment it passed the throttle: the sandbox logs the start of its own
    handling, which comes after the throttle and can wait for the interpreter lock.
    """
    response = httpx.get(
        f"{url}/_sandbox/requests", headers={"Authorization": f"Bearer {key}"}, timeout=60
    )
    arrivals = []
    for entry in response.json()["requests"]:
        if entry["method"] == "POST" and entry["status"] == 201:
            done = dt.datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp()
            arrivals.append(done - float(entry["durationMs"]) / 1000.0)
    return [moment for moment in arrivals if moment >= since]


def run(args: argparse.Namespace) -> dict[str, Any]:
    """One measured run; returns the figures."""
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        process, url, key = start_sandbox(
            Path(tmp) / "bench.db",
            *("--rate-limit-long", str(args.rate), "--rate-limit-long-ttl", "60000"),
            *("--latency", str(args.latency), "--twenty-version", args.version),
        )
        try:
            drain_s = drain(url, key, threads=96)
            events: list[tuple[float, AuditEvent]] = []
            lock = threading.Lock()

            def audit(event: AuditEvent) -> None:
                with lock:
                    events.append((time.monotonic(), event))

            settings = ClientSettings(
                limits=PacingLimits.per_minute(args.rate),
                concurrency=args.concurrency,
                margin_s=args.margin,
                max_group_s=args.group_seconds,
                assume_full_bucket=False,
            )
            http = build_http_client(url, key, max_connections=args.concurrency + 4)
            refill = int(args.group_seconds * args.rate / 60)
            group = max(1, min(args.concurrency, args.rate, refill))
            count = max(2, round(args.minutes * args.rate / group)) * group
            wall_start = time.time()
            with TwentyClient(http, settings=settings, audit=audit, owns_http=True) as client:
                written = 0
                for result in client.records.create_batches("companies", batches(count, 200)):
                    written += len(result.records) + len(result.already_present)
                stats = client.stats
            gap = 0.5 * group * 60.0 / args.rate
            rate, refused = steady_rate(events, group_gap=gap)
            sends = [done - e.duration_s for done, e in events if e.method == "POST"]
            client_spread = group_spreads(sends, gap)
            server_spread = group_spreads(server_arrivals(url, key, wall_start), gap)
        finally:
            process.terminate()
            process.wait(timeout=30)
    return {
        "rate": rate,
        "written": written,
        "requests": count,
        "refused": refused,
        "retries": stats.retries,
        "drain_s": drain_s,
        "group": group,
        "client_spread": client_spread,
        "server_spread": server_spread,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def main() -> None:
    """Parse options, measure, print the figures and the closing JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--rate", type=int, default=600, help="requests/min (long bucket)")
    parser.add_argument("--latency", type=float, default=1.5, help="seconds per request")
    parser.add_argument("--concurrency", type=int, default=ClientSettings().concurrency)
    parser.add_argument("--margin", type=float, default=ClientSettings().margin_s)
    parser.add_argument("--group-seconds", type=float, default=ClientSettings().max_group_s)
    parser.add_argument("--version", choices=["2.15", "upstream"], default="2.15")
    args = parser.parse_args()
    figures = run(args)
    ceiling = args.rate * 200.0
    print(
        f"concurrency {args.concurrency}, group {figures['group']}, margin {args.margin}s: "
        f"{figures['rate']:.0f} records/min of {ceiling:.0f} ({figures['rate'] / ceiling:.1%}); "
        f"{figures['refused']} x 429, {figures['retries']} retries, {figures['written']} written; "
        f"drained in {figures['drain_s']:.1f}s"
    )

    def spread(values: list[float]) -> str:
        ordered = sorted(values) or [0.0]
        return f"median {ordered[len(ordered) // 2] * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"

    print(
        f"{figures['requests']} requests in groups of {figures['group']}; group spread: client "
        f"{spread(figures['client_spread'])}, sandbox {spread(figures['server_spread'])}"
    )
    print(f"load average before {figures['load_before']}, after {figures['load_after']}")
    print(
        json.dumps(
            {
                "bench": "client_throughput",
                "metric": "records_per_minute_steady_state",
                "value": round(figures["rate"], 1),
                "unit": "records/min",
                "reference": ceiling,
                "reference_is": "ceiling",
                "ratio": round(figures["rate"] / ceiling, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
