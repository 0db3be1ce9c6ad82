"""The migration spec as frozen pydantic models: the document engineers review.

:class:`MigrationSpec` is the whole file. Models reject unknown keys and never echo input values
in their errors (:class:`migrator.model.FrozenModel`). They check shapes only; every check that
needs Twenty's catalogue, the source bundle schema or several parts of the spec at once is in
:mod:`migrator.spec.semantic`. The JSON Schema in ``schemas/migration-spec.schema.json`` is
generated from these models (:mod:`migrator.spec.schema_export`).

Other packages import the public classes from here.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Discriminator as Tagged
from pydantic import Field, Tag, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from migrator.spec.base import Shorthand, SpecModel
from migrator.spec.mapping_models import (
    ChildMapping,
    Discriminator,
    Mapping,
    MatchRule,
    OnSourceDelete,
    Target,
)
from migrator.spec.schema_models import CustomObjectSpec, FieldSpec, ObjectSchema, OptionSpec
from migrator.spec.transforms import Transform, transform_name
from migrator.spec.values import (
    Aggregate,
    Condition,
    FieldMapping,
    Lookup,
    Present,
    Scalar,
    ValueSpec,
    Where,
    as_value_spec,
    is_composite,
)

SPEC_VERSION = 1
#: The URL scheme of the embedded sandbox: ``sandbox:PATH`` (PATH relative to the spec file).
SANDBOX_SCHEME = "sandbox:"
#: Twenty's batch limit: records per batch create/upsert request (twenty-api.md §3.2).
MAX_BATCH_SIZE = 200


SwitchValue = Annotated[
    bool,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "boolean"},
                {
                    "type": "string",
                    "pattern": r"^(?:true|false|yes|no|on|off|1|0|\$\{[^}]*\})$",
                    "description": "a boolean word, or ${VAR:-default} interpolating to one",
                },
            ]
        }
    ),
]
"""A switch's state: true or false, possibly from the environment (``${VAR:-false}``)."""


class SourceSpec(SpecModel):
    """Which system the data comes from and how to read its values."""

    system: Literal["oplacrm", "aeronaclinic"]
    bundle: str = Field(min_length=1)
    """The export bundle directory (sources.md §5.4, §6.5), relative to the spec file."""
    timezone: str = Field(min_length=1)
    """The tenant's IANA timezone: instants become dates in it (``Asia/Ho_Chi_Minh``)."""
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    """The ISO 4217 currency of amounts that carry none (``VND``, ``GBP``)."""


class RateLimitSpec(SpecModel):
    """The destination's API-key rate limit: Twenty's two token buckets (twenty-api.md §10)."""

    per_minute: int = Field(default=100, ge=1)
    """The long bucket: requests per 60 s (Twenty's default 100)."""
    per_second: int = Field(default=100, ge=1)
    """The short bucket: requests per 1 s (Twenty's default 100)."""


class FilePolicySpec(SpecModel):
    """What files migrator uploads (Twenty v2.15 has no per-file limit; this is policy)."""

    max_mb: float = Field(default=25.0, gt=0)
    """Files larger than this are not uploaded; their attachment record is quarantined."""


class SandboxSpec(SpecModel):
    """How the embedded sandbox stands in for a real workspace (ignored for a real Twenty)."""

    members: str | None = None
    """A JSON file (relative to the spec) listing workspace members
    (``[{"firstName", "lastName", "email"}]``): the users the admin has invited, so a rehearsal
    resolves owners as production would. Each listed member is added to the sandbox when
    missing (as an invitation would), so adding a user to the file and running again releases
    their records from the owner queue; members are never removed."""


class DestinationSpec(SpecModel):
    """The Twenty workspace written to, and how hard to drive it."""

    url: str = Field(min_length=1)
    """Twenty's base URL (``https://crm.example.com``) or ``sandbox:PATH`` for the embedded
    sandbox stored in the SQLite file PATH."""
    api_key_env: str = Field(default="TWENTY_API_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    """The name of the environment variable holding the API key. The key itself never appears
    in a spec, plan, state or log."""
    rate_limit: RateLimitSpec = Field(default_factory=RateLimitSpec)
    batch_size: int = Field(default=MAX_BATCH_SIZE, ge=1, le=MAX_BATCH_SIZE)
    """Records per batch request; Twenty refuses more than 200."""
    concurrency: int = Field(default=4, ge=1, le=64)
    """Requests in flight at once (they still share the rate limit). Raise it when each request
    takes long: at 600 requests/min and 1.5 s per request, 48 in flight reach 98% of the
    ceiling and 32 only 96% (``bench/client_throughput.py``)."""
    files: FilePolicySpec = Field(default_factory=FilePolicySpec)
    sandbox: SandboxSpec = Field(default_factory=SandboxSpec)

    @property
    def is_sandbox(self) -> bool:
        """True for the embedded sandbox (``sandbox:PATH``)."""
        return self.url.startswith(SANDBOX_SCHEME)

    @property
    def sandbox_path(self) -> str | None:
        """The sandbox database path (relative to the spec file), or None for a real Twenty."""
        return self.url.removeprefix(SANDBOX_SCHEME) if self.is_sandbox else None


class StateSpec(SpecModel):
    """Where migrator keeps what it did (lineage, record map, cursors, journal): a SQLite file
    (one engineer, the sandbox) or a PostgreSQL schema shared by a team's CI jobs."""

    backend: Literal["sqlite", "postgres"] = "sqlite"
    path: str | None = None
    """sqlite: the state file, relative to the spec file; None means
    ``.migrator/<name>.state.db``."""
    dsn: str | None = None
    """postgres: the database, as a libpq URI or ``key=value`` string, usually
    ``${MIGRATOR_STATE_DSN}``. It names no password: the spec is embedded in every plan, so the
    password comes from PGPASSWORD or a .pgpass file (and the user may come from PGUSER)."""
    schema_: str | None = Field(default=None, alias="schema", pattern=r"^[a-z0-9_]{1,63}$")
    """postgres: the schema holding this migration's state tables; None means the migration
    name with ``-`` as ``_``."""

    @model_validator(mode="after")
    def _keys_fit_the_backend(self) -> StateSpec:
        if self.backend == "postgres":
            if not self.dsn:
                raise PydanticCustomError(
                    "state_dsn_missing",
                    "`backend: postgres` needs `dsn` (e.g. ${MIGRATOR_STATE_DSN})",
                )
            if self.path is not None:
                raise PydanticCustomError(
                    "state_key_backend", "`path` is for `backend: sqlite`; postgres uses `dsn`"
                )
        elif self.dsn is not None or self.schema_ is not None:
            raise PydanticCustomError(
                "state_key_backend", "`dsn` and `schema` need `backend: postgres`"
            )
        return self


class ProvenanceSpec(SpecModel):
    """How every record migrator writes says where it came from."""

    source_id_field: str = "migrationSourceId"
    """A TEXT custom field provisioned on every object a mapping writes, holding the record's
    source identity (``oplacrm:accounts:<id>``)."""
    source_deleted_field: str = "migrationSourceDeleted"
    """A BOOLEAN custom field provisioned on objects whose mapping says
    ``on_source_delete: flag``; a delta sets it when the source row disappears."""
    created_by: str = Field(min_length=1)
    """The ``createdBy`` name written with source ``IMPORT`` on every record migrator creates
    (``OplaCRM import``)."""


class FallbackMember(SpecModel):
    """A named workspace member who owns records whose owner has no Twenty account."""

    member: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    """The member's email (``workspaceMember.userEmail``)."""


class OwnersSpec(SpecModel):
    """How source owners become Twenty workspace members (members cannot be created through
    the API: they come from invitations, capture 98)."""

    from_: str = Field(alias="from")
    """The source object holding the users (``users``)."""
    key: str | None = None
    """The field owner references hold (``external_id``); None means its primary key."""
    email: str = "email"
    """The field matched, case-insensitively, against ``workspaceMember.userEmail``."""
    fallback: Annotated[
        Annotated[Literal["hold"], Tag("<hold>")] | Annotated[FallbackMember, Tag("<member>")],
        Tagged(lambda v: "<hold>" if isinstance(v, str) else "<member>"),
    ] = "hold"
    """An owner without a member: ``hold`` the record in the reconciliation queue until the
    admin invites them, or give it to a fallback ``member``."""


class SkipSpec(Shorthand):
    """A source object deliberately not migrated, and why (it counts as skipped). A bare string
    is the reason."""

    shorthand_field: ClassVar[str] = "reason"

    reason: str = Field(min_length=1)
    """Why the object is not migrated; shown in the plan and the conservation report."""
    inventory: bool = False
    """Read for the rebuild inventory (``migrator inventory``): automations, recall rules."""


class MigrationSpec(SpecModel):
    """A whole migration: source, destination, provisioned schema, mappings and exclusions."""

    version: Literal[1]
    """The spec language version."""
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    """Names the migration: the default state file and the namespace of deterministic ids."""
    source: SourceSpec
    destination: DestinationSpec
    state: StateSpec = Field(default_factory=StateSpec)
    provenance: ProvenanceSpec
    switches: dict[str, SwitchValue] = Field(default_factory=dict)
    """Named on/off choices that schema fields and field mappings depend on (``when``,
    ``unless``): e.g. the joint-opportunity text fallback."""
    owners: OwnersSpec | None = None
    on_source_delete: OnSourceDelete = "keep"
    """The default for every mapping (see :data:`OnSourceDelete`)."""
    schema_: dict[str, ObjectSchema] = Field(default_factory=dict, alias="schema")
    """What to provision in Twenty, by object name."""
    objects: dict[str, Mapping] = Field(default_factory=dict)
    """The mappings, by name (referenced by ``ref``)."""
    skip: dict[str, SkipSpec] = Field(default_factory=dict)
    """Source objects not migrated, by name, with reasons."""

    @property
    def state_path(self) -> str:
        """The state file path relative to the spec file (the default filled in)."""
        return self.state.path or f".migrator/{self.name}.state.db"

    def all_mappings(self) -> dict[str, Mapping | ChildMapping]:
        """Every mapping by name, children included (one namespace)."""
        found: dict[str, Mapping | ChildMapping] = {}
        for name, mapping in self.objects.items():
            found[name] = mapping
            found.update(mapping.children)
        return found

    def parent_of(self, child: str) -> str | None:
        """The name of the mapping whose ``children`` holds ``child``, or None."""
        for name, mapping in self.objects.items():
            if child in mapping.children:
                return name
        return None

    def source_object_of(self, mapping: str) -> str | None:
        """The source object a mapping (or a child, through its parent) reads."""
        if mapping in self.objects:
            return self.objects[mapping].from_
        parent = self.parent_of(mapping)
        return self.objects[parent].from_ if parent else None


__all__ = [
    "MAX_BATCH_SIZE",
    "SANDBOX_SCHEME",
    "SPEC_VERSION",
    "Aggregate",
    "ChildMapping",
    "Condition",
    "CustomObjectSpec",
    "DestinationSpec",
    "Discriminator",
    "FallbackMember",
    "FieldMapping",
    "FieldSpec",
    "FilePolicySpec",
    "Lookup",
    "Mapping",
    "MatchRule",
    "MigrationSpec",
    "ObjectSchema",
    "OnSourceDelete",
    "OptionSpec",
    "OwnersSpec",
    "Present",
    "ProvenanceSpec",
    "RateLimitSpec",
    "Scalar",
    "SkipSpec",
    "SourceSpec",
    "StateSpec",
    "Target",
    "Transform",
    "ValueSpec",
    "Where",
    "as_value_spec",
    "is_composite",
    "transform_name",
]
