"""OplaCRM → Twenty, guide rows 1–11 (seeds/000), asserted on what the sandbox holds after apply.

The example is applied once per session (``opla``); each test reads Twenty's records back and
compares them with the bundle's rows, read as plain JSON. Where the guide says something about
Twenty that is not so (DESIGN.md, "Twenty facts"), the test asserts what Twenty does and the
spec's comments say why.
"""

from __future__ import annotations

from collections import Counter

from migrator.state import open_sqlite_state
from migrator.state.model import OwnerQueueEntry
from tests.e2e.oplacrm.helpers import member_by_owner, planned, written_rows
from tests.e2e.project import AppliedExample, Run, run_cli
from tests.e2e.sources import (
    custom_value,
    opportunity_account,
    opportunity_status,
    same_instant,
    stage_label,
    tag_list,
)

IMPORT = "IMPORT"


def test_the_example_applies_and_replans_to_no_changes(opla: AppliedExample) -> None:
    assert opla.replan_run.exit_code == 0, opla.replan_run.output[-2000:]
    assert "No changes" in opla.replan_run.stdout
    assert "Apply complete" in opla.apply_run.stdout


def test_row_01_account_to_company(opla: AppliedExample) -> None:
    companies = opla.by_source("companies", "accounts")
    owners = member_by_owner(opla)
    rows = written_rows(opla, "accounts", "companies")
    assert len(rows) == len(companies) >= 10
    for row in rows:
        company = companies[row["id"]]
        assert company["name"] == row["name"]
        assert company["address"]["addressStreet1"] == row["address"]  # the address compound
        assert company["oplaExternalId"] == row["external_id"]  # kept for matching
        assert company["oplaShortId"] == row["short_id"]
        assert company["accountOwnerId"] == owners[row["owner_id"]]
        assert same_instant(company["createdAt"], row["created_at"])
        assert company["createdBy"]["source"] == IMPORT
    # The parent account, a self relation, is written in a second pass.
    by_id = opla.by_id("companies")
    with_parent = [r for r in rows if r.get("parent_account_id") in companies]
    assert with_parent
    for row in with_parent:
        parent = by_id[companies[row["id"]]["oplaParentCompanyId"]]
        assert parent["migrationSourceId"] == opla.key("accounts", row["parent_account_id"])
    # One account has no name (planted): quarantined with its reason, never sent.
    nameless = [r for r in opla.rows("accounts") if not r.get("name")]
    quarantined = {e.source_key: e for e in opla.quarantined("companies")}
    for row in nameless:
        assert quarantined[opla.key("accounts", row["id"])].code == "missing_required_value"
        assert row["id"] not in companies


def test_row_02_contact_to_person(opla: AppliedExample) -> None:
    people = opla.by_source("people", "contacts")
    companies = {c["oplaExternalId"]: c["id"] for c in opla.records("companies")}
    owners = member_by_owner(opla)
    rows = written_rows(opla, "contacts", "people")
    assert len(rows) == len(people) >= 30
    for row in rows:
        person = people[row["id"]]
        assert person["name"] == {"firstName": row["first_name"], "lastName": row["last_name"]}
        assert person["oplaRole"] == (row.get("department") or "")  # custom text field
        assert person["jobTitle"] == (row.get("job_title") or "")
        assert person["contactOwnerId"] == owners[row["owner_id"]]  # custom relation to member
        assert person["companyId"] == companies.get(row.get("account_external_id"))
        assert same_instant(person["createdAt"], row["created_at"])
        assert person["createdBy"]["source"] == IMPORT
    assert sum(1 for r in rows if r.get("account_external_id") in companies) >= 20


def test_row_02_contacts_are_deduplicated_by_email(opla: AppliedExample) -> None:
    contacts = opla.rows("contacts")
    emails = Counter(str(r["email"]).strip().lower() for r in contacts if r.get("email"))
    duplicated = [email for email, n in emails.items() if n > 1 and "@" in email]
    assert duplicated  # the planted duplicate
    stored = Counter(
        str(p["emails"]["primaryEmail"]).lower()
        for p in opla.records("people")
        if p["emails"]["primaryEmail"]
    )
    for email in duplicated:
        assert stored[email] == 1, email
    counts = {c.mapping: c for c in opla.header.counts}
    assert counts["people"].deduplicated == len(duplicated)


def test_row_03_opportunity_stage_by_display_label(opla: AppliedExample) -> None:
    stage_map = {
        "Mới": "NEW",
        "Đủ thông tin": "SCREENING",
        "Chờ Duyệt": "SCREENING",
        "Cần điều chỉnh": "MEETING",
        "Gửi báo giá": "PROPOSAL",
        "Đàm phán": "PROPOSAL",
        "Đã ký hợp đồng": "CUSTOMER",  # CLOSE_WON
        "Thất bại": "LOST",  # CLOSE_LOST, an option added to the standard field
    }
    opportunities = opla.by_source("opportunities", "opportunities")
    companies = opla.by_source("companies", "accounts")
    rows = written_rows(opla, "opportunities", "opportunities")
    assert len(rows) == len(opportunities) >= 20
    seen: Counter[str] = Counter()
    for row in rows:
        opportunity = opportunities[row["id"]]
        label = stage_label(row)
        assert opportunity["stage"] == stage_map[str(label)], row["id"]
        assert opportunity["oplaStage"] == label
        assert opportunity["oplaStatus"] == opportunity_status(row)
        probability = row.get("stage_probability")
        assert opportunity["oplaStageProbability"] == (float(probability) if probability else None)
        assert opportunity["oplaCloseReason"] == (row.get("close_reason") or "")
        assert opportunity["oplaClosedOn"] == row.get("date_closed_actual")
        account = companies.get(str(opportunity_account(row)))
        assert opportunity["companyId"] == (account["id"] if account else None)
        assert same_instant(opportunity["createdAt"], row["created_at"])
        seen[opportunity["stage"]] += 1
    assert seen["CUSTOMER"] and seen["LOST"]  # both terminal stages are exercised
    stage = opla.metadata_field("opportunity", "stage")
    values = [option["value"] for option in stage["options"]]
    assert values[:5] == ["NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER"]
    assert "LOST" in values
    assert stage["isCustom"] is False  # the option was added to Twenty's standard field


def test_row_03_close_date_is_the_expected_close_date(opla: AppliedExample) -> None:
    opportunities = opla.by_source("opportunities", "opportunities")
    for row in written_rows(opla, "opportunities", "opportunities"):
        stored = opportunities[row["id"]]["closeDate"]
        if row.get("date_closed"):
            # A date-only value is midnight in the tenant's zone (Asia/Ho_Chi_Minh, UTC+7).
            assert same_instant(stored, f"{row['date_closed']}T00:00:00+07:00"), row["id"]
        else:
            assert stored is None


def test_row_04_product_to_custom_product(opla: AppliedExample) -> None:
    product = opla.metadata_object("product")
    assert product["isCustom"] is True  # Twenty has no Product object (nor a price book)
    products = opla.by_source("products", "products")
    rows = opla.rows("products")
    assert len(products) == len(rows)
    for row in rows:
        stored = products[row["id"]]
        assert stored["name"] == row["name"]
        assert stored["listPrice"] == {
            "amountMicros": int(row["list_price"]) * 1_000_000,
            "currencyCode": row["currency"],
        }
        assert stored["active"] is row["active"]
        assert same_instant(stored["createdAt"], row["created_at"])
    skus = {r["sku"] for r in rows if r["sku"].isascii()}
    assert skus <= {p["sku"] for p in products.values()}


def test_row_04_opportunity_product_lines(opla: AppliedExample) -> None:
    lines = opla.by_source("productLines", "opportunity_products")
    opportunities = opla.by_source("opportunities", "opportunities")
    products = opla.by_source("products", "products")
    rows = written_rows(opla, "opportunity_products", "product_lines")
    assert len(rows) == len(lines) >= 30
    for row in rows:
        line = lines[row["id"]]
        assert line["opportunityId"] == opportunities[row["opportunity_id"]]["id"]
        assert line["productId"] == products[row["product_id"]]["id"]
        assert line["name"] == products[row["product_id"]]["name"]
        assert line["quantity"] == float(row["quantity"])
        assert line["lineTotal"]["amountMicros"] == round(float(row["line_total"]) * 1_000_000)
    # A line whose product is not in the export: quarantined as an orphan reference.
    orphans = [r for r in opla.rows("opportunity_products") if r["product_id"] not in products]
    quarantined = {e.source_key: e.code for e in opla.quarantined("product_lines")}
    assert orphans
    for row in orphans:
        assert quarantined[opla.key("opportunity_products", row["id"])] == "orphan_reference"


def test_row_05_invoice_to_custom_invoice_with_opla_prefix(opla: AppliedExample) -> None:
    assert opla.metadata_object("invoice")["isCustom"] is True
    invoices = opla.by_source("invoices", "invoices")
    opportunities = opla.by_source("opportunities", "opportunities")
    rows = written_rows(opla, "invoices", "invoices")
    assert len(rows) == len(invoices) >= 10
    for row in rows:
        invoice = invoices[row["id"]]
        assert invoice["name"] == f"opla_{row['invoice_number']}"
        assert invoice["sourceNumber"] == row["invoice_number"]  # for the renumbering step
        assert invoice["opportunityId"] == opportunities[row["opportunity_id"]]["id"]
        assert invoice["status"] == row["status"]
        assert invoice["issueDate"] == row["issue_date"]
        assert invoice["total"]["amountMicros"] == int(row["total"]) * 1_000_000
        assert same_instant(invoice["createdAt"], row["created_at"])
    # The renumbering is recorded for the hand-off: the report lists every renumbered invoice.
    report = run_cli(opla.root, "report", "migration.yaml")
    assert report.exit_code == 0, report.output[-2000:]
    for row in rows:
        number = row["invoice_number"]
        line = f"| invoice.name | {opla.key('invoices', row['id'])} | {number} | opla_{number} |"
        assert f"{line} {invoices[row['id']]['id']} |" in report.stdout


def test_row_06_healthscore_as_custom_number(opla: AppliedExample) -> None:
    field = opla.metadata_field("company", "oplaHealthscore")
    assert field["type"] == "NUMBER"
    assert field["isCustom"] is True
    assert "reference" in field["label"].lower()
    assert "opla_healthscore__c" in field["description"]
    companies = opla.by_source("companies", "accounts")
    rows = written_rows(opla, "accounts", "companies")
    for row in rows:
        assert companies[row["id"]]["oplaHealthscore"] == row.get("healthscore")
    assert any(r.get("healthscore") is not None for r in rows)


def test_row_08_locked_flag_and_plan_warning(opla: AppliedExample, opla_audit: Run) -> None:
    listed: set[str] = set()
    for warning in opla.warnings("locked_record"):
        assert warning.count == len(warning.addresses)  # the plan lists every one
        listed |= set(warning.addresses)
    expected: set[str] = set()
    for source_object, mapping, plural in (
        ("accounts", "companies", "companies"),
        ("contacts", "people", "people"),
        ("opportunities", "opportunities", "opportunities"),
    ):
        singular = {"companies": "company", "people": "person"}.get(plural, "opportunity")
        field = opla.metadata_field(singular, "oplaLocked")
        assert field["type"] == "BOOLEAN"
        stored = opla.by_source(plural, source_object)
        for row in written_rows(opla, source_object, mapping):
            assert stored[row["id"]]["oplaLocked"] is bool(row.get("locked")), row["id"]
            if row.get("locked"):
                expected.add(f"record.{mapping}[{opla.key(source_object, row['id'])}]")
    assert expected
    assert expected <= listed
    assert "Twenty cannot lock single records" in opla.plan_run.stdout
    # ... and in the pre-flight report, for every object that has the flag.
    for column in ("accounts.locked", "contacts.locked", "opportunities.locked"):
        assert f"[locked records] {column}:" in opla_audit.stdout


def test_row_09_custom_fields_typed_renamed_and_transliterated(
    opla: AppliedExample, opla_audit: Run
) -> None:
    types = {
        ("company", "oplaDistrict"): "SELECT",
        ("company", "oplaAdo"): "NUMBER",
        ("company", "oplaViDo"): "NUMBER",
        ("company", "oplaAddress"): "TEXT",
        ("company", "oplaSalesChannels"): "MULTI_SELECT",
        ("person", "oplaInterests"): "MULTI_SELECT",
        ("opportunity", "oplaProjectType"): "SELECT",
        ("opportunity", "oplaSignedOn"): "DATE",
    }
    for (obj, name), kind in types.items():
        assert opla.metadata_field(obj, name)["type"] == kind, name
    # Vietnamese labels kept, ASCII option values.
    district = opla.metadata_field("company", "oplaDistrict")
    labels = {o["value"]: o["label"] for o in district["options"]}
    assert labels["QUAN_1"] == "Quận 1" and labels["GO_VAP"] == "Gò Vấp"
    assert all(v.isascii() for v in labels)
    by_label = {label: value for value, label in labels.items()}
    companies = opla.by_source("companies", "accounts")
    checked = 0
    for row in written_rows(opla, "accounts", "companies"):
        company = companies[row["id"]]
        label = custom_value(row, "quan", "Quận")
        assert company["oplaDistrict"] == (by_label[label] if label else None)
        assert company["oplaAddress"] == (custom_value(row, "address", "Address") or "")
        checked += label is not None
    assert checked
    # Names colliding with Twenty's own (`address`, `name`) are prefixed and warned about.
    renamed = {a for w in opla.warnings("renamed_field") for a in w.addresses}
    assert renamed == {"field.company.oplaAddress", "field.person.oplaName"}
    assert "collides with company.address" in opla_audit.stdout


def test_row_10_tags_as_array_and_multi_select(opla: AppliedExample) -> None:
    assert opla.metadata_field("company", "oplaTags")["type"] == "ARRAY"
    companies = opla.by_source("companies", "accounts")
    for row in written_rows(opla, "accounts", "companies"):
        assert companies[row["id"]]["oplaTags"] == tag_list(row.get("tags"))
    people = opla.by_source("people", "contacts")
    split = 0
    for row in written_rows(opla, "contacts", "people"):
        labels = custom_value(row, "nhan")
        if isinstance(labels, str) and "," in labels:
            expected = [part.strip() for part in labels.split(",") if part.strip()]
            assert people[row["id"]]["oplaLabels"] == expected
            split += 1
    assert split  # comma-delimited strings were split into entries
    channels = opla.metadata_field("company", "oplaSalesChannels")
    assert {o["label"] for o in channels["options"]} >= {"Cửa hàng", "Đại lý"}
    assert any(c["oplaSalesChannels"] for c in companies.values())


def test_row_11_owners_by_email_unmatched_held_in_queue(opla: AppliedExample) -> None:
    owners = member_by_owner(opla)
    users = {str(u["external_id"]) for u in opla.rows("users")}
    unmatched = users - set(owners)
    assert unmatched  # the alumni account has no workspace member
    held = opla.held("companies")
    assert held
    for entry in held:
        assert entry.code in {"owner_unresolved", "parent_not_written"}
    held_accounts = {e.source_key.rsplit(":", 1)[1] for e in held if e.code == "owner_unresolved"}
    for row in opla.rows("accounts"):
        if row["owner_id"] in unmatched:
            assert row["id"] in held_accounts
    queue = {e.owner_key: e for e in _owner_queue(opla)}
    assert set(queue) & unmatched
    assert all(entry.records_held > 0 for entry in queue.values())
    # No record in Twenty points at anything but a real member.
    members = {m["id"] for m in opla.records("workspaceMembers")}
    for plural, field in (
        ("companies", "accountOwnerId"),
        ("people", "contactOwnerId"),
        ("opportunities", "ownerId"),
    ):
        for record in opla.records(plural):
            assert record[field] in members | {None}


def _owner_queue(opla: AppliedExample) -> tuple[OwnerQueueEntry, ...]:
    with open_sqlite_state(opla.state_path) as store:
        return tuple(store.owner_queue())


def test_planned_records_are_the_ones_written(opla: AppliedExample) -> None:
    for mapping in ("companies", "people", "opportunities"):
        assert planned(opla, mapping)
