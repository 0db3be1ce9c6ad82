"""The synthetic AeronaClinic bundle: practices, staff, lookups, inventory inputs and patients.

Two practice groups (Northern Ireland and Great Britain in GBP, Republic of Ireland in EUR) with
their sites, plus (dirt) two practices whose parents point at each other: the hierarchy cycle.
Patients get NHS numbers from the 999 test range (none for Republic of Ireland patients), Ofcom
drama phone numbers and ``example.*`` emails. Dirt kinds here: ``practice_cycle``,
``sds_user_id_format``, ``nhs_check_digit``, ``nhs_no_check_digit``, ``nhs_placeholder``,
``nhs_spaces``, ``nhs_duplicate``, ``patient_missing_surname``, ``patient_missing_birth_date``,
``birth_date_in_future``, ``postcode_messy``, ``postcode_pseudo``, ``phone_international_prefix``,
``phone_too_short``, ``email_junk``, ``email_duplicate``, ``patient_sds_number``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from migrator.sources.generator.names import (
    APPOINTMENT_TYPES,
    EIRCODE_CHARS,
    IE_FORENAMES,
    INWARD_LETTERS,
    SURNAMES,
    UK_FORENAMES,
    UK_STREETS,
)
from migrator.sources.generator.randomness import EXPORTED_AT, Dirt, Rng
from migrator.sources.generator.writer import BundleWriter
from migrator.validate.nhs import iter_test_numbers

#: Appointment status lookup: deliberately not 1..6, so nothing may hard-code status ids.
STATUSES = (
    (7, "BOOKED", "Booked"),
    (8, "ARRIVED", "Arrived"),
    (9, "IN_TREATMENT", "In Treatment"),
    (10, "COMPLETED", "Completed"),
    (11, "NO_SHOW", "No Show"),
    (12, "CANCELLED", "Cancelled"),
)
#: Emails of staff on this domain have no Twenty workspace member (owner reconciliation queue).
NO_MEMBER_DOMAIN = "alumni.example.net"
DRAMA_PREFIXES = ("+447700900", "+441632960", "+442079460", "+442896496")
CSV_EXTRA: dict[str, tuple[str, ...]] = {"patients": ("legacyChartNumber",)}


@dataclass(frozen=True)
class Practice:
    """A generated site."""

    id: int
    name: str
    country: str
    town: str
    postcode_area: str
    currency: str
    timezone: str


@dataclass
class AeronaState:
    """Shared generator state: randomness, dirt, output and lookups."""

    rng: Rng
    dirt: Dirt
    out: BundleWriter
    sites: list[Practice] = field(default_factory=list)
    clinicians: list[int] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)
    recall_rules: dict[int, list[int]] = field(default_factory=dict)
    nhs: Iterator[str] = field(default_factory=iter_test_numbers)
    recent_nhs: list[str] = field(default_factory=list)
    recent_emails: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)

    def next(self, name: str, start: int = 1) -> int:
        """A running id per object, from ``start``."""
        value = self.counters.get(name, start - 1) + 1
        self.counters[name] = value
        return value

    def phone(self) -> str:
        """A fictional UK number in E.164 (Ofcom drama ranges)."""
        return self.rng.pick(DRAMA_PREFIXES) + self.rng.digits(3)


_SITES = (
    # name, country, town, postcode area or Eircode routing key, currency, timezone, parent index
    ("Foyle Dental Group", "GB", "Derry", "BT48", "GBP", "Europe/London", None),
    ("Foyle Dental – Strand Road", "GB", "Derry", "BT48", "GBP", "Europe/London", 0),
    ("Foyle Dental – Lisburn Road", "GB", "Belfast", "BT9", "GBP", "Europe/London", 0),
    ("Foyle Dental – Islington", "GB", "London", "N1", "GBP", "Europe/London", 0),
    ("Donegal Smiles", "IE", "Letterkenny", "F92", "EUR", "Europe/Dublin", None),
    ("Donegal Smiles – Dublin 2", "IE", "Dublin", "D02", "EUR", "Europe/Dublin", 4),
)


def uk_postcode(rng: Rng, area: str) -> str:
    """A format-valid postcode in ``area`` (inward code digit + two allowed letters)."""
    return f"{area} {rng.below(10)}{rng.pick(INWARD_LETTERS)}{rng.pick(INWARD_LETTERS)}"


def eircode(rng: Rng, routing: str) -> str:
    """A format-valid Eircode with routing key ``routing``."""
    return routing + " " + "".join(rng.pick(EIRCODE_CHARS) for _ in range(4))


def write_practices(state: AeronaState) -> None:
    """The practice hierarchy (and, as dirt, a two-practice cycle)."""
    rng = state.rng
    ids: list[int] = []
    for name, country, town, area, currency, zone, parent in _SITES:
        ident = state.next("practice", 10)
        ids.append(ident)
        site = Practice(ident, name, country, town, area, currency, zone)
        is_group = parent is None
        if not is_group:
            state.sites.append(site)
        postcode = eircode(rng, area) if country == "IE" else uk_postcode(rng, area)
        state.out.write("practices", _practice(state, site, postcode, parent, ids, is_group))
    if state.dirt.once("practice_cycle"):
        first, second = state.next("practice", 10), state.next("practice", 10)
        for ident, parent in ((first, second), (second, first)):
            site = Practice(
                ident, f"Legacy Branch {ident}", "GB", "Derry", "BT48", "GBP", "Europe/London"
            )
            record = _practice(state, site, uk_postcode(rng, "BT48"), None, ids, False)
            record["parentPracticeId"] = parent
            state.out.write("practices", record)


def _practice(
    state: AeronaState,
    site: Practice,
    postcode: str,
    parent: int | None,
    ids: list[int],
    is_group: bool,
) -> dict[str, Any]:
    rng = state.rng
    return {
        "practiceId": site.id,
        "parentPracticeId": ids[parent] if parent is not None else None,
        "practiceType": "GROUP" if is_group else "SITE",
        "name": site.name,
        "address1": f"{rng.between(1, 120)} {rng.pick(UK_STREETS)}",
        "town": site.town,
        "postcode": postcode,
        "country": site.country,
        "phone": state.phone(),
        "email": f"reception{site.id}@example.org",
        "odsCode": f"V{rng.digits(5)}" if site.country == "GB" else None,
        "practicePin": rng.digits(4),
        "currency": site.currency,
        "timezone": site.timezone,
        "active": True,
    }


def write_users(state: AeronaState, count: int) -> None:
    """Clinicians and staff; roles weighted towards dentists and nurses."""
    rng = state.rng
    roles = (
        "DENTIST",
        "DENTIST",
        "HYGIENIST",
        "NURSE",
        "NURSE",
        "THERAPIST",
        "RECEPTIONIST",
        "PRACTICE_MANAGER",
        "ORTHODONTIST",
        "ADMIN",
    )
    for i in range(count):
        ident = state.next("user", 500)
        role = roles[i % len(roles)]
        clinician = role in ("DENTIST", "HYGIENIST", "THERAPIST", "ORTHODONTIST")
        (state.clinicians if clinician else state.staff).append(ident)
        forename, surname = rng.pick(IE_FORENAMES + UK_FORENAMES), rng.pick(SURNAMES)
        sds = "2000" + rng.digits(8)
        if state.dirt("sds_user_id_format"):
            sds = sds[:11]
        site_ids = sorted({rng.pick(state.sites).id for _ in range(rng.between(1, 2))})
        active = rng.chance(0.9)
        domain = "example.org" if active else NO_MEMBER_DOMAIN
        state.out.write(
            "users",
            {
                "userId": ident,
                "practiceIds": site_ids,
                "title": "Dr" if role in ("DENTIST", "ORTHODONTIST") else None,
                "forename": forename,
                "surname": surname,
                "email": f"staff{ident}@{domain}",
                "role": role,
                "isClinician": clinician,
                "gdcNumber": rng.digits(6)
                if role not in ("RECEPTIONIST", "ADMIN", "PRACTICE_MANAGER")
                else None,
                "sdsUserId": sds,
                "sdsRoleProfileId": "1000" + rng.digits(8),
                "active": rng.chance(0.9),
            },
        )


def write_lookups(state: AeronaState) -> None:
    """Appointment types and statuses, recall and reminder rules, payment integrations."""
    rng, out = state.rng, state.out
    for i, (name, minutes, colour) in enumerate(APPOINTMENT_TYPES, 1):
        out.write(
            "appointment_types",
            {
                "appointmentTypeId": i,
                "name": name,
                "defaultDuration": minutes,
                "colour": colour,
                "active": True,
            },
        )
    for ident, code, label in STATUSES:
        out.write(
            "appointment_statuses", {"appointmentStatusId": ident, "code": code, "label": label}
        )
    rules = (
        ("6-monthly exam", 1, 6, [-14, 0, 14]),
        ("Hygiene 3m", 2, 3, [-7, 0]),
        ("Annual exam", 1, 12, [-30, -7, 0, 21]),
    )
    for site in state.sites:
        for name, type_id, months, offsets in rules:
            ident = state.next("recall_rule")
            state.recall_rules.setdefault(site.id, []).append(ident)
            out.write(
                "recall_rules",
                {
                    "recallRuleId": ident,
                    "practiceId": site.id,
                    "name": name,
                    "appointmentTypeId": type_id,
                    "intervalMonths": months,
                    "reminderOffsetsDays": offsets,
                    "channels": ["SMS", "EMAIL"],
                    "active": True,
                },
            )
        for channel, hours in (("SMS", -48), ("EMAIL", -24), ("SMS", -2)):
            out.write(
                "reminder_rules",
                {
                    "reminderRuleId": state.next("reminder_rule"),
                    "practiceId": site.id,
                    "name": f"{channel} reminder {abs(hours)}h before",
                    "channel": channel,
                    "offsetHours": hours,
                    "appointmentTypeIds": [1, 2, 3],
                    "template": "Hi {forename}, see you on {date} at {time}.",
                    "active": True,
                },
            )
    for provider, features in (("GOCARDLESS", ["MANDATES", "CARE_PLANS"]), ("STRIPE", ["CARD"])):
        for site in state.sites[:: 2 if provider == "STRIPE" else 1]:
            out.write(
                "payment_integrations",
                {
                    "integrationId": state.next("integration"),
                    "practiceId": site.id,
                    "provider": provider,
                    "accountReference": f"{provider[:2]}-{rng.digits(8)}",
                    "status": "CONNECTED",
                    "features": features,
                    "connectedAt": "2023-04-01T09:00:00+01:00",
                },
            )


def header(seed: int, records: int) -> dict[str, Any]:
    """The manifest fields other than ``files`` and ``attachments``."""
    return {
        "source": "aeronaclinic",
        "schema_version": "1.0",
        "exported_at": EXPORTED_AT.isoformat().replace("+00:00", "Z"),
        "practice_root_id": 10,
        "timezone": "Europe/London",
        "currency": "GBP",
        "tooth_notation": "PALMER",
        "generator": {"seed": seed, "records_requested": records, "synthetic": True},
    }


def local(moment: dt.datetime, zone: Any) -> str:
    """ISO 8601 with the practice's offset (BST/GMT, IST/GMT)."""
    return moment.astimezone(zone).isoformat(timespec="seconds")
