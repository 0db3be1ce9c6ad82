"""The transforms a field mapping may apply to a source value, as spec models.

A transform list is applied in order. In YAML a transform without an argument is a bare word
(``trim``) and one with an argument is a one-key mapping (``{prefix: opla_}``). Transforms that
work on text apply to each element when the value is a list. The models only describe what to do;
the mapper implements it (``migrator.spec.naming`` holds the pure text functions both share).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from migrator.spec.base import SpecModel

#: Transforms without an argument, written as a bare word.
SimpleTransform = Literal[
    "trim",
    "transliterate",
    "number",
    "micros",
    "date",
    "email",
    "emails",
    "url",
]
"""``trim``: strip surrounding whitespace. ``transliterate``: turn a label into an ASCII
UPPER_SNAKE option value (``Quận 1`` → ``QUAN_1``, :func:`migrator.spec.naming.to_option_value`).
``number``: a decimal string to a JSON number (Twenty refuses ``"12"`` for NUMBER). ``micros``: a
decimal amount to integer micros (× 1,000,000) for ``amountMicros``. ``date``: an instant to the
calendar date in the source's tenant timezone. ``email``: normalise one address (trim, strip
``mailto:``, lower-case the domain). ``emails``: split a string of addresses into an EMAILS value
(first primary, the rest additional). ``url``: normalise a URL (scheme, lower-case host) so unique
LINKS values compare equal."""


class PrefixTransform(SpecModel):
    """Put a fixed text in front of the value (``{prefix: opla_}``)."""

    prefix: str = Field(min_length=1)


class SplitTransform(SpecModel):
    """Split a delimited string into a list (``{split: ","}``); empty parts are dropped."""

    split: str = Field(min_length=1)


class JoinTransform(SpecModel):
    """Join a list into one text with a separator (``{join: "; "}``)."""

    join: str


class CaseTransform(SpecModel):
    """Change the letter case (``{case: upper}``)."""

    case: Literal["upper", "lower", "title"]


class DateTransform(SpecModel):
    """An instant to a calendar date in a named IANA timezone (``{date: Europe/Dublin}``).

    The bare word ``date`` uses the source's tenant timezone (``source.timezone``).
    """

    date: str = Field(min_length=1)


class PhoneTransform(SpecModel):
    """Parse a phone (text or an OplaCRM PhoneObject) into a PHONES value (``{phone: GB}``).

    The argument is the default region (ISO 3166 alpha-2) for numbers without a country code.
    """

    phone: str = Field(pattern=r"^[A-Z]{2}$")


class FormatTransform(SpecModel):
    """Render an object (or each object of a list) as text (``{format: "{name} ({dose})"}``).

    Placeholders are paths inside the object; a missing part renders empty.
    """

    format: str = Field(min_length=1)


def _transform_tag(value: Any) -> str | None:
    if isinstance(value, str):
        return "<word>"
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return f"<{key}>" if key in _ARGUMENT_TRANSFORMS else None
    if isinstance(value, SpecModel):
        return f"<{next(iter(type(value).model_fields))}>"
    return None


_ARGUMENT_TRANSFORMS = ("prefix", "split", "join", "case", "date", "phone", "format")

Transform = Annotated[
    Annotated[SimpleTransform, Tag("<word>")]
    | Annotated[PrefixTransform, Tag("<prefix>")]
    | Annotated[SplitTransform, Tag("<split>")]
    | Annotated[JoinTransform, Tag("<join>")]
    | Annotated[CaseTransform, Tag("<case>")]
    | Annotated[DateTransform, Tag("<date>")]
    | Annotated[PhoneTransform, Tag("<phone>")]
    | Annotated[FormatTransform, Tag("<format>")],
    Discriminator(
        _transform_tag,
        custom_error_type="transform",
        custom_error_message=(
            "a transform is one of the words trim, transliterate, number, micros, date, email, "
            "emails, url, or a one-key mapping: prefix, split, join, case, date, phone, format"
        ),
    ),
]
"""One step of a field mapping's ``transforms`` list."""


def transform_name(transform: Transform) -> str:
    """The transform's word (``trim``) or argument key (``prefix``), for messages and dispatch."""
    if isinstance(transform, str):
        return transform
    return next(iter(type(transform).model_fields))


#: Transforms whose result is a whole composite value of the given Twenty type.
COMPOSITE_PRODUCERS: dict[str, str] = {"phone": "PHONES", "emails": "EMAILS"}
