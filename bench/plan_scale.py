"""Planning a million-record OplaCRM bundle against an empty sandbox: seconds and peak memory.

Generates a bundle (``migrator examples generate oplacrm --records N --seed S``, not timed),
writes the OplaCRM example spec pointed at it and at a fresh sandbox file whose workspace has
invited the bundle's active users (as production would; otherwise nearly every record is held
for its owner), then in the same run:

* the **floor**: the time to merely read and hash the bundle (:meth:`Bundle.verify`: every record
  parsed, every file hashed — what any plan must at least do, since it binds the fingerprint);
* the **plan**: ``migrator plan SPEC -o FILE`` in its own process (the real CLI: spec checks,
  bundle verification, mapping, diff, plan file, and the text rendering written to a file),
  timed wall-clock, with that process's peak resident memory from ``wait4``.

The targets (issue #8): under 60 s and under 1 GB on a 2-core machine. The last line is the JSON
of the bench convention, with the floor as the reference.

With ``--without-render`` it also times the plan without any rendering, in its own process:
:func:`migrator.workflows.plan` writing the plan file (spec checks, verification, mapping, diff,
plan file), to tell the planning from the view.

    python bench/plan_scale.py [--records 1000000] [--seed 1] [--keep DIR] [--without-render]
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from migrator.plan.planfile import read_plan_header
from migrator.sources.bundle import open_bundle
from migrator.sources.generator import generate_bundle
from migrator.sources.generator.members import write_members_file

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "oplacrm" / "migration.yaml"
TARGET_SECONDS = 60.0
TARGET_RSS_MB = 1024.0


def read_and_hash(bundle: Path) -> float:
    """Seconds to read every record of the bundle and sha256 every file (attachments included):
    :meth:`Bundle.verify`, which any plan must do since the plan binds the fingerprint."""
    started = time.perf_counter()
    open_bundle("oplacrm", bundle).verify()
    return time.perf_counter() - started


def write_spec(project: Path, bundle: Path) -> Path:
    """The OplaCRM example spec, reading ``bundle`` and writing to a fresh sandbox file whose
    workspace has invited the bundle's active users (as a production workspace would have)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("bundle: ./data", f"bundle: {bundle}")
    spec = project / "migration.yaml"
    spec.write_text(text, encoding="utf-8")
    write_members_file(bundle, project / "workspace-members.json")
    return spec


def run_plan(spec: Path, out: Path) -> tuple[float, float, int]:
    """``(seconds, peak RSS in MB, exit code)`` of ``migrator plan SPEC -o OUT``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIGRATOR_", "TWENTY_"))}
    command = [sys.executable, "-m", "migrator", "plan", str(spec), "-o", str(out)]
    log = spec.parent / "plan-output.txt"
    with log.open("wb") as sink:  # a file, not a pipe: the rendering may be long
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=spec.parent, env=env, stdout=sink, stderr=sink)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    output = log.read_text(encoding="utf-8", errors="replace")
    print(output[-1500:])
    return seconds, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status)


_PLAN_ONLY = """
import os, sys
from pathlib import Path
from migrator import workflows
spec = Path(sys.argv[1])
workflows.plan(spec, environ=dict(os.environ), out=Path(sys.argv[2]), display_path=str(spec))
"""


def run_plan_without_render(spec: Path, out: Path) -> tuple[float, float, int]:
    """``(seconds, peak RSS in MB, exit code)`` of :func:`migrator.workflows.plan` alone (no
    rendering), in its own process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIGRATOR_", "TWENTY_"))}
    command = [sys.executable, "-c", _PLAN_ONLY, str(spec), str(out)]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=spec.parent, env=env)
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    return seconds, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="Keep the bundle and plan in this folder.")
    parser.add_argument(
        "--without-render", action="store_true", help="Also time the plan without rendering."
    )
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="plan-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        bundle = root / "bundle"
        if not (bundle / "manifest.json").exists():
            print(f"generating {args.records} OplaCRM records into {bundle} …", flush=True)
            generate_bundle("oplacrm", bundle, records=args.records, seed=args.seed)
        project = root / "project"
        shutil.rmtree(project, ignore_errors=True)
        project.mkdir()
        spec = write_spec(project, bundle)
        floor = read_and_hash(bundle)
        print(f"floor: read and hash the bundle in {floor:.1f} s", flush=True)
        if args.without_render:
            quiet, quiet_rss, code = run_plan_without_render(spec, project / "unrendered.plan")
            if code != 0:
                print(f"the plan without rendering exited {code}")
                return 1
            print(
                f"plan without rendering: {quiet:.1f} s, peak RSS {quiet_rss:.0f} MB",
                flush=True,
            )
        seconds, rss, code = run_plan(spec, project / "oplacrm.plan")
        if code != 0:
            print(f"migrator plan exited {code}")
            return 1
        if args.without_render:
            same = filecmp.cmp(project / "unrendered.plan", project / "oplacrm.plan", shallow=False)
            print(f"the two plan files are {'byte-identical' if same else 'DIFFERENT'}")
        header = read_plan_header(project / "oplacrm.plan")
        size = (project / "oplacrm.plan").stat().st_size / 1e6
        load = os.getloadavg()
        print(
            f"plan: {seconds:.1f} s (target < {TARGET_SECONDS:.0f} s), peak RSS {rss:.0f} MB "
            f"(target < {TARGET_RSS_MB:.0f} MB), {header.record_change_count} record changes, "
            f"plan file {size:.1f} MB; load average {load[0]:.1f} on {os.cpu_count()} CPUs"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    result = {
        "bench": "plan_scale",
        "metric": "plan_seconds",
        "value": round(seconds, 2),
        "unit": "s",
        "reference": round(floor, 2),
        "reference_is": "floor",
        "ratio": round(seconds / floor, 2),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
