"""Who the sandbox is and who may call it: the workspace id, the API key token, the auth check.

Twenty's API key is a JWT whose payload names the workspace (``sub`` = ``workspaceId``,
``type: "API_KEY"``, ``jti`` = the key's row id). The sandbox mints the same shape, signed with
HS256 and a secret kept in its database (Twenty signs with ES256; clients only decode the payload),
so a client can read the workspace id from the key exactly as it would against Twenty.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from migrator.sandbox.http import ApiError

#: 100 years, as Twenty does for a key with no expiry.
KEY_LIFETIME_SECONDS = 100 * 365 * 24 * 3600


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mint_api_key(*, workspace_id: str, key_id: str, secret: str, issued_at: int) -> str:
    """An HS256 JWT shaped like Twenty's API key token for ``workspace_id``."""
    header = {"alg": "HS256", "typ": "JWT"}
    payload = {
        "sub": workspace_id,
        "type": "API_KEY",
        "workspaceId": workspace_id,
        "iat": issued_at,
        "exp": issued_at + KEY_LIFETIME_SECONDS,
        "jti": key_id,
    }
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload)
    )
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


def token_payload(token: str) -> dict[str, Any] | None:
    """The decoded payload of a JWT, without checking its signature; None if unreadable."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(_b64url_decode(parts[1]))
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


MISSING_TOKEN = ApiError(
    403,
    {
        "statusCode": 403,
        "messages": ["Missing authentication token"],
        "error": "FORBIDDEN_EXCEPTION",
    },
)
INVALID_TOKEN = ApiError(
    401, {"statusCode": 401, "messages": ["Token invalid."], "error": "UNAUTHENTICATED"}
)


class Authenticator:
    """Checks ``Authorization: Bearer <key>`` against the one key the sandbox accepts."""

    def __init__(self, api_key: str) -> None:
        self._expected = api_key.encode()

    def check(self, authorization: str | None) -> None:
        """Return if the header carries the key; raise Twenty's 403 (missing) or 401 (wrong)."""
        if not authorization or not authorization.strip():
            raise MISSING_TOKEN
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise MISSING_TOKEN
        if not hmac.compare_digest(token.strip().encode(), self._expected):
            raise INVALID_TOKEN
