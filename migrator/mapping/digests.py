"""Payload digests on the hot path, byte for byte equal to :func:`migrator.model.digest`.

:func:`migrator.model.digest` hashes the canonical JSON of the stdlib encoder; hashing a million
payloads with it costs seconds. orjson with sorted keys writes the same bytes for every value a
payload holds (text, booleans, null, lists, objects, integers within 64 bits, and floats from
1e-4 to below 1e16) and is several times faster. :func:`payload_digest` uses it when that is
safe and falls back to :func:`migrator.model.digest` otherwise (a tiny or huge float, an integer
beyond 64 bits), so the result is always ``migrator.model.digest(payload)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

from migrator.model import digest

_OPTIONS = orjson.OPT_SORT_KEYS
_LOW, _HIGH = 1e-4, 1e16


_PLAIN = (str, int, bool, type(None))


def _safe(value: Any) -> bool:
    """No float orjson spells differently from the stdlib encoder."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    if kind is float:
        size: float = abs(value)
        return size == 0.0 or _LOW <= size < _HIGH
    if isinstance(value, Mapping):
        return all(_safe(item) for item in value.values())
    if isinstance(value, list | tuple):
        return all(_safe(item) for item in value)
    return True


def payload_digest(payload: Mapping[str, Any], *, float_keys: tuple[str, ...] | None = None) -> str:
    """``migrator.model.digest(payload)``, fast (module doc). ``float_keys`` names the only
    top-level keys that may hold a float (None: any may)."""
    if float_keys is None:
        if not all(_safe(value) for value in payload.values()):
            return digest(payload)
    else:
        for key in float_keys:
            if not _safe(payload.get(key)):
                return digest(payload)
    try:
        data = orjson.dumps(payload, option=_OPTIONS)
    except (TypeError, orjson.JSONEncodeError):
        return digest(payload)
    return "sha256:" + hashlib.sha256(data).hexdigest()
