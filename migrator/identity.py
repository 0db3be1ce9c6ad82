"""Deterministic Twenty ids: every record migrator writes has its id known at plan time.

A migration's **namespace** is a UUIDv5 of :data:`ROOT_NAMESPACE` and the migration's name (the
spec's ``name``), and a record's **Twenty id** is a UUIDv5 of that namespace and the record's
source key (``system:object:id``, see :mod:`migrator.addresses`). The same migration name and the
same source record therefore give the same id on every machine and every run, so foreign keys
are known before anything is written, plan digests cover the exact bytes apply sends, and a batch
re-sent after a crash is recognised as a duplicate instead of written twice.

These values are part of the persisted contract: changing :data:`ROOT_NAMESPACE` or the name
strings hashed here would re-identify every record of every existing state. The state stores the
namespace it was written with; planners must use that one when a state exists.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable

from migrator.addresses import SourceKey, parse_source_key

#: ``uuid5(NAMESPACE_URL, "urn:twenty-migrator:migration-namespace")``, written out so that it
#: can never drift (a test re-derives it).
ROOT_NAMESPACE = uuid.UUID("c4bee0ad-a870-5c73-8c0a-1ba0e3e89835")


def migration_namespace(migration_name: str) -> uuid.UUID:
    """The namespace of a migration, derived from its name alone (stable across machines)."""
    if not migration_name or migration_name != migration_name.strip():
        raise ValueError("a migration name must be non-empty without surrounding spaces")
    return uuid.uuid5(ROOT_NAMESPACE, migration_name)


def twenty_id(namespace: uuid.UUID, key: str | SourceKey) -> str:
    """The Twenty id (lower-case UUID text) of the source record ``key`` in this migration.

    ``key`` is validated and used in its canonical ``system:object:id`` form. A source record
    written through two mappings into two Twenty objects gets the same id in both tables (ids are
    unique per object in Twenty); a mapping that must derive several records from one source row
    gives each its own source key.
    """
    canonical = str(key) if isinstance(key, SourceKey) else str(parse_source_key(key))
    return str(uuid.uuid5(namespace, canonical))


#: The hex digit of a uuid's variant nibble (``10xx``) made from a sha1 hex digit's low bits.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}

IdMaker = Callable[[str], str]
"""Computes the deterministic Twenty id of a source key."""


def id_maker(namespace: uuid.UUID) -> IdMaker:
    """:func:`twenty_id` of an already canonical key as a function, for hot paths (the mapper,
    the plan-file reader): ``str(uuid5(namespace, key))`` computed directly (the same text, a
    third of the time), without re-validating the key, and cached for the keys met again and
    again (the accounts every activity points at)."""
    prefix = namespace.bytes
    sha1 = hashlib.sha1

    @functools.lru_cache(maxsize=1 << 16)
    def make(key: str) -> str:
        # uuid5: the sha1's first 16 bytes, version nibble 5, variant bits 10 (_VARIANT).
        text = sha1(prefix + key.encode("utf-8")).hexdigest()
        variant = _VARIANT[text[16]]
        return f"{text[:8]}-{text[8:12]}-5{text[13:16]}-{variant}{text[17:20]}-{text[20:32]}"

    return make
