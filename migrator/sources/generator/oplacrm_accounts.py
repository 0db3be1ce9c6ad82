"""Synthetic OplaCRM accounts, contacts and leads, with their custom field values and dirt.

Dirt kinds here: ``account_missing_name``, ``account_emoji``, ``tags_comma_string``,
``account_orphan_parent``, ``contact_duplicate_email``, ``contact_missing_first_name``,
``contact_junk_email``, ``contact_several_emails``, ``contact_orphan_account``,
``contact_upper_case_account_id``, ``phone_trunk_zero``, ``phone_junk``,
``phone_country_mismatch``, ``custom_unknown_option``, ``custom_api_shape``, plus
``owner_without_user`` through :meth:`OplaState.owner`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from migrator.sources.generator.names import (
    VN_BRAND,
    VN_BUSINESS,
    VN_CITIES,
    VN_DEPARTMENTS,
    VN_DISTRICTS,
    VN_EMOJI,
    VN_JOB_TITLES,
    VN_MOBILE_PREFIXES,
    VN_SOURCES,
    VN_STREETS,
    VN_TAGS,
)
from migrator.sources.generator.oplacrm import CUSTOM_FIELDS, TENANT_ID, OplaState
from migrator.sources.generator.randomness import iso_offset, iso_z

VN_OFFSET = dt.timedelta(hours=7)
_DEFS = {d[0]: d for d in CUSTOM_FIELDS}


@dataclass
class AccountCtx:
    """What the deal and engagement writers need to know about an account."""

    id: str
    external_id: str | None
    name: str
    owner: str
    created: dt.datetime
    contacts: list[str] = field(default_factory=list)
    opportunities: list[str] = field(default_factory=list)


def local_date(moment: dt.datetime) -> dt.date:
    """The Vietnam calendar date of a UTC instant."""
    return (moment + VN_OFFSET).date()


def timestamp(state: OplaState, moment: dt.datetime) -> str:
    """Either accepted timestamp shape (milliseconds Z, or microseconds +00:00)."""
    return iso_offset(moment) if state.rng.chance(0.25) else iso_z(moment)


def phone_object(state: OplaState) -> dict[str, Any]:
    """An OplaCRM phone object ``{phone, call_code, country_code, country_name}``."""
    rng = state.rng
    national = rng.pick(VN_MOBILE_PREFIXES) + rng.digits(7)
    country = "VN"
    if state.dirt("phone_trunk_zero"):
        national = "0" + national
    elif state.dirt("phone_junk"):
        national = rng.digits(4)
    elif state.dirt("phone_country_mismatch"):
        country = "TH"
    return {
        "phone": national,
        "call_code": "+84",
        "country_code": country,
        "country_name": "Vietnam",
    }


def custom_value(state: OplaState, ident: str, value: Any) -> dict[str, Any]:
    """One custom field value; select values are option ids (labels looked up by the reader).

    ``value`` is an option index for SELECT, a list of indexes for MULTI_SELECT, else the value.
    """
    _, _, label, key, data_type, _ = _DEFS[ident]
    options = state.options[ident]
    out: Any = value
    if data_type == "SELECT":
        out = options[value][0]
        if state.dirt("custom_unknown_option"):
            out = "opt-999"
    elif data_type == "MULTI_SELECT":
        out = [options[i][0] for i in value]
    if state.dirt("custom_api_shape"):
        masters = [{"id": i, "value": v} for i, v in options]
        return {"custom_field": {"name": label, "master_data_custom_fields": masters}, "value": out}
    item: dict[str, Any] = {"custom_field_id": ident, "key": key, "value": out}
    if data_type == "SELECT" and out != "opt-999":
        item["value_label"] = options[value][1]
    return item


def tags(state: OplaState) -> Any:
    """A tag list, or (dirt) one comma-delimited string."""
    rng = state.rng
    chosen = sorted({rng.pick(VN_TAGS) for _ in range(rng.between(0, 3))})
    if chosen and state.dirt("tags_comma_string"):
        return ", ".join(chosen)
    return chosen


def address(state: OplaState) -> tuple[str, str]:
    """(street address, city code)."""
    rng = state.rng
    city, code = rng.pick(VN_CITIES)
    text = f"{rng.between(1, 450)} {rng.pick(VN_STREETS)}, {rng.pick(VN_DISTRICTS)}, {city}"
    return text, code


def write_account(state: OplaState, index: int) -> AccountCtx:
    """One account; returns its context for the child writers."""
    rng, dirt = state.rng, state.dirt
    name = f"{rng.pick(VN_BUSINESS)} {rng.pick(VN_BRAND)}"
    if dirt("account_emoji"):
        name = f"{name} {rng.pick(VN_EMOJI)}"
    created = rng.moment()
    external = f"ACCOUNT-{index:06d}" if rng.chance(0.92) else None
    ctx = AccountCtx(rng.uuid(), external, name, state.owner(), created)
    street, area = address(state)
    score = rng.between(5, 100)
    state.healthscores[0] = min(state.healthscores[0], score)
    state.healthscores[1] = max(state.healthscores[1], score)
    record: dict[str, Any] = {
        "id": ctx.id,
        "short_id": f"ACC-{index:06d}",
        "external_id": external,
        "name": name,
        "account_type": rng.pick(("Merchant", "Chuỗi", "Đại lý", "Doanh nghiệp")),
        "tax_identification_number": rng.digits(10) + ("-001" if rng.chance(0.1) else ""),
        "email": f"lienhe{index}@example.com",
        "phone": phone_object(state),
        "address": street,
        "google_map_address": street,
        "area": area,
        "healthscore": score,
        "locked": rng.chance(0.05),
        "tags": tags(state),
        "owner_id": ctx.owner,
        "company_id": TENANT_ID,
        "created_at": timestamp(state, created),
        "updated_at": iso_z(rng.moment(after=created)),
        "created_by": ctx.owner,
        "updated_by": ctx.owner,
        "custom_field_values": [
            custom_value(state, "cf-001", rng.below(6)),
            custom_value(state, "cf-002", rng.between(1, 400)),
            custom_value(state, "cf-003", f"10.{rng.digits(4)}"),
            custom_value(state, "cf-004", address(state)[0]),
            custom_value(state, "cf-005", sorted({rng.below(3), rng.below(3)})),
        ],
    }
    if state.recent_accounts and rng.chance(0.08):
        record["parent_account_id"] = rng.pick(state.recent_accounts)
    if dirt("account_orphan_parent"):
        record["parent_account_id"] = rng.uuid()
    if rng.chance(0.02):
        record["legacy_segment"] = "SME"
    if dirt("account_missing_name"):
        del record["name"]
    state.recent_accounts.append(ctx.id)
    if len(state.recent_accounts) > 64:
        del state.recent_accounts[:32]
    state.out.write("accounts", record)
    return ctx


def _email(state: OplaState, given: str, family: str, serial: int) -> str:
    dirt, rng = state.dirt, state.rng
    if state.recent_emails and dirt("contact_duplicate_email"):
        return rng.pick(state.recent_emails).upper()
    if dirt("contact_junk_email"):
        return rng.pick(("Email", "n/a", "-", "test@test.com"))
    email = f"{state.ascii(given)}.{state.ascii(family)}.{serial}@example.com"
    state.recent_emails.append(email)
    if len(state.recent_emails) > 64:
        del state.recent_emails[:32]
    if dirt("contact_several_emails"):
        return f"{email}; {state.ascii(given)}{serial}@example.org"
    return email


def birthday(state: OplaState) -> str:
    """A birth date; a fifth come as the UTC instant of Vietnam midnight (§2.1 pitfall)."""
    rng = state.rng
    day = dt.date(1960, 1, 1) + dt.timedelta(days=rng.below(15_700))
    if rng.chance(0.2):
        return f"{day - dt.timedelta(days=1)}T17:00:00.000Z"
    return day.isoformat()


def write_contact(state: OplaState, account: AccountCtx) -> None:
    """One contact of ``account``."""
    rng, dirt = state.rng, state.dirt
    given, family, middle = state.person()
    serial = state.next("contact")
    ident = rng.uuid()
    created = rng.moment(after=account.created, days=200)
    owner = account.owner if rng.chance(0.8) else state.owner()
    account_id = account.id
    if dirt("contact_orphan_account"):
        account_id = rng.uuid()
    elif dirt("contact_upper_case_account_id"):
        account_id = account_id.upper()
    record: dict[str, Any] = {
        "id": ident,
        "external_id": f"CONTACT-{serial:07d}",
        "account_id": account_id,
        "account_external_id": account.external_id,
        "first_name": given,
        "last_name": f"{family} {middle}",
        "name": f"{family} {middle} {given}",
        "gender": rng.pick(("MALE", "FEMALE", "FEMALE", "MALE", "OTHER")),
        "email": _email(state, given, family, serial),
        "birthday": birthday(state),
        "department": rng.pick(VN_DEPARTMENTS),
        "job_title": rng.pick(VN_JOB_TITLES),
        "description": "Khách hàng thân thiết 🌸" if rng.chance(0.1) else None,
        "address": address(state)[0],
        "phone_work": phone_object(state),
        "owner_id": owner,
        "company_id": TENANT_ID,
        "tags": tags(state),
        "locked": rng.chance(0.03),
        "created_at": timestamp(state, created),
        "updated_at": iso_z(rng.moment(after=created)),
        "created_by": owner,
        "updated_by": owner,
        "custom_field_values": [
            custom_value(state, "cf-006", f"Anh {given}" if rng.chance(0.5) else f"Chị {given}"),
            custom_value(state, "cf-007", ", ".join(sorted({rng.pick(VN_TAGS), "Khách mới"}))),
            custom_value(state, "cf-008", [rng.below(3)]),
        ],
    }
    if rng.chance(0.3):
        record["phone_other"] = phone_object(state)
    if dirt("contact_missing_first_name"):
        del record["first_name"]
    account.contacts.append(ident)
    state.out.write("contacts", record)


def write_lead(state: OplaState, account: AccountCtx) -> None:
    """A lead in the API's own shape: owner as ``{full_name, external_id}``."""
    rng = state.rng
    given, family, middle = state.person()
    status = rng.pick(("NEW", "CONTACTED", "QUALIFIED", "CONVERTED", "DISQUALIFIED"))
    owner = state.owner()
    user = state.by_external.get(owner)
    owner_name = user.full_name if user else "Nhân viên cũ"
    record: dict[str, Any] = {
        "id": rng.uuid(),
        "name": f"{family} {middle} {given}",
        "account_name": account.name,
        "phone": phone_object(state),
        "email": f"lead.{state.next('lead')}@example.org",
        "source": rng.pick(VN_SOURCES),
        "status": status,
        "owner": {"full_name": owner_name, "external_id": owner},
        "created_at": iso_z(rng.moment(after=account.created, days=60)),
        "custom_field_values": [custom_value(state, "cf-011", rng.below(3))],
    }
    if status == "CONVERTED" and account.opportunities:
        record["converted_opportunity_id"] = account.opportunities[0]
    state.out.write("leads", record)
