"""Hand-built plans for the view tests: a sales plan with every action, and a clinic plan.

The clinic plan is deliberately *faulty*: its sensitive field diffs still carry values (a
producer bug the views must survive), so the tests can prove that no view ever prints them.
All values are synthetic (NHS numbers from the 999 test range).
"""

from __future__ import annotations

from collections.abc import Iterator

from migrator import __version__
from migrator.model import Action
from migrator.plan.model import (
    SENSITIVE_MARKER,
    ApiBudget,
    DestinationIdentity,
    FieldDiff,
    HoldEntry,
    MappingCounts,
    PlanHeader,
    PlanWarning,
    PriorState,
    QuarantineEntry,
    RecordChange,
    SamplePayload,
    SchemaChange,
    SourceFingerprint,
)

FAKE_KEY = "tk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
"""An API key that must appear in no rendering (it appears nowhere in these plans either)."""

CLINIC_SECRETS = ("9990001234", "Zebulon", "Quixley", "1961-04-17", "SW1A 9ZZ", "07700 900123")
"""Values the faulty clinic plan carries in sensitive diffs; no view may show any of them."""

MERMAID = (
    "flowchart TD\n"
    '  n0["field.company.oplaHealthscore"]\n'
    '  n1(["mapping.companies"])\n'
    "  n0 -->|field| n1\n"
)


def change(
    mapping: str,
    twenty_object: str,
    number: int,
    action: Action,
    *,
    reason: str = "new record",
    diffs: tuple[FieldDiff, ...] = (),
    existing_id: str | None = None,
    phase: str | None = None,
    system: str = "oplacrm",
) -> RecordChange:
    """One record change with deterministic ids and digest."""
    key = f"{system}:{mapping}:{number}"
    return RecordChange(
        address=f"record.{mapping}[{key}]",
        mapping=mapping,
        source_key=key,
        twenty_object=twenty_object,
        twenty_id=f"00000000-0000-5000-8000-{number:012d}",
        action=action,
        reason=reason,
        payload_digest=f"sha256:{number:064x}",
        phase=phase or f"mapping.{mapping}",
        existing_id=existing_id,
        field_diffs=diffs,
    )


def sales_changes() -> list[RecordChange]:
    """Record changes of the sales plan, in apply order, one of every action."""
    return [
        change("companies", "company", 1, Action.CREATE),
        change("companies", "company", 2, Action.CREATE),
        change(
            "companies",
            "company",
            3,
            Action.UPDATE,
            reason="source changed since the last apply",
            diffs=(
                FieldDiff(path="name", before="Cong ty Minh Anh", after="Công ty Minh Anh"),
                FieldDiff(path="employees", before=40, after=42),
            ),
        ),
        change(
            "companies",
            "company",
            4,
            Action.MERGE,
            reason="domainName matches an existing company",
            existing_id="7a1c4e2b-0000-4000-8000-000000000004",
            diffs=(FieldDiff(path="oplaHealthscore", before=None, after=87),),
        ),
        change(
            "companies",
            "company",
            5,
            Action.RESTORE,
            reason="domainName matches a soft-deleted company",
            existing_id="7a1c4e2b-0000-4000-8000-000000000005",
        ),
        change("companies", "company", 6, Action.NOOP, reason="unchanged"),
        change("people", "person", 10, Action.CREATE),
        change(
            "people",
            "person",
            11,
            Action.UPDATE,
            reason="source changed since the last apply",
            diffs=(
                FieldDiff(path="jobTitle", before="Sales | Lead", after="Head of `sales`"),
                FieldDiff(path="emails.primaryEmail", sensitive=True),
            ),
        ),
        change("people", "person", 12, Action.DELETE, reason="removed from the source"),
        change("opportunities", "opportunity", 20, Action.CREATE),
        change(
            "opportunities",
            "opportunity",
            21,
            Action.REPLACE,
            reason="amount currency changed (cannot be updated in place)",
        ),
        change(
            "companies",
            "company",
            1,
            Action.UPDATE,
            reason="second pass: parent company",
            phase="link.companies.parentCompany",
            diffs=(
                FieldDiff(
                    path="parentCompanyId",
                    before=None,
                    after="00000000-0000-5000-8000-000000000002",
                ),
            ),
        ),
    ]


def sales_header() -> PlanHeader:
    """The header of the sales plan (counts agree with :func:`sales_changes`)."""
    return PlanHeader(
        migrator_version=__version__,
        name="oplacrm-to-twenty",
        spec={"name": "oplacrm-to-twenty", "version": 1},
        spec_digest="sha256:" + "5" * 64,
        source=SourceFingerprint(
            system="oplacrm",
            digest="sha256:" + "6" * 64,
            records={"accounts": 8, "contacts": 5, "opportunities": 2},
        ),
        destination=DestinationIdentity(
            base_url="https://crm.example.org", workspace_id="3b8e6f1c-0000-4000-8000-000000000001"
        ),
        prior_state=PriorState(lineage="0d4f5a7e-0000-4000-8000-000000000009", serial=4),
        schema_changes=(
            SchemaChange(
                address="object.oplaInvoice",
                action=Action.CREATE,
                kind="object",
                twenty_object="oplaInvoice",
                name="oplaInvoice",
                reason="custom object missing in Twenty",
                after={
                    "nameSingular": "oplaInvoice",
                    "labelSingular": "Invoice",
                    "labelPlural": "Invoices",
                },
            ),
            SchemaChange(
                address="field.company.oplaHealthscore",
                action=Action.CREATE,
                kind="field",
                twenty_object="company",
                name="oplaHealthscore",
                reason="field missing",
                after={
                    "object": "company",
                    "name": "oplaHealthscore",
                    "type": "NUMBER",
                    "label": "Healthscore",
                },
            ),
            SchemaChange(
                address="relation.company.parentCompany",
                action=Action.CREATE,
                kind="relation",
                twenty_object="company",
                name="parentCompany",
                reason="relation missing",
                after={
                    "object": "company",
                    "name": "parentCompany",
                    "type": "RELATION",
                    "target": "company",
                    "label": "Parent company",
                },
            ),
            SchemaChange(
                address="option.opportunity.stage.LOST",
                action=Action.CREATE,
                kind="options",
                twenty_object="opportunity",
                name="stage",
                reason="option added to a standard field",
                before=[{"value": "NEW", "label": "New"}],
                after={"value": "LOST", "label": "Lost"},
            ),
        ),
        phases=(
            "mapping.companies",
            "mapping.people",
            "mapping.opportunities",
            "link.companies.parentCompany",
        ),
        counts=(
            MappingCounts(
                mapping="companies",
                twenty_object="company",
                source=8,
                create=2,
                update=1,
                merge=1,
                restore=1,
                noop=1,
                deduplicated=1,
                skipped=1,
                links=1,
            ),
            MappingCounts(
                mapping="people",
                twenty_object="person",
                source=5,
                create=1,
                update=1,
                quarantined=1,
                held=1,
                aggregated=1,
            ),
            MappingCounts(
                mapping="opportunities",
                twenty_object="opportunity",
                source=2,
                create=1,
                delete=0,
                noop=1,
            ),
        ),
        quarantine=(
            QuarantineEntry(
                address="record.people[oplacrm:people:13]",
                mapping="people",
                source_key="oplacrm:people:13",
                code="invalid_email",
                reason="primary email is not a valid address",
            ),
        ),
        holds=(
            HoldEntry(
                address="record.people[oplacrm:people:14]",
                mapping="people",
                source_key="oplacrm:people:14",
                code="owner_unresolved",
                reason="owner has no workspace member",
                blocked_by="oplacrm:users:7",
            ),
        ),
        warnings=(
            PlanWarning(
                code="locked_records",
                message="3 accounts are locked in OplaCRM; Twenty cannot lock single records",
                addresses=("record.companies[oplacrm:companies:1]",),
                count=3,
            ),
            PlanWarning(
                code="renamed_field",
                message="company.oplaHealthscore holds the source's `opla_healthscore__c`, "
                "renamed for Twenty; review the name",
                addresses=("field.company.oplaHealthscore",),
                count=1,
            ),
        ),
        budget=ApiBudget(
            requests={"metadata": 4, "batch_create": 3, "batch_upsert": 2, "delete": 1},
            total_requests=6,
            rate_limit_per_minute=100,
            estimated_seconds=3.6,
            reads_for_plan=2,
        ),
        samples=(
            SamplePayload(
                address="record.companies[oplacrm:companies:1]",
                action=Action.CREATE,
                payload={
                    "name": "Công ty An Phát",
                    "address": {"addressCity": "Hà Nội"},
                    "employees": 12,
                },
            ),
            SamplePayload(
                address="record.people[oplacrm:people:10]",
                action=Action.CREATE,
                payload={
                    "name": {"firstName": SENSITIVE_MARKER, "lastName": SENSITIVE_MARKER},
                    "jobTitle": "Buyer",
                },
            ),
        ),
        record_change_count=11,
    )


def clinic_changes() -> Iterator[RecordChange]:
    """Record changes of the faulty clinic plan: sensitive diffs that still carry values."""
    nhs, forename, surname, birth, postcode, phone = CLINIC_SECRETS
    yield change("practices", "company", 1, Action.CREATE, system="aeronaclinic")
    yield change("patients", "person", 100, Action.CREATE, system="aeronaclinic")
    yield change(
        "patients",
        "person",
        101,
        Action.UPDATE,
        system="aeronaclinic",
        reason="source changed since the last apply",
        diffs=(
            FieldDiff(path="nhsNumber", before="9990000000", after=nhs, sensitive=True),
            FieldDiff(path="name.firstName", before="Zeb", after=forename, sensitive=True),
            FieldDiff(path="name.lastName", before=None, after=surname, sensitive=True),
            FieldDiff(path="dateOfBirth", before=None, after=birth, sensitive=True),
            FieldDiff(
                path="homeAddress.addressPostcode", before=None, after=postcode, sensitive=True
            ),
            FieldDiff(path="phones.primaryPhoneNumber", before=None, after=phone, sensitive=True),
        ),
    )
    yield change(
        "patients",
        "person",
        102,
        Action.MERGE,
        system="aeronaclinic",
        reason="primary email matches an existing person",
        existing_id="7a1c4e2b-0000-4000-8000-000000000102",
        diffs=(
            FieldDiff(
                path="emails.primaryEmail",
                before="z.q@example.org",
                after="z.q@example.org",
                sensitive=True,
            ),
        ),
    )


def clinic_header() -> PlanHeader:
    """The header of the clinic plan: a first plan (no state) against the sandbox."""
    return PlanHeader(
        migrator_version=__version__,
        name="aeronaclinic-to-twenty",
        spec={"name": "aeronaclinic-to-twenty", "version": 1},
        spec_digest="sha256:" + "7" * 64,
        source=SourceFingerprint(
            system="aeronaclinic",
            digest="sha256:" + "8" * 64,
            records={"practices": 1, "patients": 4},
        ),
        destination=DestinationIdentity(
            base_url="sandbox:.migrator/sandbox.db", workspace_id="sandbox"
        ),
        prior_state=None,
        schema_changes=(
            SchemaChange(
                address="field.person.nhsNumber",
                action=Action.CREATE,
                kind="field",
                twenty_object="person",
                name="nhsNumber",
                reason="field missing",
                after={
                    "object": "person",
                    "name": "nhsNumber",
                    "type": "TEXT",
                    "label": "NHS number",
                },
            ),
        ),
        phases=("mapping.practices", "mapping.patients"),
        counts=(
            MappingCounts(mapping="practices", twenty_object="company", source=1, create=1),
            MappingCounts(
                mapping="patients",
                twenty_object="person",
                source=4,
                create=1,
                update=1,
                merge=1,
                quarantined=1,
            ),
        ),
        quarantine=(
            QuarantineEntry(
                address="record.patients[aeronaclinic:patients:103]",
                mapping="patients",
                source_key="aeronaclinic:patients:103",
                code="invalid_nhs_number",
                reason="NHS number fails its check digit",
            ),
        ),
        warnings=(
            PlanWarning(
                code="merge_into_existing",
                message="1 patient matches an existing person by email",
                addresses=("record.patients[aeronaclinic:patients:102]",),
                count=1,
            ),
        ),
        budget=ApiBudget(
            requests={"metadata": 1, "batch_create": 2, "batch_upsert": 1},
            total_requests=3,
            estimated_seconds=1.8,
        ),
        samples=(
            SamplePayload(
                address="record.patients[aeronaclinic:patients:100]",
                action=Action.CREATE,
                payload={
                    "nhsNumber": SENSITIVE_MARKER,
                    "name": {"firstName": SENSITIVE_MARKER},
                    "patientCategory": "NHS",
                },
            ),
        ),
        record_change_count=4,
    )


def empty_header() -> PlanHeader:
    """A plan with nothing to do."""
    return sales_header().model_copy(
        update={
            "schema_changes": (),
            "counts": (),
            "quarantine": (),
            "holds": (),
            "warnings": (),
            "samples": (),
            "record_change_count": 0,
            "budget": ApiBudget(),
        }
    )
