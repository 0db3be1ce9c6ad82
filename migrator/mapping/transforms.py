"""The spec's transforms, compiled into one function per field mapping.

Each transform of :mod:`migrator.spec.transforms` becomes a step ``(value, ctx) -> value``; a
list of them is composed in order. Text transforms apply to each element of a list (None
elements are dropped). None passes through every step untouched. Steps that validate (``number``,
``micros``, ``date``, ``email``, ``emails``, ``url``, ``phone``) report their problems through
:meth:`RowContext.judge` under the field's ``on_invalid``, so a bad value quarantines the row,
is dropped or is kept exactly as the spec says.

``phone`` gives Twenty's PHONES shape (``primaryPhoneNumber`` national digits,
``primaryPhoneCountryCode`` ``GB``, ``primaryPhoneCallingCode`` ``+44``; further numbers of a list
in ``additionalPhones``); ``emails`` gives EMAILS (``primaryEmail``, ``additionalEmails``).
Transliterations are cached; phones are judged by :mod:`migrator.mapping.phones` (the validator's
results, faster).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from migrator.mapping.context import RowContext
from migrator.mapping.phones import check_opla_phone, check_phone
from migrator.mapping.render import compile_format, text_of
from migrator.spec.naming import to_option_value
from migrator.spec.transforms import (
    CaseTransform,
    DateTransform,
    FormatTransform,
    JoinTransform,
    PhoneTransform,
    PrefixTransform,
    SplitTransform,
    Transform,
)
from migrator.validate.emails import check_email
from migrator.validate.findings import Issue, error, warn
from migrator.validate.money import to_micros
from migrator.validate.phones import Phone

Step = Callable[[Any, RowContext], Any]

ERROR_NUMBER = error("not_a_number", "value is not a number")
ERROR_DATE = error("not_a_date", "value is not a date or timestamp")
WARN_URL = warn("url_invalid", "value is not a URL with a host; not loaded")


@dataclass(frozen=True)
class StepEnv:
    """What a field's steps need to know: its name (for messages), policy and timezone."""

    field: str
    policy: str | None
    timezone: ZoneInfo


def _each(one: Callable[[Any, RowContext], Any]) -> Step:
    """Apply ``one`` to a value, or to each element of a list (dropping None results)."""

    def step(value: Any, ctx: RowContext) -> Any:
        if value is None:
            return None
        if isinstance(value, list | tuple):
            found = (one(item, ctx) for item in value if item is not None)
            return [item for item in found if item is not None]
        return one(value, ctx)

    return step


def _text(fn: Callable[[str], Any]) -> Step:
    return _each(lambda value, _ctx: fn(value) if isinstance(value, str) else fn(text_of(value)))


@functools.lru_cache(maxsize=65536)
def transliterate(text: str) -> str | None:
    """The ASCII UPPER_SNAKE option value of a label (cached); None when nothing is left."""
    return to_option_value(text) or None


def to_number(value: Any) -> int | float | None:
    """A JSON number from a decimal, integer, float or numeric text; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def to_date(value: Any, zone: ZoneInfo) -> dt.date | None:
    """The calendar date of an instant in ``zone``; dates and ``YYYY-MM-DD`` text as they are."""
    if isinstance(value, dt.datetime):
        return value.astimezone(zone).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return dt.date.fromisoformat(text)
            return to_date(dt.datetime.fromisoformat(text), zone)
        except ValueError:
            return None
    return None


@functools.lru_cache(maxsize=65536)
def normalise_url(text: str) -> str | None:
    """Scheme added (``https``) when missing, scheme and host lower-cased, a bare ``/`` path
    dropped; None when there is no host."""
    text = text.strip()
    if not text:
        return None
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if not parts.netloc or " " in parts.netloc:
        return None
    path = "" if parts.path == "/" and not parts.query and not parts.fragment else parts.path
    scheme, host = parts.scheme.lower(), parts.netloc.lower()
    return urlunsplit((scheme, host, path, parts.query, parts.fragment))


def phones_value(numbers: list[Phone]) -> dict[str, Any]:
    """Twenty's PHONES value for parsed numbers: the first primary, the rest additional."""
    first, rest = numbers[0], numbers[1:]
    value: dict[str, Any] = dict(first.twenty())
    if rest:
        value["additionalPhones"] = [
            {
                "number": p.national_number,
                "countryCode": p.country_code,
                "callingCode": p.calling_code,
            }
            for p in rest
        ]
    return value


def _phone_step(region: str, env: StepEnv) -> Step:
    def parse(value: Any, ctx: RowContext) -> Phone | None:
        if isinstance(value, Mapping):
            if not value.get("phone"):
                return None
            outcome = check_opla_phone(value, region)
        else:
            text = text_of(value).strip()
            if not text:
                return None
            outcome = check_phone(text, region)
        if outcome.issues:
            kept = ctx.judge(env.field, env.policy, outcome.value, outcome.issues, outcome.value)
            return kept if isinstance(kept, Phone) else None
        return outcome.value

    def step(value: Any, ctx: RowContext) -> Any:
        items = value if isinstance(value, list | tuple) else [value]
        parsed = [p for p in (parse(item, ctx) for item in items if item is not None) if p]
        return phones_value(parsed) if parsed else None

    return step


def _emails_step(env: StepEnv, *, whole: bool) -> Step:
    def step(value: Any, ctx: RowContext) -> Any:
        if value is None:
            return None
        text = ", ".join(value) if isinstance(value, list | tuple) else text_of(value)
        if not text.strip():
            return None
        outcome = check_email(text)
        found = outcome.value
        if outcome.issues:
            kept = ctx.judge(env.field, env.policy, found, outcome.issues, text)
            if kept is None:
                return None
            if isinstance(kept, str):  # `on_invalid: warn` writes the text as it is
                return {"primaryEmail": kept, "additionalEmails": []} if whole else kept
        if found is None:
            return None
        # Twenty lower-cases every address on write (twenty-api.md §3): send what it will hold,
        # or verify and `plan --refresh` would see "Chau@…" drift to "chau@…" after every apply.
        primary = found.primary.lower()
        if whole:
            additional = [address.lower() for address in found.additional]
            return {"primaryEmail": primary, "additionalEmails": additional}
        return primary

    return step


def _checked(convert: Callable[[Any], Any], problem: Issue, env: StepEnv) -> Step:
    def one(value: Any, ctx: RowContext) -> Any:
        result = convert(value)
        if result is None:
            return ctx.judge(env.field, env.policy, None, (problem,), value)
        return result

    return _each(one)


def _micros(value: Any) -> int | None:
    number = _decimal(value)
    return None if number is None else to_micros(number)


def _url(env: StepEnv) -> Step:
    def one(value: Any, ctx: RowContext) -> Any:
        result = normalise_url(text_of(value))
        if result is None and text_of(value).strip():
            return ctx.judge(env.field, env.policy, None, (WARN_URL,), value)
        return result

    return _each(one)


def _split(separator: str) -> Step:
    def step(value: Any, _ctx: RowContext) -> Any:
        if value is None:
            return None
        items = value if isinstance(value, list | tuple) else [value]
        parts: list[str] = []
        for item in items:
            if item is not None:
                parts.extend(p for p in text_of(item).split(separator) if p.strip())
        return parts

    return step


def _join(separator: str) -> Step:
    def step(value: Any, _ctx: RowContext) -> Any:
        if isinstance(value, list | tuple):
            texts = [text_of(item) for item in value if item is not None]
            return separator.join(t for t in texts if t) or None
        return value

    return step


def _format(template: str) -> Step:
    render = compile_format(template)

    def step(value: Any, _ctx: RowContext) -> Any:
        if value is None:
            return None
        if isinstance(value, list | tuple):
            return [t for t in (render(item) for item in value if item is not None) if t]
        return render(value)

    return step


_CASES: dict[str, Callable[[str], str]] = {
    "upper": str.upper,
    "lower": str.lower,
    "title": str.title,
}


def _word_step(name: str, env: StepEnv) -> Step:
    zone = env.timezone
    table: dict[str, Callable[[], Step]] = {
        "trim": lambda: _text(str.strip),
        "transliterate": lambda: _text(transliterate),
        "number": lambda: _checked(to_number, ERROR_NUMBER, env),
        "micros": lambda: _checked(_micros, ERROR_NUMBER, env),
        "date": lambda: _checked(lambda v: to_date(v, zone), ERROR_DATE, env),
        "email": lambda: _emails_step(env, whole=False),
        "emails": lambda: _emails_step(env, whole=True),
        "url": lambda: _url(env),
    }
    return table[name]()


def compile_step(transform: Transform, env: StepEnv) -> Step:
    """One transform as a step."""
    if isinstance(transform, str):
        return _word_step(transform, env)
    if isinstance(transform, PrefixTransform):
        prefix = transform.prefix
        return _text(lambda text: prefix + text)
    if isinstance(transform, SplitTransform):
        return _split(transform.split)
    if isinstance(transform, JoinTransform):
        return _join(transform.join)
    if isinstance(transform, CaseTransform):
        return _text(_CASES[transform.case])
    if isinstance(transform, DateTransform):
        zone = ZoneInfo(transform.date)
        return _checked(lambda v: to_date(v, zone), ERROR_DATE, env)
    if isinstance(transform, PhoneTransform):
        return _phone_step(transform.phone, env)
    if isinstance(transform, FormatTransform):
        return _format(transform.format)
    raise TypeError(f"unknown transform {transform!r}")


def compile_transforms(transforms: tuple[Transform, ...], env: StepEnv) -> Step | None:
    """The composition of ``transforms`` in order; None when there are none."""
    steps = [compile_step(t, env) for t in transforms]
    if not steps:
        return None
    if len(steps) == 1:
        return steps[0]

    def chain(value: Any, ctx: RowContext) -> Any:
        for step in steps:
            if value is None:
                return None
            value = step(value, ctx)
        return value

    return chain
