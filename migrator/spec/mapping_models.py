"""The ``objects`` section: mappings from source objects to Twenty objects, as spec models.

A mapping turns each row of one source object into one Twenty record. Its identity is the
source's own primary id, namespaced (``oplacrm:accounts:<id>``) — never an editable field — and
migrator derives the record's deterministic Twenty id from it and the mapping's name. ``match``
rules only find records that already exist in Twenty (or duplicates inside the source).
``children`` make further records from the same row (a treatment record's Note); ``targets``
link a Note or Task to the records it is about.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from migrator.spec.base import Shorthand, SpecModel
from migrator.spec.values import FieldMapping, Where

OnSourceDelete = Literal["delete", "keep", "flag"]
"""What a delta does with a record whose source row was removed: ``delete`` it from Twenty (a
record migrator merged into is put back instead, never deleted), ``keep`` it and report it, or
``flag`` it (set the provenance ``source_deleted_field`` to true) and report it."""


class MatchRule(Shorthand):
    """Find an existing Twenty record (or a duplicate source row) with equal values.

    Rules are tried in order; a rule applies only when every one of its fields has a value. The
    fields are this mapping's Twenty fields (``domainName``, ``emails``, ``oplaExternalId``), a
    sub-field with a dot (``emails.primaryEmail``); values are compared after the mapping's
    transforms, text case-insensitively. Several fields compare as one key (a hash of them).
    """

    shorthand_field: ClassVar[str] = "fields"
    shorthand_is_list: ClassVar[bool] = True

    fields: tuple[str, ...] = Field(min_length=1)
    """The Twenty fields compared together; a bare string is a one-field rule."""


class Discriminator(SpecModel):
    """Tells apart records several mappings write to one Twenty object: the mapping writes
    ``value`` into ``field`` (a SELECT of that object) on every record it makes."""

    field: str
    value: str


class Target(SpecModel):
    """A record a Note or Task is about: a ``noteTarget``/``taskTarget`` row is written for it.

    ``ref`` names the mapping of the target record; ``by`` is the path of this row holding its
    key (None: the record that mapping made from this same row, e.g. a child's parent). A null
    key writes no target.
    """

    ref: str
    by: str | None = None
    key: str | None = None
    """The referenced mapping's source path matched against ``by``; None means its identity."""
    when: str | None = None
    unless: str | None = None


class ChildMapping(SpecModel):
    """A further record made from the same source row as its parent mapping (1:many rows).

    Its identity is the parent row's identity; the child's name tells the records apart.
    """

    to: str
    """The Twenty object (singular name)."""
    where: Where = Field(default_factory=dict)
    """Make the child only for rows meeting every condition (a note only when there is text)."""
    fields: dict[str, FieldMapping] = Field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    discriminator: Discriminator | None = None
    sensitive: bool | None = None
    """Overrides the parent's sensitivity for every value of this child."""


class Mapping(SpecModel):
    """One source object into one Twenty object, field by field."""

    from_: str = Field(alias="from")
    """The source object (``accounts``, ``patients``)."""
    to: str
    """The Twenty object (singular name), standard or created in ``schema``."""
    identity: str | None = None
    """The source path of the identity; None means the source object's primary key."""
    match: tuple[MatchRule, ...] = ()
    on_match: Literal["merge"] = "merge"
    """When a match rule finds an existing Twenty record: ``merge`` writes this mapping's fields
    into it (the plan shows it, destroy puts its pre-image back). Leaving the record as it is
    and only pointing references at it (``adopt``) is not supported yet: the planner would
    merge instead, so the spec refuses it rather than write into a record by surprise."""
    discriminator: Discriminator | None = None
    fields: dict[str, FieldMapping] = Field(default_factory=dict)
    """Twenty field name → where its value comes from."""
    targets: tuple[Target, ...] = ()
    """Only for ``to: note`` and ``to: task``."""
    children: dict[str, ChildMapping] = Field(default_factory=dict)
    """Further records from each row, by mapping name (names share one namespace with
    ``objects``)."""
    on_source_delete: OnSourceDelete | None = None
    """Overrides the spec-wide ``on_source_delete``."""
    on_duplicate: Literal["deduplicate", "quarantine"] = "deduplicate"
    """Two source rows carrying the same value of a field Twenty keeps unique (a person's primary
    email, a company's domain): ``deduplicate`` treats them as one record (the first row wins,
    references to the others point at it: the OplaCRM guide's "deduplicate contacts by email");
    ``quarantine`` keeps them apart and quarantines the later rows for a person to resolve — for
    patients, where a shared family email says nothing about being the same person."""
    sensitive: bool | None = None
    """Every value of this mapping is (true) or is not (false) sensitive, overriding the source
    object's class; a field mapping's own ``sensitive`` wins over this."""
