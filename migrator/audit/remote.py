"""The destination side of the audit: owners with no member, and records an import would hit.

Two questions only Twenty can answer, asked with as few requests as possible (every request
counts against the workspace's rate limit, and the audit reports how many it made):

* which source owners have no workspace member (matched by email, case-insensitively, as the
  ``owners`` section says): their records are held or go to the fallback member;
* which existing Twenty records share a unique value (an email, a domain, a custom unique field,
  a one-field ``match`` rule) with a source record: an import would merge into the live ones and
  restore the soft-deleted ones (twenty-api.md §8). One ``totalCount`` request per object first;
  an object Twenty holds nothing of costs nothing more; otherwise values are looked up 200 at a
  time, live and soft-deleted rows together. Rows a migration already wrote (their provenance
  field names this source system) are not counted: writing them again is an update.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from migrator.audit.model import Category, Level
from migrator.audit.scan import Hits
from migrator.audit.tally import CheckKey, Tally
from migrator.plan.fetch import ALL_ROWS, CHUNK, in_filter
from migrator.plan.matching import value_at
from migrator.sources.bundle import Bundle
from migrator.spec.models import FallbackMember, MigrationSpec
from migrator.twenty.client import TwentyClient
from migrator.twenty.models import ObjectMetadata


def _chunks(values: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def owner_checks(
    spec: MigrationSpec,
    bundle: Bundle,
    refs: dict[str, Hits],
    member_emails: frozenset[str],
    tally: Tally,
) -> None:
    """Owners referenced by records but without a workspace member (or a user row)."""
    owners = spec.owners
    if owners is None or not refs:
        return
    emails: dict[str, str | None] = {}
    for record in bundle.read(owners.from_):
        key = record.id if owners.key is None else record.fields.get(owners.key)
        email = record.fields.get(owners.email)
        if key is not None:
            emails[str(key)] = email.strip().lower() if isinstance(email, str) else None
    missing: dict[str, list[tuple[str, Hits]]] = {
        "owner_without_user": [],
        "owner_without_member": [],
    }
    for owner, hits in sorted(refs.items()):
        if owner not in emails:
            missing["owner_without_user"].append((owner, hits))
        elif emails[owner] not in member_emails:
            missing["owner_without_member"].append((owner, hits))
    held = owners.fallback == "hold"
    hint = (
        "Their records wait in the reconciliation queue until the admin invites the owner."
        if held
        else "Their records go to the fallback member."
    )
    texts = {
        "owner_without_user": "owner references that match no source user",
        "owner_without_member": "owners whose email matches no Twenty workspace member",
    }
    for code, found in missing.items():
        records = sum(hits.count for _, hits in found)
        tally.add_count(
            CheckKey(Category.OWNERS, Level.WARN, code, owners.from_),
            len(found),
            [owner for owner, _ in found],
            message=f"{texts[code]} (count: owners; {records} records reference them)",
            hint=hint,
        )
    _fallback_check(spec, member_emails, tally)


def _fallback_check(spec: MigrationSpec, member_emails: frozenset[str], tally: Tally) -> None:
    fallback = spec.owners.fallback if spec.owners else "hold"
    if isinstance(fallback, FallbackMember) and fallback.member.lower() not in member_emails:
        tally.add_count(
            CheckKey(Category.OWNERS, Level.ERROR, "fallback_member_missing", "owners"),
            1,
            ("owners.fallback.member",),
            message="the fallback member is not a member of the workspace",
            hint="Invite them in Twenty, or name an existing member in owners.fallback.member.",
        )


def existing_record_checks(
    spec: MigrationSpec,
    client: TwentyClient,
    metadata: dict[str, ObjectMetadata],
    lookups: dict[tuple[str, str], dict[str, Hits]],
    tally: Tally,
) -> None:
    """Existing Twenty records that share a unique value with a source record."""
    provenance = spec.provenance.source_id_field
    system = spec.source.system
    totals: dict[str, int] = {}
    for (twenty_object, path), by_value in sorted(lookups.items()):
        meta = metadata.get(twenty_object)
        if meta is None or meta.field(path.split(".")[0]) is None:
            continue  # created by this migration: nothing to collide with yet
        if twenty_object not in totals:
            totals[twenty_object] = client.records.count(meta.name_plural, filter=ALL_ROWS)
        if totals[twenty_object] == 0:
            continue
        values = sorted(by_value)
        for chunk in _chunks(values):
            for row in client.records.iter(meta.name_plural, filter=in_filter(path, chunk)):
                owned = str(row.get(provenance) or "").startswith(f"{system}:")
                found = value_at(row, path)
                hits = by_value.get(str(found)) if found is not None else None
                if hits is None or owned:
                    continue
                _hit(tally, twenty_object, path, row.get("deletedAt") is not None, hits)


def _hit(tally: Tally, twenty_object: str, path: str, deleted: bool, hits: Hits) -> None:
    if deleted:
        code = "would_restore"
        message = "a soft-deleted Twenty record holds this unique value: the import restores it"
        hint = (
            "Destroy the soft-deleted record in Twenty first if it should stay gone; otherwise "
            "the plan shows it as a restore."
        )
    else:
        code = "would_merge"
        message = "an existing Twenty record holds this unique value: the import merges into it"
        hint = "The plan shows each merge; destroy puts the record's pre-image back."
    tally.add_count(
        CheckKey(Category.DESTINATION, Level.WARN, code, twenty_object, path),
        hits.count,
        hits.examples,
        message=message + " (count: source records)",
        hint=hint,
    )
