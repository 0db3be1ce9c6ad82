"""The OplaCRM export bundle schema (sources.md §5, PROPOSED there, extended for #7).

Beyond §5.2 it adds the engagement history (``activities``, ``notes``), documents
(``attachments``) and the rebuild-inventory inputs (``automations``, ``sequences``,
``gamification_*``), which are read to count and list them, never migrated. Load order follows
§5.3. Personal data (contacts, leads, engagement history) flags its sensitive fields.
"""

from __future__ import annotations

from migrator.sources.schema_builders import T, enum_, fld, money, ref, refs, subs
from migrator.sources.schema_types import Sensitivity, SourceField, SourceObject, SourceSchema

PHONE_PARTS = subs("phone", "call_code", "country_code", "country_name")
NAMED_REF_PARTS = subs("value", "external_id")
CURRENCY = fld("currency", check="currency", description="ISO 4217; the tenant default is VND")
CUSTOM_VALUES = fld(
    "custom_field_values",
    T.LIST,
    item_type=T.OBJECT,
    description="[{custom_field_id, key, value, value_label}] as exported (CustomFieldValueDto)",
)
CUSTOM_FIELDS = fld(
    "custom_fields",
    T.OBJECT,
    description="added by the reader: key -> value, select option ids resolved to labels",
)
TAGS = fld("tags", T.LIST, item_type=T.STRING, check="tags")
LOCKED = fld(
    "locked", T.BOOL, description="read-only in OplaCRM; carried as a flag, never an error"
)
OWNER = ref("owner_id", "users", T.STRING, target_field="external_id")


def _audit(*, updated: bool = True) -> tuple[SourceField, ...]:
    items = [fld("created_at", T.DATETIME)]
    if updated:
        items.append(fld("updated_at", T.DATETIME))
    return tuple(items)


def _obj(
    name: str,
    fields: tuple[SourceField, ...],
    sensitivity: Sensitivity,
    *,
    migrated: bool = True,
    description: str = "",
) -> SourceObject:
    return SourceObject(
        name=name,
        file=f"{name}.jsonl",
        primary_key=fields[0].name,
        fields=fields,
        sensitivity=sensitivity,
        migrated=migrated,
        description=description,
    )


def _engagement_links() -> tuple[SourceField, ...]:
    return (
        ref("account_id", "accounts"),
        ref("contact_id", "contacts"),
        ref("opportunity_id", "opportunities"),
        OWNER,
    )


USERS = _obj(
    "users",
    (
        fld("id", T.UUID, required=True, check="uuid"),
        fld("external_id", required=True, description="employee code, the target of owner_id"),
        fld("email", check="email", description="matched against Twenty workspace members"),
        fld("first_name"),
        fld("last_name"),
        fld("full_name"),
        fld("user_site", T.OBJECT, subfields=NAMED_REF_PARTS),
        fld("user_dimension", T.OBJECT, subfields=NAMED_REF_PARTS),
        enum_("role", "ADMIN", "MANAGER", "SALES", "VIEWER"),
        fld("active", T.BOOL),
        *_audit(updated=False),
    ),
    Sensitivity.BUSINESS,
    description="employees; owners resolve through external_id, then email",
)

CUSTOM_FIELD_DEFINITIONS = _obj(
    "custom_field_definitions",
    (
        fld("id", required=True),
        enum_("object_type", "ACCOUNT", "CONTACT", "LEAD", "OPPORTUNITY", "PRODUCT", required=True),
        fld("name", required=True, description='display label, e.g. "20. ADO"'),
        fld("key", required=True),
        enum_(
            "data_type",
            "TEXT",
            "TEXTAREA",
            "NUMBER",
            "CURRENCY",
            "DATE",
            "DATETIME",
            "BOOLEAN",
            "SELECT",
            "MULTI_SELECT",
            "URL",
            "EMAIL",
            "PHONE",
            "USER",
            required=True,
        ),
        fld("options", T.LIST, item_type=T.OBJECT, description="[{id, value}]"),
        fld("required", T.BOOL),
    ),
    Sensitivity.CONFIGURATION,
)

ACCOUNTS = _obj(
    "accounts",
    (
        fld("id", T.UUID, required=True, check="uuid"),
        fld("short_id"),
        fld("external_id"),
        fld("name", required=True, check="name"),
        fld("account_type"),
        fld("tax_identification_number", check="vn_tax_id"),
        fld("website"),
        fld("email", check="email"),
        fld("phone", T.OBJECT, subfields=PHONE_PARTS, check="phone"),
        fld("address"),
        fld("google_map_address"),
        fld("area"),
        ref("parent_account_id", "accounts"),
        fld("healthscore", T.DECIMAL, description="composite score, scale unverified (U3)"),
        LOCKED,
        TAGS,
        OWNER,
        fld("company_id", T.UUID, description="the tenant, not an account"),
        *_audit(),
        fld("created_by"),
        fld("updated_by"),
        CUSTOM_VALUES,
        CUSTOM_FIELDS,
    ),
    Sensitivity.BUSINESS,
)

CONTACTS = _obj(
    "contacts",
    (
        fld("id", T.UUID, required=True, check="uuid"),
        fld("external_id"),
        ref("account_id", "accounts"),
        ref("account_external_id", "accounts", T.STRING, target_field="external_id"),
        fld("first_name", required=True, sensitive=True, check="name"),
        fld("last_name", sensitive=True, check="name"),
        fld("name", sensitive=True),
        enum_("gender", "MALE", "FEMALE", "OTHER"),
        fld("email", sensitive=True, check="email"),
        fld("birthday", T.DATE, sensitive=True, check="birth_date"),
        fld("department"),
        fld("job_title"),
        fld("description", sensitive=True),
        fld("address", sensitive=True),
        fld("phone_work", T.OBJECT, subfields=PHONE_PARTS, sensitive=True, check="phone"),
        fld("phone_other", T.OBJECT, subfields=PHONE_PARTS, sensitive=True, check="phone"),
        fld("website"),
        OWNER,
        fld("company_id", T.UUID),
        TAGS,
        LOCKED,
        *_audit(),
        fld("created_by"),
        fld("updated_by"),
        CUSTOM_VALUES,
        CUSTOM_FIELDS,
    ),
    Sensitivity.PERSONAL,
)

PRODUCTS = _obj(
    "products",
    (
        fld("id", T.UUID, required=True, check="uuid"),
        fld("external_id"),
        fld("sku", check="sku"),
        fld("name", required=True, check="name"),
        fld("description"),
        fld("unit"),
        money("list_price"),
        CURRENCY,
        fld("tax_rate_percent", T.DECIMAL, check="percent"),
        fld("active", T.BOOL),
        *_audit(updated=False),
    ),
    Sensitivity.BUSINESS,
)

OPPORTUNITIES = _obj(
    "opportunities",
    (
        fld("id", T.UUID, required=True, check="uuid"),
        fld("short_id"),
        fld("external_id"),
        fld("name", required=True, check="name"),
        ref("account_id", "accounts", required=True),
        refs("contact_ids", "contacts"),
        OWNER,
        refs("member_user_ids", "users"),
        money("amount"),
        money("tax_inclusive_amount"),
        CURRENCY,
        money("forecast"),
        fld("weight", T.DECIMAL, check="percent", description="probability 0-100 (assumed)"),
        fld("sale_process_id"),
        fld("sale_process_stage", description="stage code; CLOSE_WON/CLOSE_LOST are terminal"),
        fld("stage_id"),
        fld("stage_name", description="display label, often Vietnamese; map stages by it"),
        enum_("stage_type", "OPEN", "WON", "LOST"),
        fld("stage_probability", T.DECIMAL, check="percent"),
        fld("opportunity_status"),
        fld("date_open", T.DATE),
        fld("date_closed", T.DATE, description="expected close date"),
        fld("date_closed_actual", T.DATE),
        fld("close_reason"),
        fld("opportunity_type_id"),
        fld("project_type"),
        fld("source"),
        fld("opportunities_joint_id", T.UUID, check="uuid", description="co-selling group id"),
        ref("parent_opportunity_id", "opportunities"),
        fld("is_parent", T.BOOL),
        LOCKED,
        TAGS,
        fld("description"),
        *_audit(),
        CUSTOM_VALUES,
        CUSTOM_FIELDS,
    ),
    Sensitivity.BUSINESS,
)

OPPORTUNITY_PRODUCTS = _obj(
    "opportunity_products",
    (
        fld("id", T.UUID, required=True, check="uuid"),
        ref("opportunity_id", "opportunities", required=True),
        ref("product_id", "products", required=True),
        fld("quantity", T.DECIMAL),
        money("unit_price"),
        fld("discount_percent", T.DECIMAL, check="percent"),
        fld("tax_rate_percent", T.DECIMAL, check="percent"),
        money("line_total"),
        CURRENCY,
    ),
    Sensitivity.BUSINESS,
)

INVOICES = _obj(
    "invoices",
    (
        fld("id", T.UUID, required=True, check="uuid"),
        ref("opportunity_id", "opportunities", required=True),
        ref("account_id", "accounts"),
        fld("invoice_number", required=True),
        enum_("status", "DRAFT", "ISSUED", "PARTIALLY_PAID", "PAID", "CANCELLED"),
        fld("issue_date", T.DATE),
        fld("due_date", T.DATE),
        CURRENCY,
        money("subtotal"),
        money("discount_total"),
        money("tax_total"),
        money("total"),
        money("amount_paid"),
        fld("lines", T.LIST, item_type=T.OBJECT),
        *_audit(updated=False),
    ),
    Sensitivity.BUSINESS,
)

STAGE_LOGS = _obj(
    "opportunity_stage_logs",
    (
        fld("id", T.UUID, required=True, check="uuid"),
        ref("opportunity_id", "opportunities", required=True),
        fld("new_stage"),
        fld("new_stage_code"),
        fld("old_stage"),
        fld("creator_email", check="email"),
        fld("created_at", T.DATETIME),
    ),
    Sensitivity.BUSINESS,
)

LEADS = _obj(
    "leads",
    (
        fld("id", T.UUID, required=True, check="uuid"),
        fld("name", required=True, sensitive=True, check="name"),
        fld("account_name"),
        fld("phone", T.OBJECT, subfields=PHONE_PARTS, sensitive=True, check="phone"),
        fld("email", sensitive=True, check="email"),
        fld("source"),
        enum_("status", "NEW", "CONTACTED", "QUALIFIED", "CONVERTED", "DISQUALIFIED"),
        ref("converted_opportunity_id", "opportunities"),
        fld("owner", T.OBJECT, subfields=subs("full_name", "external_id")),
        OWNER,
        *_audit(updated=False),
        CUSTOM_VALUES,
        CUSTOM_FIELDS,
    ),
    Sensitivity.PERSONAL,
)

ACTIVITIES = _obj(
    "activities",
    (
        fld("id", T.UUID, required=True, check="uuid"),
        enum_("type", "CALL", "EMAIL", "MEETING", "TASK", required=True),
        fld("subject", check="name"),
        fld("body", sensitive=True),
        enum_("status", "OPEN", "DONE", "CANCELLED"),
        fld("due_at", T.DATETIME),
        fld("done_at", T.DATETIME),
        fld("duration_minutes", T.INT),
        enum_("direction", "INBOUND", "OUTBOUND"),
        *_engagement_links(),
        fld("created_at", T.DATETIME, required=True),
        fld("updated_at", T.DATETIME),
    ),
    Sensitivity.PERSONAL,
    description="calls, emails, meetings and tasks with their original timestamps",
)

NOTES = _obj(
    "notes",
    (
        fld("id", T.UUID, required=True, check="uuid"),
        fld("title"),
        fld("body", sensitive=True),
        *_engagement_links(),
        *_audit(),
    ),
    Sensitivity.PERSONAL,
)

ATTACHMENTS = _obj(
    "attachments",
    (
        fld("id", T.UUID, required=True, check="uuid"),
        fld("file_name", required=True, sensitive=True),
        fld("mime_type", check="mime_type"),
        fld("size_bytes", T.INT),
        fld("sha256", required=True, check="sha256"),
        fld("relative_path", required=True, description="attachments/<2 hex>/<sha256>.<ext>"),
        *_engagement_links()[:3],
        ref("note_id", "notes"),
        ref("uploaded_by", "users", T.STRING, target_field="external_id"),
        fld("created_at", T.DATETIME),
    ),
    Sensitivity.PERSONAL,
)


def _inventory(name: str, *fields: SourceField) -> SourceObject:
    base = (fld("id", required=True), fld("name", required=True), *fields, fld("active", T.BOOL))
    return _obj(
        name,
        (*base, *_audit()),
        Sensitivity.CONFIGURATION,
        migrated=False,
        description="rebuild inventory input: listed, never migrated",
    )


INVENTORY = (
    _inventory(
        "automations",
        enum_("object_type", "ACCOUNT", "CONTACT", "LEAD", "OPPORTUNITY", "ACTIVITY", "INVOICE"),
        fld("trigger_event"),
        fld("conditions", T.LIST, item_type=T.OBJECT),
        fld("actions", T.LIST, item_type=T.OBJECT),
        OWNER,
        fld("last_run_at", T.DATETIME),
    ),
    _inventory(
        "sequences",
        fld("steps", T.LIST, item_type=T.OBJECT, description="[{day_offset, channel, subject}]"),
        fld("enrolled_count", T.INT),
        OWNER,
    ),
    _inventory(
        "gamification_streaks",
        fld("metric"),
        enum_("period", "DAILY", "WEEKLY", "MONTHLY"),
        fld("current_length", T.INT),
        fld("best_length", T.INT),
        OWNER,
    ),
    _inventory(
        "gamification_leaderboards",
        fld("metric"),
        enum_("period", "DAILY", "WEEKLY", "MONTHLY", "QUARTERLY"),
        refs("participant_ids", "users"),
        fld("rules", T.OBJECT),
    ),
    _inventory(
        "gamification_goals",
        fld("metric"),
        fld("target", T.DECIMAL),
        fld("achieved", T.DECIMAL),
        fld("period_start", T.DATE),
        fld("period_end", T.DATE),
        enum_("status", "ACTIVE", "ACHIEVED", "MISSED"),
        OWNER,
    ),
)

OPLACRM_SCHEMA = SourceSchema(
    system="oplacrm",
    schema_version="1.0",
    default_timezone="Asia/Ho_Chi_Minh",
    objects=(
        USERS,
        CUSTOM_FIELD_DEFINITIONS,
        ACCOUNTS,
        CONTACTS,
        PRODUCTS,
        OPPORTUNITIES,
        OPPORTUNITY_PRODUCTS,
        INVOICES,
        STAGE_LOGS,
        LEADS,
        ACTIVITIES,
        NOTES,
        ATTACHMENTS,
        *INVENTORY,
    ),
)
