"""What may be put in a request's path or filter: API names, uuids, ``id[in]`` lists.

Object names and ids are interpolated into URL paths and filter expressions, so each is checked
first: an object name must be a Twenty API name (``^[a-z][A-Za-z0-9]*$``), an id a uuid. A value
that fails is a caller bug (``ValueError``), never sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_API_NAME = re.compile(r"^[a-z][A-Za-z0-9]{0,62}$")


def checked_name(name: str) -> str:
    """``name`` if it is a valid Twenty API name, else ``ValueError``."""
    if not _API_NAME.match(name):
        raise ValueError(f"not a Twenty object name: {name!r}")
    return name


def checked_id(value: str) -> str:
    """``value`` if it is a uuid, else ``ValueError`` (the value is not quoted)."""
    if not UUID_PATTERN.match(value):
        raise ValueError("ids sent to Twenty must be uuids")
    return value


def checked_ids(ids: Iterable[str]) -> list[str]:
    """The ids de-duplicated in order, each checked with :func:`checked_id`."""
    return [checked_id(value) for value in dict.fromkeys(ids)]


def filter_in(field: str, values: Sequence[str]) -> str:
    """The filter ``field[in]:[a,b,…]`` for checked values (uuids)."""
    return f"{field}[in]:[{','.join(values)}]"
