"""Semantic validation: everything a spec can get wrong that its shape does not show.

:func:`check_semantics` runs every check on a spec that passed the models and returns all
diagnostics at once, positioned: unknown Twenty objects and fields (against
:mod:`migrator.catalogue` and the spec's own ``schema``), unknown source objects and fields
(against the bundle schema, when given), dangling ``ref``s, invalid or colliding names (with a
camelCase proposal), option values that are not ASCII UPPER_SNAKE (with the transliteration),
value maps without a default, sub-fields that do not exist, writes to read-only fields, workspace
members as targets, and reference cycles no second pass can break. Literal secrets are found by
:mod:`migrator.spec.secrets` on the raw document, before the models run.
"""

from __future__ import annotations

import re
import zoneinfo

from migrator.catalogue import name_problem
from migrator.diagnostics import Diagnostic
from migrator.sources.schema_types import SourceSchema
from migrator.spec.checker import Checker, suggest
from migrator.spec.loader import YamlDocument
from migrator.spec.models import SANDBOX_SCHEME, MigrationSpec
from migrator.spec.semantic_mappings import check_mappings
from migrator.spec.semantic_refs import check_reference_cycles
from migrator.spec.semantic_schema import check_schema, invalid_name_message
from migrator.spec.target_model import build_target_model
from migrator.spec.walk import source_objects_read

_HTTP_URL = re.compile(r"^https?://[^\s/@:]+(?::\d+)?(?:/[^\s]*)?$")
_CREDENTIALS = re.compile(r"^https?://[^/\s]*@")


def check_semantics(
    spec: MigrationSpec, document: YamlDocument, *, sources: SourceSchema | None
) -> list[Diagnostic]:
    """Every semantic problem of ``spec``; ``sources`` is the bundle schema of
    ``spec.source.system`` (None skips the source-side checks)."""
    checker = Checker(spec, document, build_target_model(spec), sources)
    _check_source_section(checker)
    _check_destination(checker)
    _check_provenance(checker)
    _check_owners(checker)
    for name in spec.switches:
        if not re.match(r"^[a-z][a-z0-9_]*$", name):
            checker.error(
                f"switch name `{name}` must be lower_snake_case", ("switches", name), key=True
            )
    check_schema(checker)
    check_mappings(checker)
    check_reference_cycles(checker)
    _check_skip_and_accounting(checker)
    return checker.found


def _check_source_section(checker: Checker) -> None:
    timezone = checker.spec.source.timezone
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        checker.error(
            f"unknown timezone `{timezone}`",
            ("source", "timezone"),
            hint=suggest(timezone, zoneinfo.available_timezones()) or "use an IANA name",
        )


def _check_destination(checker: Checker) -> None:
    url = checker.spec.destination.url
    where = ("destination", "url")
    if url.startswith(SANDBOX_SCHEME):
        if not url.removeprefix(SANDBOX_SCHEME):
            checker.error("`sandbox:` needs a database path (sandbox:PATH)", where)
    elif _CREDENTIALS.match(url):
        checker.error(
            "the destination URL holds credentials: a spec must never hold secrets",
            where,
            hint="remove the user:password@ part; the key comes from `api_key_env`",
        )
    elif not _HTTP_URL.match(url):
        checker.error(
            "`destination.url` must be an http(s):// base URL or sandbox:PATH",
            where,
            hint="e.g. https://crm.example.com or sandbox:.migrator/sandbox.db",
        )


def _check_provenance(checker: Checker) -> None:
    provenance = checker.spec.provenance
    for key in ("source_id_field", "source_deleted_field"):
        name = getattr(provenance, key)
        problem = name_problem(name)
        if problem is not None:
            message, hint = invalid_name_message("field", name, problem)
            checker.error(message, ("provenance", key), hint=hint)


def _check_owners(checker: Checker) -> None:
    owners = checker.spec.owners
    if owners is None:
        return
    if checker.check_source_object(owners.from_, ("owners", "from")):
        if owners.key is not None:
            checker.check_source_path(owners.from_, owners.key, ("owners", "key"))
        checker.check_source_path(owners.from_, owners.email, ("owners", "email"))


def _check_skip_and_accounting(checker: Checker) -> None:
    spec = checker.spec
    used = source_objects_read(spec)
    for name in spec.skip:
        if not checker.check_source_object(name, ("skip", name), key=True):
            continue
        if name in {m.from_ for m in spec.objects.values()}:
            checker.error(f"`{name}` is both mapped and skipped", ("skip", name), key=True)
    if checker.sources is None or any(d.is_error for d in checker.found):
        return  # a completeness lint: only meaningful once the spec is otherwise valid
    where = ("skip",) if "skip" in checker.document.data else ("objects",)
    for obj in checker.sources.objects:
        if obj.name not in used and obj.name not in spec.skip:
            checker.warning(
                f"source object `{obj.name}` is neither mapped, read nor skipped: its rows would "
                "be unaccounted for",
                where,
                key=True,
                hint="map it, or list it under `skip:` with a reason",
            )
