"""Synthetic AeronaClinic patients (dirt kinds: see the ``aeronaclinic`` module doc)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from migrator.sources.generator.aeronaclinic import (
    AeronaState,
    Practice,
    eircode,
    local,
    uk_postcode,
)
from migrator.sources.generator.names import (
    IE_FORENAMES,
    SURNAMES,
    TITLES_F,
    TITLES_M,
    UK_FORENAMES,
    UK_STREETS,
)
from migrator.sources.generator.randomness import EXPORTED_AT, cumulative

_CATEGORY = cumulative((0.35, 0.3, 0.2, 0.1, 0.05))
_CATEGORIES = ("NHS", "PRIVATE", "MIXED", "CARE_PLAN", "INSURANCE")
_STATUS = cumulative((0.86, 0.08, 0.03, 0.02, 0.01))
_STATUSES = ("ACTIVE", "INACTIVE", "ARCHIVED", "DECEASED", "MERGED")
_ZONES: dict[str, ZoneInfo] = {}


def zone(name: str) -> ZoneInfo:
    """A cached :class:`ZoneInfo`."""
    found = _ZONES.get(name)
    if found is None:
        found = _ZONES[name] = ZoneInfo(name)
    return found


@dataclass
class PatientCtx:
    """What the clinical and billing writers need to know about a patient."""

    id: int
    site: Practice
    birth: dt.date
    created: dt.datetime
    clinician: int
    appointments: list[tuple[int, dt.datetime, str]] = field(default_factory=list)
    treatments: list[tuple[int, str, str]] = field(default_factory=list)
    consents: list[int] = field(default_factory=list)

    @property
    def zone(self) -> ZoneInfo:
        """The practice's timezone."""
        return zone(self.site.timezone)

    def age(self, when: dt.date) -> int:
        """Age in whole years on ``when``."""
        years = when.year - self.birth.year
        return years - ((when.month, when.day) < (self.birth.month, self.birth.day))


def _nhs_number(state: AeronaState) -> str:
    dirt, rng = state.dirt, state.rng
    number = next(state.nhs)
    if dirt("nhs_check_digit"):
        return number[:9] + str((int(number[9]) + 1) % 10)
    if dirt("nhs_no_check_digit"):
        return "9990000001"
    if dirt("nhs_placeholder"):
        return "0000000000"
    if state.recent_nhs and dirt("nhs_duplicate"):
        return rng.pick(state.recent_nhs)
    state.recent_nhs.append(number)
    if len(state.recent_nhs) > 64:
        del state.recent_nhs[:32]
    if dirt("nhs_spaces"):
        return f"{number[:3]} {number[3:6]} {number[6:]}"
    return number


def _postcode(state: AeronaState, site: Practice) -> str:
    dirt, rng = state.dirt, state.rng
    if site.country == "IE":
        return eircode(rng, site.postcode_area)
    if dirt("postcode_pseudo"):
        return "ZZ99 3VZ"
    code = uk_postcode(rng, site.postcode_area)
    return code.lower().replace(" ", "") if dirt("postcode_messy") else code


def _phone(state: AeronaState) -> str:
    dirt, number = state.dirt, state.phone()
    if dirt("phone_international_prefix"):
        return "0044 (0)" + number[3:]
    if dirt("phone_too_short"):
        return "0770"
    if state.rng.chance(0.3):
        return "0" + number[3:6] + " " + number[6:]
    return number


def _email(state: AeronaState, forename: str, ident: int) -> str | None:
    dirt, rng = state.dirt, state.rng
    if dirt("email_junk"):
        return rng.pick(("n/a", "none", "Email"))
    if state.recent_emails and dirt("email_duplicate"):
        return rng.pick(state.recent_emails)
    if rng.chance(0.1):
        return None
    ascii_name = forename.encode("ascii", "ignore").decode().lower() or "patient"
    email = f"{ascii_name}.{ident}@example.org"
    state.recent_emails.append(email)
    if len(state.recent_emails) > 64:
        del state.recent_emails[:32]
    return email


def write_patient(state: AeronaState, site: Practice | None = None) -> PatientCtx:
    """One patient of ``site`` (a random site when None)."""
    rng, dirt = state.rng, state.dirt
    site = site or rng.pick(state.sites)
    ident = state.next("patient", 100_000)
    female = rng.chance(0.52)
    irish = site.country == "IE" or rng.chance(0.4)
    forename = rng.pick(IE_FORENAMES if irish else UK_FORENAMES)
    birth = dt.date(1932, 1, 1) + dt.timedelta(days=rng.below(33_000))
    created = rng.moment()
    ctx = PatientCtx(ident, site, birth, created, rng.pick(state.clinicians))
    status = rng.weighted(_STATUSES, _STATUS)
    record: dict[str, Any] = {
        "patientId": ident,
        "practiceId": site.id,
        "preferredClinicianUserId": ctx.clinician,
        "title": rng.pick(TITLES_F if female else TITLES_M),
        "forename": forename,
        "middleNames": rng.pick(IE_FORENAMES + UK_FORENAMES) if rng.chance(0.3) else None,
        "surname": rng.pick(SURNAMES),
        "dateOfBirth": birth.isoformat(),
        "sex": "FEMALE" if female else ("MALE" if rng.chance(0.97) else "OTHER"),
        "address1": f"{rng.between(1, 240)} {rng.pick(UK_STREETS)}",
        "town": site.town,
        "postcode": _postcode(state, site),
        "country": site.country,
        "mobilePhone": _phone(state),
        "homePhone": state.phone() if rng.chance(0.2) else None,
        "email": _email(state, forename, ident),
        "nhsNumber": _nhs_number(state) if site.country == "GB" else None,
        "patientCategory": rng.weighted(_CATEGORIES, _CATEGORY),
        "recallExempt": rng.chance(0.05),
        "marketingConsent": {
            "sms": rng.chance(0.6),
            "email": rng.chance(0.5),
            "post": rng.chance(0.2),
        },
        "status": status,
        "createdAt": local(created, ctx.zone),
        "updatedAt": local(rng.moment(after=created), ctx.zone),
    }
    if rng.chance(0.1):
        record["householdGroupId"] = 9000 + ident // 4
    if rng.chance(0.15):
        record["nextOfKin"] = {
            "name": f"{rng.pick(UK_FORENAMES)} {record['surname']}",
            "relationship": rng.pick(("Spouse", "Parent", "Child")),
            "phone": state.phone(),
        }
    if status == "MERGED":
        record["mergedIntoPatientId"] = max(100_001, ident - 1)
    if dirt("patient_sds_number"):
        record["sdsNumber"] = "2000" + rng.digits(8)
    if rng.chance(0.01):
        record["legacyChartNumber"] = f"LC-{ident}"
    if dirt("patient_missing_surname"):
        del record["surname"]
    if dirt("patient_missing_birth_date"):
        del record["dateOfBirth"]
    elif dirt("birth_date_in_future"):
        record["dateOfBirth"] = (EXPORTED_AT.date() + dt.timedelta(days=40)).isoformat()
    state.out.write("patients", record)
    return ctx
