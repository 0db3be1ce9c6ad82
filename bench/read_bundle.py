"""Generate a large synthetic bundle, then verify and stream it back: speed and peak memory.

Usage: ``python bench/read_bundle.py [--system oplacrm] [--records 1000000] [--seed 1]``

1. Generates the bundle into a temporary folder (never into the repository) in a child process,
   timed against the 2-minute target of #7, so the generator's memory is not counted below.
2. Verifies it (every sha256, count and line) and reads every record of every object through
   :meth:`Bundle.read`, in this process; reports records/s and the peak RSS of this process.
3. Measures the read floor: iterating the same files' lines as bytes, without decoding.

Output: one JSON line for generation (reference: the 120 s target), one for verification, then,
last, the read throughput. Verification and reading use the read floor as reference (the rate,
in records/s, of merely iterating the files' lines as bytes, measured in the same run):
``ratio`` is the share of that rate they reach. Every line carries this process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from migrator.sources.bundle import open_bundle

GENERATION_TARGET_SECONDS = 120.0


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(system: str, records: int, seed: int, out: Path) -> float:
    """Run the generator CLI in a child process; return the wall-clock seconds."""
    command = [sys.executable, "-m", "migrator", "examples", "generate", system,
               "--records", str(records), "--seed", str(seed), "--out", str(out)]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def read_floor(root: Path) -> tuple[int, float]:
    """Records and seconds to merely iterate the JSON Lines files' lines as bytes."""
    start, lines = time.perf_counter(), 0
    for path in sorted(root.glob("*.jsonl")):
        with path.open("rb") as handle:
            lines += sum(1 for _ in handle)
    return lines, time.perf_counter() - start


def line(bench: str, metric: str, value: float, unit: str, reference: float, kind: str) -> str:
    """One result line in the project's bench convention."""
    return json.dumps({
        "bench": bench, "metric": metric, "value": round(value, 3), "unit": unit,
        "reference": round(reference, 3), "reference_is": kind,
        "ratio": round(value / reference, 4) if reference else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    })  # fmt: skip


def main() -> None:
    """Run the benchmark and print its lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--system", default="oplacrm", choices=("oplacrm", "aeronaclinic"))
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="migrator-bench-"))
    try:
        root = workdir / "bundle"
        seconds = generate(args.system, args.records, args.seed, root)
        print(line("read_bundle", "generate_seconds", seconds, "s",
                   GENERATION_TARGET_SECONDS, "target"))  # fmt: skip
        floor_lines, floor_seconds = read_floor(root)
        floor_rate = floor_lines / floor_seconds
        bundle = open_bundle(args.system, root)
        start = time.perf_counter()
        report = bundle.verify()
        verify_seconds = time.perf_counter() - start
        total = sum(f.records for f in report.files)
        print(line("read_bundle", "verify_records_per_second", total / verify_seconds,
                   "records/s", floor_rate, "floor"))  # fmt: skip
        start, count = time.perf_counter(), 0
        for name in bundle.objects:
            for _ in bundle.read(name):
                count += 1
        read_seconds = time.perf_counter() - start
        print(
            f"records={count} generate_s={seconds:.1f} verify_s={verify_seconds:.1f} "
            f"read_s={read_seconds:.1f} floor_s={floor_seconds:.2f}"
        )
        print(line("read_bundle", "read_records_per_second", count / read_seconds, "records/s",
                   floor_rate, "floor"))  # fmt: skip
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
