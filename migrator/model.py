"""The bottom layer of data: the frozen model base, canonical JSON and digests.

Everything persisted (plans, state views) or passed between packages derives from
:class:`FrozenModel`. :func:`canonical_json` is the single serialisation used for digests and
documents: sorted keys, no insignificant whitespace variance, UTF-8, so equal data gives equal
bytes.
"""

from __future__ import annotations

import enum
import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict


class FrozenModel(BaseModel):
    """Immutable pydantic model that rejects unknown keys and hides input values in errors."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        validate_default=True,
    )


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__} canonically")


def canonical_json(value: Any, *, indent: int | None = None) -> str:
    """Serialise ``value`` deterministically: sorted keys, UTF-8 text, no NaN.

    With ``indent=None`` the output is compact (used for digests and JSON Lines); with an indent it
    is the reviewable document form, ending in a newline.
    """
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(
        value,
        sort_keys=True,
        ensure_ascii=False,
        allow_nan=False,
        separators=separators,
        indent=indent,
        default=_default,
    )
    return text if indent is None else text + "\n"


def sha256_hex(data: bytes | str) -> str:
    """Hex sha256 of bytes, or of a string encoded as UTF-8."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def digest(value: Any) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``value``: a document or payload identity."""
    return "sha256:" + sha256_hex(canonical_json(value))


class Action(enum.StrEnum):
    """What a change does to Twenty. Lives in the bottom layer so plan, state and apply share it.

    ``merge`` writes into a pre-existing Twenty record that a unique value matched (its pre-image
    is kept for destroy); ``restore`` brings back a soft-deleted record that a unique value
    matched. Both are always explicit in a plan, never a surprise.
    """

    NOOP = "no-op"
    CREATE = "create"
    UPDATE = "update"
    MERGE = "merge"
    RESTORE = "restore"
    DELETE = "delete"
    REPLACE = "replace"
