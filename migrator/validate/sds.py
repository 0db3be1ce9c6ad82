"""SDS identifiers of NHS staff: user ids and role profile ids (sources.md §7.2).

Both are 12 digits with no published check digit. Spaces are stripped (FIX); anything else is a
WARN and the raw value is kept. SDS ids identify healthcare workers, never patients: a patient's
``sdsNumber`` is kept as an opaque string (:func:`check_patient_sds`), never validated as an NHS
number.
"""

from __future__ import annotations

from migrator.validate.findings import Issue, Outcome, fix, warn

FIX_SPACES = fix("sds_spaces", "SDS identifier spaces removed")
WARN_USER_ID = warn("sds_user_id_format", "SDS user id is not 12 digits; kept as given")
WARN_ROLE_PROFILE = warn(
    "sds_role_profile_id_format", "SDS role profile id is not 12 digits; kept as given"
)
WARN_PATIENT_SDS = warn(
    "patient_sds_meaning_unknown",
    "patient SDS numbers have no known meaning (SDS ids identify staff); kept as opaque text",
)


def _twelve_digits(value: str, problem: Issue) -> Outcome[str]:
    compact = "".join(value.split())
    issues: tuple[Issue, ...] = (FIX_SPACES,) if compact != value else ()
    if len(compact) == 12 and compact.isascii() and compact.isdigit():
        return Outcome(compact, issues)
    return Outcome(value, (problem,))


def check_sds_user_id(value: str) -> Outcome[str]:
    """An SDS user id (smartcard UUID), e.g. ``200009876204``."""
    return _twelve_digits(value, WARN_USER_ID)


def check_sds_role_profile_id(value: str) -> Outcome[str]:
    """An SDS role profile id, e.g. ``100077650987``."""
    return _twelve_digits(value, WARN_ROLE_PROFILE)


def check_patient_sds(value: str) -> Outcome[str]:
    """A patient's ``sdsNumber``: kept verbatim, with the once-per-run WARN about its meaning
    (the caller reports the WARN once, not per record)."""
    return Outcome(value, (WARN_PATIENT_SDS,))
