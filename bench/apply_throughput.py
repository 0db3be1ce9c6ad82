"""Records per minute of a whole ``apply`` against a rate-limited, slow destination.

Starts ``migrator sandbox serve`` in its own process with a 120 requests/min long bucket (short
bucket: Twenty's 100/s) and 1 s of latency on every request, drains the bucket with concurrent
one-row reads until it answers 429, then applies a saved plan of ``--records`` synthetic records
(companies, and four people per company pointing at them: two phases) through the real executor
(:func:`migrator.workflows.apply.run_apply`: payload verification up front, schema phase,
batches of 200, a state commit per batch, reconciliation, audit log). The figure is the whole
apply, start to finish: records / minutes. The reference is the physical ceiling, requests/min x
batch size (24,000 records/min here).

    python bench/apply_throughput.py [--records 100000] [--rate 120] [--latency 1] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
from served_sandbox import drain, start_sandbox

from migrator import __version__
from migrator.addresses import record_address
from migrator.apply.model import Desired, DesiredItem, PhaseReport
from migrator.identity import migration_namespace, twenty_id
from migrator.model import Action, digest
from migrator.plan.model import (
    DestinationIdentity,
    MappingCounts,
    PlanHeader,
    RecordChange,
    SchemaChange,
    SourceFingerprint,
)
from migrator.plan.planfile import PlanWriter
from migrator.twenty.client import ClientSettings, TwentyClient
from migrator.twenty.identity import identify
from migrator.twenty.pacing import PacingLimits
from migrator.twenty.transport import build_http_client
from migrator.workflows.apply import ApplyRequest, run_apply

NAME = "bench-apply"
NAMESPACE = migration_namespace(NAME)
FINGERPRINT = "sha256:" + "0" * 64
PER_COMPANY = 4


def _company(n: int) -> Desired:
    key = f"oplacrm:accounts:{n}"
    ident = twenty_id(NAMESPACE, key)
    payload = {"id": ident, "name": f"Company {n}", "migrationSourceId": key}
    return Desired(record_address("companies", key), "companies", key, "company", ident, payload)


def _person(n: int) -> Desired:
    key = f"oplacrm:contacts:{n}"
    ident = twenty_id(NAMESPACE, key)
    company = twenty_id(NAMESPACE, f"oplacrm:accounts:{n // PER_COMPANY}")
    payload = {
        "id": ident,
        "name": {"firstName": f"First{n}", "lastName": f"Last{n}"},
        "emails": {"primaryEmail": f"p{n}@example.test"},
        "companyId": company,
        "migrationSourceId": key,
    }
    parent = record_address("companies", f"oplacrm:accounts:{n // PER_COMPANY}")
    return Desired(
        record_address("people", key), "people", key, "person", ident, payload, (parent,)
    )


def request_gaps(http: httpx.Client) -> str:
    """When the sandbox saw the first and last batch write, and its longest pauses between
    consecutive data requests (from its request log)."""
    import datetime as dt

    entries = http.get("/_sandbox/requests").json()["requests"]
    data = [
        dt.datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp()
        for e in entries
        if e["path"].startswith("/rest/") and not e["path"].startswith("/rest/metadata")
    ]
    writes = [e for e in entries if e["method"] == "POST" and "/batch/" in e["path"]]
    if not data or not writes:
        return "no data requests"
    first = dt.datetime.fromisoformat(writes[0]["time"].replace("Z", "+00:00")).timestamp()
    last = dt.datetime.fromisoformat(writes[-1]["time"].replace("Z", "+00:00")).timestamp()
    pauses = sorted((b - a for a, b in itertools.pairwise(data)), reverse=True)[:5]
    return (
        f"{len(writes)} batch writes from first to last in {last - first:.1f}s; "
        f"longest pauses {[round(p, 1) for p in pauses]}"
    )


class Timings:
    """A progress sink that notes when each phase starts and ends (seconds since ``t0``)."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.marks: list[tuple[str, float]] = []

    def _mark(self, what: str) -> None:
        self.marks.append((what, round(time.monotonic() - self.t0, 1)))

    def note(self, message: str) -> None:
        self._mark("note")

    def phase_started(self, phase: str, total: int, ceiling_per_minute: float) -> None:
        self._mark(f"start {phase}")

    def advanced(self, phase: str, done: int) -> None:
        """Not timed."""

    def phase_finished(self, report: PhaseReport) -> None:
        self._mark(f"end {report.counts.phase}")


class SyntheticSource:
    """The desired writes, made again on every pass (as the mapper would)."""

    def __init__(self, companies: int) -> None:
        self.companies = companies

    def phase_items(self, phase: str) -> Iterator[DesiredItem]:
        if phase == "mapping.companies":
            return (_company(n) for n in range(self.companies))
        return (_person(n) for n in range(self.companies * PER_COMPANY))

    def source_rows(self, phase: str) -> int | None:
        return None

    def phase_rules(self, phase: str) -> Mapping[str, Any]:
        return {"phase": phase}

    @property
    def bundle_root(self) -> Path | None:
        return None


def _field(obj: str) -> SchemaChange:
    after = {"type": "TEXT", "name": "migrationSourceId", "label": "Source id", "isUnique": True}
    return SchemaChange(
        address=f"field.{obj}.migrationSourceId",
        action=Action.CREATE,
        kind="field",
        twenty_object=obj,
        name="migrationSourceId",
        reason="provenance",
        after=after,
    )


def write_plan(path: Path, source: SyntheticSource, dest: DestinationIdentity, conc: int) -> None:
    """The plan a planner would make for the synthetic source against an empty workspace."""
    spec = {"name": NAME, "destination": {"batch_size": 200, "concurrency": conc}}
    counts = []
    with PlanWriter(path.parent) as writer:
        for phase in ("mapping.companies", "mapping.people"):
            made = 0
            for item in source.phase_items(phase):
                assert isinstance(item, Desired)
                writer.add(
                    RecordChange(
                        address=item.address,
                        mapping=item.mapping,
                        source_key=item.source_key,
                        twenty_object=item.twenty_object,
                        twenty_id=item.twenty_id,
                        action=Action.CREATE,
                        reason="new in the source",
                        payload_digest=digest(dict(item.payload)),
                        phase=phase,
                    )
                )
                made += 1
            obj = "company" if phase == "mapping.companies" else "person"
            counts.append(
                MappingCounts(mapping=phase[8:], twenty_object=obj, source=made, create=made)
            )
        header = PlanHeader(
            migrator_version=__version__,
            name=NAME,
            spec=spec,
            spec_digest=digest(spec),
            source=SourceFingerprint(system="oplacrm", digest=FINGERPRINT),
            destination=dest,
            prior_state=None,
            schema_changes=(_field("company"), _field("person")),
            phases=("mapping.companies", "mapping.people"),
            counts=tuple(counts),
        )
        writer.finish(header, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rate", type=int, default=120, help="requests per minute")
    parser.add_argument("--latency", type=float, default=1.0, help="seconds per request")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--margin", type=float, default=0.1, help="pacing margin against arrival jitter (s)"
    )
    args = parser.parse_args()
    companies = max(1, args.records // (PER_COMPANY + 1))
    records = companies * (PER_COMPANY + 1)
    source = SyntheticSource(companies)
    with tempfile.TemporaryDirectory(prefix="bench-apply-") as tmp:
        work = Path(tmp)
        process, url, key = start_sandbox(
            work / "sandbox.db",
            *("--rate-limit-long", str(args.rate), "--rate-limit-long-ttl", "60000"),
            *("--latency", str(args.latency)),
        )
        try:
            identity = identify(url, key)
            plan = work / "plan.gz"
            write_plan(plan, source, DestinationIdentity(**identity.model_dump()), args.concurrency)
            drained = drain(url, key, threads=64)
            limits = PacingLimits(short_limit=100, long_limit=args.rate)
            settings = ClientSettings(
                limits=limits,
                concurrency=args.concurrency,
                assume_full_bucket=False,
                margin_s=args.margin,
            )
            with build_http_client(url, key) as http, TwentyClient(http, settings=settings) as c:
                timings = Timings()
                started = timings.t0
                result = run_apply(
                    ApplyRequest(plan_path=plan, state_path=work / ".migrator" / "b.state.db"),
                    client=c,
                    identity=identity,
                    source=source,
                    fingerprint=FINGERPRINT,
                    progress=timings,
                )
                seconds = time.monotonic() - started
                stats = c.stats
                gaps = request_gaps(http)
        finally:
            process.terminate()
            process.wait(timeout=30)
    per_minute = records / seconds * 60
    ceiling = args.rate * 200
    load = os.getloadavg()[0]
    print(f"drained the bucket in {drained:.1f}s; machine load average {load:.2f}")
    print("timeline (s): " + ", ".join(f"{what} {at}" for what, at in timings.marks))
    print(f"server side: {gaps}")
    print(
        f"applied {result.written} of {records} records in {seconds:.1f}s: "
        f"{per_minute:,.0f} records/min; {stats.data_requests} data requests, "
        f"{stats.rate_limited} answered 429, {stats.retries} retries"
    )
    print(
        json.dumps(
            {
                "bench": "apply_throughput",
                "metric": "records per minute, whole apply",
                "value": round(per_minute, 1),
                "unit": "records/min",
                "reference": ceiling,
                "reference_is": "ceiling",
                "ratio": round(per_minute / ceiling, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
