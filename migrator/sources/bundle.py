"""Reading a source export bundle: open, verify, fingerprint, stream records, find attachments.

``open_bundle(system, path, timezone=...)`` reads and checks ``manifest.json`` and returns a
:class:`Bundle`. :meth:`Bundle.verify` proves every listed file is present, hashes to its
manifest sha256, holds the stated number of records and parses line by line, and that every file
in the attachments folder hashes to its name; it raises one :class:`SourceError` naming the file
and line of the first problem. Callers verify before planning anything. :meth:`Bundle.read`
streams :class:`SourceRecord` values in constant memory, from the JSON Lines file or its CSV
mirror.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from migrator.errors import SourceError
from migrator.sources.coerce import Coercer, decode_csv_extras
from migrator.sources.custom_fields import CustomFieldResolver, Definition, definition_from
from migrator.sources.lines import iter_csv, iter_jsonl
from migrator.sources.manifest import SUPPORTED_MAJOR, Manifest, read_manifest
from migrator.sources.records import SourceRecord
from migrator.sources.schema import source_object, source_schema
from migrator.sources.schema_types import SourceObject, SourceSchema
from migrator.sources.shapes import SHAPERS
from migrator.sources.verify import VerifyReport, verify_bundle
from migrator.validate.findings import Finding, Issue, error, locate

Format = Literal["jsonl", "csv", "auto"]

#: The ``raw`` of the (many) records without unknown keys: one shared empty read-only view.
_NO_RAW: MappingProxyType[str, Any] = MappingProxyType({})

MISSING_KEY = error("missing_primary_key", "record has no primary key; it cannot be migrated")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SourceError(
            f"Unknown timezone `{name}`",
            hint="Use an IANA name such as Asia/Ho_Chi_Minh or Europe/London.",
        ) from None


class Bundle:
    """An opened export bundle. Reading never changes it; caches hold only small lookups."""

    def __init__(self, schema: SourceSchema, root: Path, manifest: Manifest, timezone: str):
        self.schema = schema
        self.system = schema.system
        self.root = root
        self.manifest = manifest
        self.timezone = timezone
        self.tz = _zone(timezone)
        self._definitions: tuple[Definition, ...] | None = None
        self._status_codes: dict[int, str] | None = None

    @property
    def fingerprint(self) -> str:
        """``sha256:<hex>`` of the canonical manifest; plans record it to refuse changed data."""
        return self.manifest.fingerprint

    @property
    def objects(self) -> tuple[str, ...]:
        """The schema objects this bundle holds a file for, in load order."""
        listed = {f.object for f in self.manifest.files}
        return tuple(n for n in self.schema.object_names if n in listed)

    def count(self, object_name: str) -> int:
        """The manifest's record count for ``object_name`` (0 when the bundle lacks it)."""
        entry = self.manifest.file_for(object_name) or self.manifest.file_for(object_name, csv=True)
        return entry.records if entry else 0

    def has_csv(self, object_name: str) -> bool:
        """True when the bundle carries a CSV mirror of ``object_name``."""
        return self.manifest.file_for(object_name, csv=True) is not None

    def verify(self) -> VerifyReport:
        """Check every file against the manifest; raise :class:`SourceError` at the first
        problem (missing file, wrong sha256 or count, bad UTF-8, truncated JSON, ragged CSV,
        a damaged attachment), naming the file and line."""
        return verify_bundle(self.root, self.manifest)

    def read(self, object_name: str, *, fmt: Format = "auto") -> Iterator[SourceRecord]:
        """Stream the records of ``object_name`` in file order.

        ``fmt="auto"`` reads the JSON Lines file, or the CSV mirror when only that is listed. An
        object the bundle does not hold yields nothing; a name unknown to the schema raises.
        Corruption met while reading raises :class:`SourceError` with the file and line.
        """
        obj = source_object(self.system, object_name)
        use_csv = fmt == "csv" or (
            fmt == "auto"
            and self.manifest.file_for(object_name) is None
            and self.has_csv(object_name)
        )
        entry = self.manifest.file_for(object_name, csv=use_csv)
        if entry is None:
            return iter(())
        if use_csv:
            rows = _csv_rows(iter_csv(self.root / entry.name, entry.name), obj.field_names)
        else:
            rows = iter_jsonl(self.root / entry.name, entry.name)
        return self._records(obj, rows, Coercer(obj, self.tz, from_csv=use_csv))

    def attachment_path(self, relative_path: str) -> Path:
        """The file an attachment record's ``relative_path``/``relativePath`` names.

        Raises :class:`SourceError` for a path that leaves the bundle's attachments folder. The
        file may be missing; record validation reports that.
        """
        parts = relative_path.replace("\\", "/").split("/")
        if parts[0] != "attachments" or any(p in ("", ".", "..") for p in parts):
            raise SourceError(
                "Attachment path outside the bundle's attachments folder",
                hint="Attachment paths must look like attachments/<2 hex>/<sha256>.<ext>.",
            )
        return self.root.joinpath(*parts)

    # -- internals ------------------------------------------------------------------------------

    def _records(
        self, obj: SourceObject, rows: Iterator[tuple[int, dict[str, Any]]], coercer: Coercer
    ) -> Iterator[SourceRecord]:
        shaper = SHAPERS.get((self.system, obj.name))
        resolver = self._resolver() if obj.field("custom_field_values") else None
        statuses = self._statuses() if obj.field("statusCode") else None
        system, name, pk = self.system, obj.name, obj.primary_key
        for line, data in rows:
            if shaper is not None:
                shaper(data)
            fields, raw, issues = coercer.coerce(data)
            if resolver is not None and isinstance(fields.get("custom_field_values"), list):
                custom, more = resolver.resolve(fields["custom_field_values"])
                fields["custom_fields"] = custom
                issues.extend(("custom_field_values", i) for i in more)
            if statuses is not None and fields.get("statusCode") is None:
                code = statuses.get(fields.get("appointmentStatusId"))  # type: ignore[arg-type]
                if code is not None:
                    fields["statusCode"] = code
            ident = fields.get(pk)
            keyless = ident is None or ident == ""
            record_id = f"line:{line}" if keyless else ident if type(ident) is str else str(ident)
            findings: tuple[Finding, ...] = ()
            if issues or keyless or record_id.startswith("line:"):
                findings = self._locate(name, record_id, line, issues, ident is None)
            yield SourceRecord(
                system,
                name,
                record_id,
                MappingProxyType(fields),
                MappingProxyType(raw) if raw else _NO_RAW,
                line,
                findings,
            )

    def _locate(
        self,
        name: str,
        record_id: str,
        line: int,
        issues: list[tuple[str, Issue]],
        missing_key: bool,
    ) -> tuple[Finding, ...]:
        found: list[Finding] = []
        if missing_key or record_id.startswith("line:"):
            found += locate([MISSING_KEY], system=self.system, object_name=name,
                            record_id=record_id, line=line)  # fmt: skip
        for field, item in issues:
            found += locate([item], system=self.system, object_name=name,
                            record_id=record_id, field=field, line=line)  # fmt: skip
        return tuple(found)

    def _raw_rows(self, object_name: str) -> Iterator[dict[str, Any]]:
        entry = self.manifest.file_for(object_name)
        if entry is not None:
            return (row for _, row in iter_jsonl(self.root / entry.name, entry.name))
        entry = self.manifest.file_for(object_name, csv=True)
        if entry is not None:
            return (row for _, row in iter_csv(self.root / entry.name, entry.name))
        return iter(())

    def _resolver(self) -> CustomFieldResolver:
        if self._definitions is None:
            found = (definition_from(row) for row in self._raw_rows("custom_field_definitions"))
            self._definitions = tuple(d for d in found if d is not None)
        return CustomFieldResolver(self._definitions, self.tz)

    def _statuses(self) -> dict[int, str]:
        if self._status_codes is None:
            table: dict[int, str] = {}
            for row in self._raw_rows("appointment_statuses"):
                ident, code = row.get("appointmentStatusId"), row.get("code")
                if isinstance(code, str) and str(ident).isdigit():
                    table[int(str(ident))] = code
            self._status_codes = table
        return self._status_codes


def _csv_rows(
    rows: Iterator[tuple[int, dict[str, Any]]], declared: frozenset[str]
) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, data in rows:
        decode_csv_extras(data, declared)
        yield line, data


def open_bundle(system: str, path: Path, *, timezone: str | None = None) -> Bundle:
    """Open the export bundle at ``path`` for ``system`` (``oplacrm`` or ``aeronaclinic``).

    Reads ``manifest.json`` and checks it names ``system`` and a supported schema version.
    ``timezone`` (the tenant's, e.g. from the spec) converts date-only values; without it the
    manifest's, then the system's default, is used. Does not verify the files: call
    :meth:`Bundle.verify` before planning.
    """
    schema = source_schema(system)
    root = Path(path)
    if not root.is_dir():
        raise SourceError(
            f"Source bundle folder not found: {root}",
            hint="Point the spec's `source.bundle` at an export folder holding manifest.json.",
        )
    manifest = read_manifest(root)
    if manifest.source != system:
        raise SourceError(
            f"Source bundle {root} is a `{manifest.source}` export, not `{system}`",
            hint="Check `source.system` in the spec, or point it at the right bundle.",
        )
    if manifest.schema_version.split(".", 1)[0] != SUPPORTED_MAJOR:
        raise SourceError(
            f"Source bundle schema version {manifest.schema_version} is not supported",
            detail=f"This migrator reads bundle schema {schema.schema_version} (1.x).",
            hint="Re-export with a supported schema version, or upgrade migrator.",
        )
    zone = timezone or manifest.timezone or schema.default_timezone
    return Bundle(schema, root, manifest, zone)
