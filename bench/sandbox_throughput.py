"""Records per minute the sandbox accepts through batch create, with rate limiting off.

Starts ``migrator sandbox serve --port 0 --no-rate-limit`` in its own process (a SQLite file in a
temporary directory unless ``--memory``), reads the URL and key it prints, sends a few warm-up
batches, then pushes ``--records`` new companies (or people) in batches of 200 from ``--threads``
client threads over loopback and measures records/min from the first send to the last answer.
Payloads are built before the clock starts, so the figure is the sandbox's, not the client's
JSON encoding. Every batch must answer 201, and the stored count is checked at the end. The
target is 150,000 records/min: faster than the client and apply benchmarks ever push (120,000).

    python bench/sandbox_throughput.py [--records 300000] [--threads 4] [--object companies]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
from served_sandbox import start_sandbox

BENCH = "sandbox_throughput"
TARGET_PER_MINUTE = 150_000
BATCH_SIZE = 200
NAMESPACE = uuid.UUID("5b0c3c0e-8f0e-4d8e-a7d5-0b6f3b1d9e42")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=300_000, help="records to create (timed)")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    parser.add_argument("--object", choices=["companies", "people"], default="companies")
    parser.add_argument("--warmup", type=int, default=5, help="untimed batches sent first")
    parser.add_argument("--memory", action="store_true", help="in-memory database, not a file")
    return parser.parse_args()


def record(kind: str, index: int) -> dict[str, object]:
    """One synthetic record with a deterministic id and unique values (as apply sends them)."""
    record_id = str(uuid.uuid5(NAMESPACE, f"{kind}-{index}"))
    if kind == "companies":
        return {
            "id": record_id,
            "name": f"Bench Company {index}",
            "domainName": {"primaryLinkUrl": f"https://bench-{index}.example.com"},
            "address": {"addressCity": "Hanoi", "addressCountry": "Vietnam"},
        }
    return {
        "id": record_id,
        "name": {"firstName": f"Bench{index}", "lastName": "Person"},
        "emails": {"primaryEmail": f"bench.{index}@example.com"},
        "jobTitle": "Tester",
    }


def payloads(kind: str, first: int, count: int) -> list[bytes]:
    """Batch bodies for records ``first`` .. ``first + count - 1``, already encoded."""
    bodies = []
    for start in range(first, first + count, BATCH_SIZE):
        batch = [record(kind, i) for i in range(start, min(start + BATCH_SIZE, first + count))]
        bodies.append(json.dumps(batch).encode())
    return bodies


def push(url: str, key: str, path: str, bodies: list[bytes], threads: int) -> float:
    """Send every body from ``threads`` threads; return the wall time. Raises on any non-201."""
    lock = threading.Lock()
    pending = list(reversed(bodies))
    failures: list[str] = []
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def worker() -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=120.0) as client:
            while not failures:
                with lock:
                    if not pending:
                        return
                    body = pending.pop()
                answer = client.post(path, content=body)
                if answer.status_code != 201:
                    with lock:
                        failures.append(f"{answer.status_code} {answer.text[:300]}")

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"a batch was refused: {failures[0]}")
    return elapsed


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    args = parse_args()
    path = f"/rest/batch/{args.object}"
    warmup_records = args.warmup * BATCH_SIZE
    warmup = payloads(args.object, 0, warmup_records)
    timed = payloads(args.object, warmup_records, args.records)
    with tempfile.TemporaryDirectory(prefix="sandbox-bench-") as workdir:
        db = None if args.memory else Path(workdir) / "sandbox.db"
        process, url, key = start_sandbox(db, "--no-rate-limit")
        try:
            push(url, key, path, warmup, 1)
            load_before = os.getloadavg()
            server_cpu = cpu_seconds(process.pid)
            elapsed = push(url, key, path, timed, args.threads)
            server_cpu = cpu_seconds(process.pid) - server_cpu
            load_after = os.getloadavg()
            auth = {"Authorization": f"Bearer {key}"}
            listed = httpx.get(f"{url}/rest/{args.object}?limit=1", headers=auth, timeout=60)
            stored = int(listed.json()["totalCount"])
        finally:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=30)
    if stored != warmup_records + args.records:
        raise RuntimeError(f"stored {stored} records, expected {warmup_records + args.records}")
    per_minute = args.records / elapsed * 60
    print(f"object: {args.object}; database: {'memory' if args.memory else 'file'}")
    print(f"records: {args.records} in {len(timed)} batches from {args.threads} threads")
    print(f"elapsed: {elapsed:.1f} s; stored (with warm-up): {stored}")
    print(f"sandbox process CPU: {server_cpu:.1f} s ({server_cpu / elapsed:.0%} of one core)")
    print(f"load average before: {load_before[0]:.2f}; after: {load_after[0]:.2f}")
    print(f"records/min: {per_minute:,.0f} (target {TARGET_PER_MINUTE:,})")
    result = {
        "bench": BENCH,
        "metric": "batch_create_records_per_min",
        "value": round(per_minute),
        "unit": "records/min",
        "reference": TARGET_PER_MINUTE,
        "reference_is": "target",
        "ratio": round(per_minute / TARGET_PER_MINUTE, 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
