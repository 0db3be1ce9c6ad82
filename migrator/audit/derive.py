"""The comparable value a field mapping gives a source record, for duplicate and match checks.

The audit needs, before any mapping runs, the values a record will carry in Twenty's unique
fields (``emails.primaryEmail``, ``domainName.primaryLinkUrl``, custom unique fields) and in the
spec's ``match`` rules. :func:`derive` computes them from the field mapping for the forms that
decide identity: a source path, ``from`` with the text transforms (``email``/``emails``, ``url``,
``trim``, ``case``, ``prefix``), ``template`` and ``const``; composite parts are joined. Values
that come from references, owners, lookups, aggregates or files are not derived (None).

This mirrors what the mapper writes for these transforms; the values stay in memory only and
are never rendered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from migrator.sources.records import SourceRecord
from migrator.spec.checker import PLACEHOLDER
from migrator.spec.models import FieldMapping, ValueSpec, as_value_spec
from migrator.spec.transforms import CaseTransform, PrefixTransform, Transform
from migrator.validate.emails import check_email

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def read_path(record: SourceRecord, path: str) -> Any:
    """The value at ``path`` (``a.b``, ``contact_ids[0]``, ``raw.x``), or None."""
    steps = _STEP.findall(path)
    if not steps or not steps[0][0]:
        return None
    head = steps[0][0]
    value: Any = record.raw if head == "raw" else record.fields.get(head)
    for name, index in steps[1:]:
        if value is None:
            return None
        if index:
            position = int(index)
            value = value[position] if isinstance(value, list) and position < len(value) else None
        else:
            value = value.get(name) if isinstance(value, Mapping) else None
    return value


def normalise_url(text: str) -> str | None:
    """Scheme added (``https``) when missing, scheme and host lower-cased, a bare ``/`` dropped."""
    text = text.strip()
    if not text:
        return None
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if not parts.netloc or " " in parts.netloc:
        return None
    path = "" if parts.path == "/" and not parts.query and not parts.fragment else parts.path
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), path, parts.query, parts.fragment)
    )


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | float):
        return str(value)
    text = str(value).strip()
    return text or None


def _email(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    found = check_email(text).value
    return found.primary.lower() if found is not None else None


def _step(transform: Transform, value: str | None) -> str | None:
    if value is None:
        return None
    if isinstance(transform, str):
        if transform in ("email", "emails"):
            return _email(value)
        if transform == "url":
            return normalise_url(value)
        return value.strip() if transform == "trim" else value
    if isinstance(transform, PrefixTransform):
        return transform.prefix + value
    if isinstance(transform, CaseTransform):
        return value.upper() if transform.case == "upper" else value.lower()
    return value


def _value(record: SourceRecord, spec: ValueSpec) -> str | None:
    if spec.from_ is not None:
        raw: Any = read_path(record, spec.from_)
        if isinstance(raw, list) and raw and {"email", "emails"} & set(map(str, spec.transforms)):
            raw = raw[0]
        text = _text(raw)
    elif spec.template is not None:
        text = (
            PLACEHOLDER.sub(
                lambda m: _text(read_path(record, m.group(1).strip())) or "", spec.template
            ).strip()
            or None
        )
    elif spec.has_const:
        text = _text(spec.const)
    else:
        return None
    for transform in spec.transforms:
        text = _step(transform, text)
    return text


def derive(record: SourceRecord, mapping: FieldMapping, part: str | None = None) -> str | None:
    """The value ``mapping`` gives ``record`` (its sub-field ``part`` of a composite), as text.

    A composite without ``part`` joins its parts' values (all must be present). Returns None when
    there is no value or it cannot be derived without running the mapper.
    """
    if isinstance(mapping, dict):
        if part is not None:
            inner = mapping.get(part)
            return None if inner is None else _value(record, as_value_spec(inner))
        values = [_value(record, as_value_spec(inner)) for _, inner in sorted(mapping.items())]
        return None if any(v is None for v in values) else "\x1f".join(v or "" for v in values)
    return _value(record, as_value_spec(mapping))


def comparable(value: str) -> str:
    """The form match rules compare: trimmed and case-folded."""
    return value.strip().casefold()
