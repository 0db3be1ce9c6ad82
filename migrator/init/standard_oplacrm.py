"""The OplaCRM standard map: the guide's object rows (seeds/000, "Object mapping") as data.

Account → Company, Contact → Person, Opportunity → Opportunity (stages by display label, a LOST
option added), Product and opportunity lines → custom objects (Twenty has no product or price
book), Invoice → a custom Invoice with numbers prefixed ``opla_``, the joint-opportunity UUID →
a self relation, engagement history → tasks and notes, users → owners by email. Leads,
automations, sequences and gamification are skipped, the last three into the rebuild inventory.
"""

from __future__ import annotations

from migrator.init.standard import CustomField, StandardMap, SystemMap

_AUDIT = {"created_at": "createdAt", "updated_at": "updatedAt"}
_TARGETS = (
    {"ref": "companies", "by": "account_id"},
    {"ref": "people", "by": "contact_id"},
    {"ref": "opportunities", "by": "opportunity_id"},
)
_COMMON_IGNORED = {
    "company_id": "the OplaCRM tenant id, the same on every record",
    "created_by": "the creator is written as createdBy (source IMPORT)",
    "updated_by": "not kept: Twenty sets updatedBy to the API key",
    "custom_field_values": "read as custom_fields.<key>, one field each",
}


def _audit(*names: str) -> dict[str, str]:
    return {_AUDIT[n]: n for n in names}


ACCOUNTS = StandardMap(
    source="accounts",
    mapping="companies",
    target="company",
    comment="Guide row 1: Account → Company (address in one string; external_id or a hash of "
    "name and address finds companies a previous import created)",
    fields={
        "name": "name",
        "address": {"addressStreet1": "address"},
        "domainName": {"primaryLinkUrl": {"from": "website", "transforms": ["url"]}},
        "accountOwner": {"owner": "owner_id"},
        **_audit("created_at", "updated_at"),
    },
    consumed=frozenset({"name", "address", "website", "owner_id", "created_at", "updated_at"}),
    ignored=dict(_COMMON_IGNORED),
    match=("@external_id", ("name", "address")),
)

CONTACTS = StandardMap(
    source="contacts",
    mapping="people",
    target="person",
    comment="Guide row 2: Contact → Person, deduplicated by email; the company through the "
    "account's id",
    fields={
        "name": {"firstName": "first_name", "lastName": "last_name"},
        "emails": {"from": "email", "transforms": ["emails"]},
        "phones": {"from": "phone_work", "transforms": [{"phone": "VN"}]},
        "jobTitle": "job_title",
        "company": {"ref": "companies", "by": "account_id"},
        **_audit("created_at", "updated_at"),
    },
    consumed=frozenset(
        {
            "first_name",
            "last_name",
            "email",
            "phone_work",
            "job_title",
            "account_id",
            "created_at",
            "updated_at",
        }
    ),
    ignored={
        **_COMMON_IGNORED,
        "name": "the full name: first and last name are mapped",
        "account_external_id": "the company is linked by account_id",
    },
    match=("emails",),
)

OPPORTUNITIES = StandardMap(
    source="opportunities",
    mapping="opportunities",
    target="opportunity",
    comment="Guide row 3: Opportunity → Opportunity; the stage by its display label",
    fields={
        "name": "name",
        "amount": {
            "amountMicros": {"from": "amount", "transforms": ["micros"]},
            "currencyCode": "currency",
        },
        "closeDate": "date_closed",
        "company": {"ref": "companies", "by": "account_id"},
        "pointOfContact": {"ref": "people", "by": "contact_ids[0]"},
        "owner": {"owner": "owner_id"},
        **_audit("created_at", "updated_at"),
    },
    consumed=frozenset(
        {
            "name",
            "amount",
            "currency",
            "date_closed",
            "account_id",
            "contact_ids",
            "owner_id",
            "created_at",
            "updated_at",
            "opportunities_joint_id",
        }
    ),
    ignored={
        **_COMMON_IGNORED,
        "member_user_ids": "team members: Twenty has one owner per opportunity",
        "sale_process_stage": "the stage is mapped by its display label (stage_name)",
        "stage_id": "the stage is mapped by its display label (stage_name)",
        "sale_process_id": "one pipeline in Twenty",
    },
    custom=(
        CustomField(
            name="oplaJointOpportunity",
            schema={
                "type": "RELATION",
                "to": "opportunity",
                "label": "Joint opportunity",
                "description": "opla_joint_opportunity_id__c resolved: the earliest other "
                "opportunity of the same co-selling group",
                "inverse_label": "Joint partners",
            },
            value={
                "ref": "opportunities",
                "by": "opportunities_joint_id",
                "key": "opportunities_joint_id",
                "pick": "first",
                "order_by": "created_at",
                "not_self": True,
            },
            comment="Guide row 7: opportunities_joint_id resolved into a linked opportunity",
        ),
    ),
    add_options={"stage": ({"value": "LOST", "label": "Lost", "color": "red"},)},
)

PRODUCTS = StandardMap(
    source="products",
    mapping="products",
    target="product",
    comment="Guide row 4: Twenty has no Product object and no price book: a custom object",
    create={"name_plural": "products", "label_singular": "Product", "label_plural": "Products"},
    fields={"name": "name", **_audit("created_at")},
    consumed=frozenset({"name", "created_at"}),
    ignored=dict(_COMMON_IGNORED),
)

LINES = StandardMap(
    source="opportunity_products",
    mapping="product_lines",
    target="productLine",
    comment="Guide row 4: opportunity product lines, a custom object between both",
    create={
        "name_plural": "productLines",
        "label_singular": "Opportunity product",
        "label_plural": "Opportunity products",
    },
    fields={"name": {"lookup": {"from": "products", "by": "product_id", "value": "name"}}},
)

INVOICES = StandardMap(
    source="invoices",
    mapping="invoices",
    target="invoice",
    comment="Guide row 5: invoices into a custom Invoice; numbers prefixed opla_ for the admin "
    "to renumber before go-live",
    create={"name_plural": "invoices", "label_singular": "Invoice", "label_plural": "Invoices"},
    fields={
        "name": {"from": "invoice_number", "transforms": [{"prefix": "opla_"}]},
        **_audit("created_at"),
    },
    consumed=frozenset({"created_at"}),
)

STAGE_LOGS = StandardMap(
    source="opportunity_stage_logs",
    mapping="stage_history",
    target="note",
    comment="Engagement history: each stage change as a note on its opportunity",
    fields={
        "title": {"template": "Stage changed: {old_stage} → {new_stage}"},
        "bodyV2": {
            "template": "Changed by {creator_email} in OplaCRM (stage code {new_stage_code})."
        },
        "createdAt": "created_at",
    },
    targets=({"ref": "opportunities", "by": "opportunity_id"},),
    on_source_delete="delete",
    guess_rest=False,
)

ACTIVITIES = StandardMap(
    source="activities",
    mapping="activities",
    target="task",
    comment="Engagement history: calls, emails, meetings and tasks as tasks, with their "
    "original timestamps",
    fields={
        "title": "subject",
        "bodyV2": "body",
        "dueAt": "due_at",
        "status": {
            "from": "status",
            "map": {"OPEN": "TODO", "DONE": "DONE", "CANCELLED": "DONE"},
            "default": "TODO",
        },
        "assignee": {"owner": "owner_id"},
        **_audit("created_at", "updated_at"),
    },
    consumed=frozenset(
        {
            "subject",
            "body",
            "due_at",
            "status",
            "owner_id",
            "created_at",
            "updated_at",
            "account_id",
            "contact_id",
            "opportunity_id",
        }
    ),
    targets=_TARGETS,
    on_source_delete="delete",
)

NOTES = StandardMap(
    source="notes",
    mapping="notes",
    target="note",
    comment="Engagement history: notes, linked to what they are about",
    fields={"title": "title", "bodyV2": "body", **_audit("created_at", "updated_at")},
    targets=_TARGETS,
    on_source_delete="delete",
    guess_rest=False,
)

ATTACHMENTS = StandardMap(
    source="attachments",
    mapping="files",
    target="attachment",
    comment="Documents: uploaded (files over the size policy are quarantined)",
    fields={
        "name": "file_name",
        "file": {"file": "relative_path"},
        "targetCompany": {"ref": "companies", "by": "account_id"},
        "targetPerson": {"ref": "people", "by": "contact_id"},
        "targetOpportunity": {"ref": "opportunities", "by": "opportunity_id"},
        "targetNote": {"ref": "notes", "by": "note_id"},
        "createdAt": "created_at",
    },
    guess_rest=False,
)

OPLACRM_MAP = SystemMap(
    system="oplacrm",
    name="oplacrm-to-twenty",
    timezone="Asia/Ho_Chi_Minh",
    currency="VND",
    created_by="OplaCRM import",
    prefix="opla",
    region="VN",
    owners={"from": "users", "key": "external_id", "email": "email", "fallback": "hold"},
    objects=(
        ACCOUNTS,
        CONTACTS,
        PRODUCTS,
        OPPORTUNITIES,
        LINES,
        INVOICES,
        STAGE_LOGS,
        ACTIVITIES,
        NOTES,
        ATTACHMENTS,
    ),
    skip={
        "leads": {"reason": "Twenty has no lead object and the guide has no lead row"},
        "custom_field_definitions": {
            "reason": "Definitions, not records: read to resolve custom_fields.<key>"
        },
        "automations": {
            "reason": "Rebuilt in Twenty Workflows (migrator inventory)",
            "inventory": True,
        },
        "sequences": {
            "reason": "Twenty has no email sequences (migrator inventory)",
            "inventory": True,
        },
        "gamification_streaks": {
            "reason": "Behavioural state (migrator inventory)",
            "inventory": True,
        },
        "gamification_leaderboards": {
            "reason": "Behavioural state (migrator inventory)",
            "inventory": True,
        },
        "gamification_goals": {
            "reason": "Behavioural state (migrator inventory)",
            "inventory": True,
        },
    },
)


#: Twenty's open stages in a new workspace, in pipeline order (twenty-api.md §7).
OPEN_STAGES = ("NEW", "SCREENING", "MEETING", "PROPOSAL")
#: OplaCRM's terminal stage codes and where they land (guide row 3; LOST is added).
TERMINAL = {"CLOSE_WON": "CUSTOMER", "CLOSE_LOST": "LOST"}


def stage_map(stages: list[tuple[str, str | None, float | None]]) -> dict[str, str]:
    """Stage display label → Twenty stage, from ``(label, code, probability)`` of each deal.

    Terminal codes decide their labels; the open labels are ordered by their mean probability
    (then by label) and spread over Twenty's open stages in order.
    """
    terminal: dict[str, str] = {}
    probabilities: dict[str, list[float]] = {}
    for label, code, probability in stages:
        if code in TERMINAL:
            terminal.setdefault(label, TERMINAL[code])
        else:
            probabilities.setdefault(label, [])
            if probability is not None:
                probabilities[label].append(probability)
    open_labels = sorted(
        (label for label in probabilities if label not in terminal),
        key=lambda lab: (
            sum(probabilities[lab]) / len(probabilities[lab]) if probabilities[lab] else 0.0,
            lab,
        ),
    )
    found = dict(terminal)
    for index, label in enumerate(open_labels):
        found[label] = OPEN_STAGES[index * len(OPEN_STAGES) // max(len(open_labels), 1)]
    return dict(sorted(found.items(), key=lambda item: item[0]))
