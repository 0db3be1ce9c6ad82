"""``audit_bundle``: the whole pre-flight audit of one spec, its bundle and its destination.

The source passes (:mod:`migrator.audit.scan`) and the spec checks run first; then, when a
client is given, the destination checks (:mod:`migrator.audit.remote`), whose requests are
counted from the client's own counters. The result is a frozen :class:`AuditReport`.
"""

from __future__ import annotations

import datetime as dt

from migrator.audit.model import AuditReport, Category, DestinationSummary, Level, ObjectCount
from migrator.audit.remote import existing_record_checks, owner_checks
from migrator.audit.scan import SourceScan, collect_keys, iter_objects, reference_targets
from migrator.audit.scope import ObjectScope, audit_scope
from migrator.audit.spec_checks import definition_checks, value_checks, volume_checks
from migrator.audit.tally import CheckKey, Tally
from migrator.audit.uniques import unique_keys
from migrator.sources.bundle import Bundle
from migrator.spec.models import MigrationSpec
from migrator.spec.target_model import build_target_model
from migrator.spec.walk import iter_values
from migrator.twenty.client import TwentyClient

BYTES_PER_MB = 1024 * 1024


def exported_at(bundle: Bundle, fallback: dt.datetime) -> dt.datetime:
    """The bundle's export instant (aware), or ``fallback`` when the manifest has none."""
    text = bundle.manifest.exported_at.replace("Z", "+00:00")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return fallback
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def owner_paths(spec: MigrationSpec) -> dict[str, list[str]]:
    """Per source object, the paths its mappings resolve as owners."""
    found: dict[str, list[str]] = {}
    for site in iter_values(spec):
        if site.value.owner:
            source = spec.source_object_of(site.mapping)
            if source and site.value.owner not in found.setdefault(source, []):
                found[source].append(site.value.owner)
    return found


def audit_bundle(
    spec: MigrationSpec,
    bundle: Bundle,
    *,
    client: TwentyClient | None,
    base_url: str = "",
    skip_reason: str = "",
    now: dt.datetime,
) -> AuditReport:
    """Audit ``bundle`` against ``spec`` (and Twenty through ``client``, when given)."""
    scopes = audit_scope(spec, bundle.schema)
    model = build_target_model(spec)
    tally = Tally()
    keys = collect_keys(bundle, reference_targets(list(iter_objects(bundle))))
    scan = SourceScan(
        bundle,
        scopes,
        unique_keys(spec, bundle.system, scopes),
        keys,
        tally,
        value_checks(spec, model),
        owner_paths(spec),
        exported_at=exported_at(bundle, now),
        max_file_bytes=int(spec.destination.files.max_mb * BYTES_PER_MB),
        currency=spec.source.currency,
    )
    counts = scan.run()
    definition_checks(bundle, spec, model, tally)
    volume_checks(spec, model, counts, tally)
    if client is not None:
        destination = _destination_checks(spec, bundle, scan, client, tally, base_url)
    else:
        destination = DestinationSummary(checked=False, base_url=base_url, reason=skip_reason)
        tally.add_count(
            CheckKey(Category.DESTINATION, Level.INFO, "destination_not_checked", "twenty"),
            1,
            message=f"Twenty was not asked: {skip_reason}",
            hint="Owners without a member and records an import would merge into or restore "
            "are not known; run the audit with the destination reachable.",
        )
    return AuditReport(
        spec_name=spec.name,
        system=bundle.system,
        bundle_fingerprint=bundle.fingerprint,
        objects=_object_counts(scopes, counts, tally),
        checks=tally.build(),
        destination=destination,
    )


def _destination_checks(
    spec: MigrationSpec,
    bundle: Bundle,
    scan: SourceScan,
    client: TwentyClient,
    tally: Tally,
    base_url: str,
) -> DestinationSummary:
    before = client.stats.requests
    members = frozenset(m.user_email.strip().lower() for m in client.members() if m.user_email)
    owner_checks(spec, bundle, scan.owner_refs, members, tally)
    if scan.lookups:
        metadata = {o.name_singular: o for o in client.metadata.list_objects()}
        existing_record_checks(spec, client, metadata, scan.lookups, tally)
    return DestinationSummary(
        checked=True, base_url=base_url, requests=client.stats.requests - before
    )


def _object_counts(
    scopes: dict[str, ObjectScope], counts: dict[str, int], tally: Tally
) -> tuple[ObjectCount, ...]:
    return tuple(
        ObjectCount(
            object=name,
            records=counts[name],
            mappings=tuple(scopes[name].mappings),
            twenty_objects=tuple(scopes[name].targets),
            role=scopes[name].role,
            quarantined=tally.quarantined(name),
        )
        for name in counts
    )
