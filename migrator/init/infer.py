"""Guessing a Twenty field for a source field: its type, how its value is written, how sure.

:func:`infer_field` looks at what the bundle schema declares (type, check, enum codes, parts,
references) and at the value profile (:mod:`migrator.init.profile`) and returns one or more
:class:`Guess`: a Twenty type, the spec's field mapping for it, a confidence from 0 to 1 and a
one-line reason a reviewer can check. :func:`infer_custom` does the same for an OplaCRM custom
field from its definition. Every rule states its reason; none quotes a record's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from migrator.catalogue import FieldType
from migrator.init.profile import FieldProfile
from migrator.sources.schema_types import SourceField, SourceObject, SourceType
from migrator.spec.naming import to_option_value

#: Source fields whose text is an identifier: kept as TEXT even when the values are digits.
IDENTIFIER_WORDS = ("id", "number", "code", "sku", "ref", "reference", "tax", "no", "gdc", "ods")
#: Source fields the sources document says are unique per tenant (sources.md §5.2).
UNIQUE_FIELDS = frozenset({"sku"})


@dataclass(frozen=True)
class Guess:
    """One proposed Twenty field for a source value."""

    type: FieldType
    value: Any
    """The spec's field mapping: a path, or a mapping (``{from: …, transforms: […]}``)."""
    confidence: float
    reason: str
    path: str
    """The source path the guess is about (for the agreement check and comments)."""
    options: tuple[tuple[str, str], ...] = ()
    """(value, label) of a SELECT/MULTI_SELECT."""
    relation_to: str | None = None
    unique: bool = False
    suffix: str = ""
    """Appended to the proposed name (``Sms`` for ``marketingConsent.sms``)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Further keys of the field's mapping (``on_invalid``)."""


@dataclass(frozen=True)
class Context:
    """What inference needs beyond one field: where references land, the owners, the region."""

    system: str
    targets: dict[str, tuple[str, str]]
    """Source object → (mapping name, Twenty object) for every mapped object."""
    owners_object: str
    owners_key: str | None
    region: str
    currency: str


def _words(name: str) -> list[str]:
    out: list[str] = []
    word = ""
    for char in name:
        if char in "_-." or (char.isupper() and word and not word[-1].isupper()):
            if word:
                out.append(word.lower())
            word = "" if char in "_-." else char
        else:
            word += char
    if word:
        out.append(word.lower())
    return out


def is_identifier(name: str) -> bool:
    """True for names like ``external_id``, ``invoiceNumber``, ``odsCode``, ``sku``."""
    words = _words(name)
    return bool(words) and words[-1] in IDENTIFIER_WORDS


def _label(code: str) -> str:
    return code.replace("_", " ").strip().capitalize() or code


def _options(codes: list[str]) -> tuple[tuple[str, str], ...]:
    seen: dict[str, str] = {}
    for code in codes:
        value = to_option_value(code)
        if value and value not in seen:
            seen[value] = code if code != value else _label(code)
    return tuple(seen.items())


def _agreement(profile: FieldProfile, count: int) -> str:
    if not profile.present:
        return "no values in the bundle"
    return f"{round(100 * profile.share(count))}% of {profile.present} values agree"


def _money(path: str, obj: SourceObject, ctx: Context, reason: str) -> Guess:
    currency: Any = "currency" if obj.field("currency") else {"const": ctx.currency}
    value = {"amountMicros": {"from": path, "transforms": ["micros"]}, "currencyCode": currency}
    return Guess(FieldType.CURRENCY, value, 0.9, reason, path)


def _reference(source: SourceField, obj: SourceObject, ctx: Context) -> Guess | None:
    target = source.references or ""
    if target == ctx.owners_object and (source.references_field or None) == ctx.owners_key:
        return Guess(
            FieldType.RELATION,
            {"owner": source.name},
            0.85,
            "a user reference: resolved to a workspace member by email",
            source.name,
            relation_to="workspaceMember",
            suffix="",
        )
    mapped = ctx.targets.get(target)
    if mapped is None:
        return None
    mapping, twenty = mapped
    value: dict[str, Any] = {"ref": mapping, "by": source.name}
    if source.references_field:
        value["key"] = source.references_field
    why = "a self reference (linked in a second pass)" if target == obj.name else "a reference"
    return Guess(
        FieldType.RELATION,
        value,
        0.9,
        f"{why} to {target} (schema)",
        source.name,
        relation_to=twenty,
    )


def _text_guess(source: SourceField, profile: FieldProfile, ctx: Context) -> Guess:
    path, name = source.name, source.name
    value: Any
    if source.check == "email" or (profile.present and profile.share(profile.emails) >= 0.9):
        why = (
            "checked as an email (schema)" if source.check else _agreement(profile, profile.emails)
        )
        return Guess(FieldType.EMAILS, {"from": path, "transforms": ["emails"]}, 0.9, why, path)
    if source.check == "phone":
        value = {"from": path, "transforms": [{"phone": ctx.region}]}
        return Guess(FieldType.PHONES, value, 0.9, "checked as a phone (schema)", path)
    if source.check == "nhs_number":
        return Guess(
            FieldType.TEXT,
            path,
            0.95,
            "an NHS number: 10 digits kept as text (a leading "
            "zero must survive); invalid ones quarantined",
            path,
            extra={"on_invalid": "quarantine"},
        )
    if is_identifier(name) or source.check in ("patient_sds", "sds_user_id", "vn_tax_id", "sku"):
        return Guess(
            FieldType.TEXT,
            path,
            0.85,
            "an identifier: kept as text",
            path,
            unique=name in UNIQUE_FIELDS,
        )
    if name == "address":
        return Guess(
            FieldType.ADDRESS,
            {"addressStreet1": path},
            0.6,
            "an address in one string: the street line of an ADDRESS",
            path,
        )
    if profile.present and profile.share(profile.urls) >= 0.9:
        value = {"primaryLinkUrl": {"from": path, "transforms": ["url"]}}
        return Guess(FieldType.LINKS, value, 0.7, _agreement(profile, profile.urls), path)
    if profile.present and profile.share(profile.dates) >= 0.95:
        return Guess(FieldType.DATE, path, 0.6, _agreement(profile, profile.dates), path)
    reason = "free text (schema)"
    if profile.present and not profile.overflow and len(profile.distinct) <= 12:
        reason += f"; only {len(profile.distinct)} distinct values: a SELECT may fit"
    return Guess(FieldType.TEXT, path, 0.8 if profile.present else 0.5, reason, path)


def _object_guesses(source: SourceField, profile: FieldProfile, ctx: Context) -> list[Guess]:
    path = source.name
    parts = source.subfields
    if source.check == "phone" or {p.name for p in parts} >= {"phone", "call_code"}:
        value = {"from": path, "transforms": [{"phone": ctx.region}]}
        return [Guess(FieldType.PHONES, value, 0.9, "a phone object (schema)", path)]
    if parts and all(p.type is SourceType.BOOL for p in parts):
        return [
            Guess(
                FieldType.BOOLEAN,
                f"{path}.{p.name}",
                0.9,
                "a yes/no part (schema)",
                f"{path}.{p.name}",
                suffix=p.name,
            )
            for p in parts
        ]
    if parts and any(p.name == "value" for p in parts):
        return [Guess(FieldType.TEXT, f"{path}.value", 0.6, "a named value: its text kept", path)]
    keys = [p.name for p in parts] or sorted(profile.object_keys)
    if not keys:
        return []
    template = " ".join(f"{{{path}.{k}}}" for k in keys)
    return [
        Guess(
            FieldType.TEXT,
            {"template": template},
            0.5,
            f"an object of {len(keys)} parts written as one text",
            path,
        )
    ]


def _list_guess(source: SourceField, profile: FieldProfile) -> Guess | None:
    path = source.name
    if source.item_type is SourceType.OBJECT or profile.list_items.get("dict"):
        keys = sorted(profile.object_keys)
        if not keys:
            return None
        line = ", ".join(f"{k}: {{{k}}}" for k in keys)
        value = {"from": path, "transforms": [{"format": line}, {"join": "\n"}]}
        return Guess(FieldType.TEXT, value, 0.5, "a list of objects written one per line", path)
    return Guess(FieldType.ARRAY, path, 0.85, "a list of texts (tags)", path)


def infer_field(
    source: SourceField, obj: SourceObject, profile: FieldProfile, ctx: Context
) -> list[Guess]:
    """The Twenty field(s) proposed for ``source`` (empty: nothing sensible to propose)."""
    if source.references:
        if source.type is SourceType.LIST:
            return []
        found = _reference(source, obj, ctx)
        return [found] if found is not None else []
    kind, path = source.type, source.name
    if kind is SourceType.BOOL:
        return [Guess(FieldType.BOOLEAN, path, 0.95, "yes/no (schema)", path)]
    if kind is SourceType.ENUM:
        seen = () if obj.is_sensitive(path) else sorted(profile.distinct)
        codes = list(source.values) + [c for c in seen if c not in source.values]
        why = f"one of {len(source.values)} codes (schema)"
        return [Guess(FieldType.SELECT, path, 0.9, why, path, options=_options(codes))]
    if kind is SourceType.DECIMAL and source.check == "money":
        return [_money(path, obj, ctx, "an amount (schema): micros and a currency code")]
    if kind in (SourceType.DECIMAL, SourceType.INT):
        value: Any = (
            {"from": path, "transforms": ["number"]} if kind is SourceType.DECIMAL else path
        )
        return [Guess(FieldType.NUMBER, value, 0.9, "a number (schema)", path)]
    if kind is SourceType.DATE:
        return [Guess(FieldType.DATE, path, 0.95, "a date (schema)", path)]
    if kind is SourceType.DATETIME:
        return [Guess(FieldType.DATE_TIME, path, 0.95, "a date and time (schema)", path)]
    if kind is SourceType.OBJECT:
        return _object_guesses(source, profile, ctx)
    if kind is SourceType.LIST:
        found_list = _list_guess(source, profile)
        return [found_list] if found_list is not None else []
    return [_text_guess(source, profile, ctx)]


#: OplaCRM custom field types that map one to one, with the transforms their values need.
SIMPLE_CUSTOM: dict[str, tuple[FieldType, list[Any], float]] = {
    "NUMBER": (FieldType.NUMBER, ["number"], 0.9),
    "DATE": (FieldType.DATE, [], 0.9),
    "DATETIME": (FieldType.DATE_TIME, [], 0.9),
    "BOOLEAN": (FieldType.BOOLEAN, [], 0.9),
    "EMAIL": (FieldType.EMAILS, ["emails"], 0.85),
}


def _custom_composite(path: str, data_type: str, declared: str, ctx: Context) -> Guess | None:
    if data_type == "CURRENCY":
        value = {
            "amountMicros": {"from": path, "transforms": ["micros"]},
            "currencyCode": {"const": ctx.currency},
        }
        return Guess(FieldType.CURRENCY, value, 0.85, declared, path)
    if data_type == "URL":
        links = {"primaryLinkUrl": {"from": path, "transforms": ["url"]}}
        return Guess(FieldType.LINKS, links, 0.85, declared, path)
    if data_type == "PHONE":
        phone = {"from": path, "transforms": [{"phone": ctx.region}]}
        return Guess(FieldType.PHONES, phone, 0.85, declared, path)
    if data_type == "USER":
        return Guess(
            FieldType.RELATION,
            {"owner": path},
            0.7,
            f"{declared}: a user, as a member",
            path,
            relation_to="workspaceMember",
        )
    return None


def _custom_text(key: str, path: str, declared: str, profile: FieldProfile) -> Guess:
    """A TEXT custom field, unless its values say it is a list or a number."""
    if profile.present and profile.share(profile.with_commas) >= 0.5 and profile.parts_repeat:
        value: Any = {"from": path, "transforms": [{"split": ","}, "trim"]}
        share = _agreement(profile, profile.with_commas)
        why = f"{declared}, but {share} on commas and the parts recur: a list"
        return Guess(FieldType.ARRAY, value, 0.6, why, path)
    if profile.present and profile.share(profile.numeric) >= 0.95 and not is_identifier(key):
        value = {"from": path, "transforms": ["number"]}
        why = f"{declared}, but {_agreement(profile, profile.numeric)} on numbers"
        return Guess(FieldType.NUMBER, value, 0.6, why, path)
    return Guess(FieldType.TEXT, path, 0.85, declared, path)


def infer_custom(
    key: str, data_type: str, labels: list[str], profile: FieldProfile, ctx: Context
) -> Guess:
    """A Twenty field for an OplaCRM custom field, from its definition and its values."""
    path = f"custom_fields.{key}"
    declared = f"declared {data_type}"
    if data_type in ("SELECT", "MULTI_SELECT"):
        kind = FieldType.SELECT if data_type == "SELECT" else FieldType.MULTI_SELECT
        value = {"from": path, "transforms": ["transliterate"]}
        return Guess(
            kind,
            value,
            0.9,
            f"{declared}; labels transliterated to option values",
            path,
            options=tuple((to_option_value(x), x) for x in labels),
        )
    if data_type in SIMPLE_CUSTOM:
        kind, transforms, confidence = SIMPLE_CUSTOM[data_type]
        why = declared
        if kind is FieldType.NUMBER:
            why += f"; {_agreement(profile, profile.numeric)}"
        mapped: Any = {"from": path, "transforms": transforms} if transforms else path
        return Guess(kind, mapped, confidence, why, path)
    composite = _custom_composite(path, data_type, declared, ctx)
    return composite or _custom_text(key, path, declared, profile)
