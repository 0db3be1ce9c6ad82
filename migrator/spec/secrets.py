"""Find literal secrets in a spec: API keys belong in the environment, never in the file.

Scans every string value of the loaded document (after ``${VAR}`` interpolation, so a key pulled
into a value from the environment is caught too) for a JWT (Twenty's API keys are JWTs) or a
long random-looking token, and the state DSN for a password (even one interpolated from the
environment: the spec is embedded in plans). Findings are positioned and never quote the value.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from migrator.diagnostics import Diagnostic
from migrator.spec.loader import PathKey, YamlDocument

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")
_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=]{32,}")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
#: Bits per character above which a long token counts as random (English words score ~3).
MIN_ENTROPY = 3.8

HINT = "put the key in the environment variable named by `destination.api_key_env`"
#: A password in a libpq DSN: ``scheme://user:password@``, ``?password=`` or ``password=…``.
_DSN_PASSWORD = re.compile(
    r"^\s*postgres(?:ql)?://[^/?#@]*:[^/?#@]*@|[?&]password=|(?:^|\s)password\s*=", re.I
)
DSN_PATH: PathKey = ("state", "dsn")
DSN_HINT = (
    "keep user, host and database in the DSN and give the password in PGPASSWORD or a .pgpass "
    "file; the spec, DSN included, is embedded in every plan"
)


def _strings(data: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*path, index))


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def looks_like_token(text: str) -> bool:
    """True for a long run of mixed-case letters and digits with high entropy (not a uuid/hash).

    Paths, names, option values and sentences do not qualify: a token has no spaces, dots or
    slashes in the middle, upper and lower case letters and digits, and a random spread.
    """
    for token in _TOKEN.findall(text):
        if "/" in token or _UUID.match(token) or _HEX.match(token):
            continue
        mixed = (
            re.search(r"[a-z]", token) and re.search(r"[A-Z]", token) and re.search(r"\d", token)
        )
        if mixed and _entropy(token) >= MIN_ENTROPY:
            return True
    return False


def find_literal_secrets(document: YamlDocument) -> list[Diagnostic]:
    """One error per string value that looks like an API key or secret token."""
    found: list[Diagnostic] = []
    for path, text in _strings(document.data, ()):
        if path == DSN_PATH and _DSN_PASSWORD.search(text):
            message = "the state DSN holds a password: a spec must never hold secrets"
            found.append(document.diagnostic(message, path, hint=DSN_HINT))
            continue
        if _JWT.search(text):
            message = "this value looks like an API key (a JWT): a spec must never hold secrets"
        elif looks_like_token(text):
            message = "this value looks like a secret key or token: a spec must never hold secrets"
        else:
            continue
        found.append(document.diagnostic(message, path, hint=HINT))
    return found
