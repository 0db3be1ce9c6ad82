"""Which Twenty workspace a destination is: its base URL and the workspace id its API key names.

A Twenty API key is a JWT whose payload carries the workspace id in ``sub`` and ``workspaceId``
(twenty-api.md §2). The payload is decoded *without verifying the signature*: the id is only used
to bind states and plans to a destination, and Twenty itself checks the key on every request. No
function here ever puts the key, or any part of it, in an error message.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from migrator.errors import TwentyAuthError
from migrator.model import FrozenModel

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

_KEY_HINT = (
    "Use an API key made in Twenty (Settings → APIs & Webhooks) and pass it through the "
    "environment variable the spec names."
)


class DestinationIdentity(FrozenModel):
    """What a state and a plan are bound to."""

    base_url: str
    """Normalised destination URL (``https://host[:port][/prefix]`` or ``sandbox:/abs/path``)."""
    workspace_id: str
    """The workspace id named by the API key (or the sandbox's own)."""


def normalise_base_url(url: str) -> str:
    """The URL without trailing slashes, scheme and host lower-cased; ``sandbox:`` kept as is."""
    url = url.strip()
    if url.startswith("sandbox:"):
        return url
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://([^/]*)(.*)$", url)
    if match is None:
        return url.rstrip("/")
    scheme, host, rest = match.groups()
    return f"{scheme.lower()}://{host.lower()}{rest.rstrip('/')}"


def _payload(api_key: str) -> dict[str, Any]:
    parts = api_key.strip().split(".")
    if len(parts) != 3:
        raise TwentyAuthError(
            "The API key is not a Twenty API key token (it is not a JWT).", hint=_KEY_HINT
        )
    segment = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        payload = json.loads(base64.urlsafe_b64decode(segment.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError):
        raise TwentyAuthError(
            "The API key is not a Twenty API key token (its payload is unreadable).",
            hint=_KEY_HINT,
        ) from None
    if not isinstance(payload, dict):
        raise TwentyAuthError(
            "The API key is not a Twenty API key token (its payload is not an object).",
            hint=_KEY_HINT,
        )
    return payload


def workspace_id_from_api_key(api_key: str) -> str:
    """The workspace id in the key's payload (``workspaceId``, else ``sub``).

    Raises :class:`TwentyAuthError` (never quoting the key) when the key is not a JWT or names no
    workspace.
    """
    payload = _payload(api_key)
    for claim in ("workspaceId", "sub"):
        value = payload.get(claim)
        if isinstance(value, str) and _UUID.match(value):
            return value.lower()
    raise TwentyAuthError(
        "The API key names no workspace (no workspaceId or sub claim holding a uuid).",
        hint=_KEY_HINT,
    )


def identify(base_url: str, api_key: str) -> DestinationIdentity:
    """The identity of a Twenty destination reached at ``base_url`` with ``api_key``."""
    return DestinationIdentity(
        base_url=normalise_base_url(base_url), workspace_id=workspace_id_from_api_key(api_key)
    )
