"""The fields of one proposed mapping: the standard ones, the guide's named ones, the guesses.

:func:`propose_mapping` takes one :class:`StandardMap`, the source object's value profile and
the custom field definitions (OplaCRM), and returns a :class:`MappingProposal`: the schema
entries to provision on the Twenty object (each guessed one with its comment) and the mapping's
field entries, plus a :class:`ProposedField` per custom field for reviews and tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from migrator.init.infer import Context, Guess, infer_custom, infer_field
from migrator.init.names import NameBook
from migrator.init.profile import ObjectProfile
from migrator.init.standard import StandardMap
from migrator.init.yaml_out import Block, Entry
from migrator.sources.schema_types import SourceField, SourceObject

SYSTEM_LABELS = {"oplacrm": "OplaCRM", "aeronaclinic": "AeronaClinic"}


@dataclass(frozen=True)
class ProposedField:
    """A custom field the proposal provisions, and the source value it holds."""

    object: str
    name: str
    type: str
    path: str
    mapping: str
    confidence: float
    guessed: bool


@dataclass(frozen=True)
class Definition:
    """An OplaCRM custom field definition (configuration, not a record)."""

    key: str
    name: str
    data_type: str
    labels: tuple[str, ...]


@dataclass
class MappingProposal:
    """What one mapping adds to the spec (a builder)."""

    schema_fields: list[Entry] = field(default_factory=list)
    mapping_fields: Block = field(default_factory=Block)
    fields: list[ProposedField] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Comment lines for the mapping: fields not proposed and why."""


def humanise(name: str, *, relation: bool = False) -> str:
    """``parent_account_id`` → ``Parent account``; ``preferredClinicianUserId`` → ``Preferred
    clinician user``."""
    words: list[str] = []
    current = ""
    for char in name.replace(".", "_"):
        if char == "_" or (char.isupper() and current and not current[-1].isupper()):
            if current:
                words.append(current.lower())
            current = "" if char == "_" else char
        else:
            current += char
    if current:
        words.append(current.lower())
    if relation and len(words) > 1 and words[-1] == "id":
        words.pop()
    text = " ".join(words) or name
    return text[:1].upper() + text[1:]


def _base_name(guess: Guess) -> str:
    base = guess.path.split(".")[-1] if guess.path.startswith("custom_fields.") else guess.path
    base = base.split(".")[0]
    if guess.type.value == "RELATION":
        for suffix in ("UserId", "_id", "Id"):
            if base.endswith(suffix) and len(base) > len(suffix):
                base = base[: -len(suffix)]
                break
    return f"{base} {guess.suffix}" if guess.suffix else base


def _comment(guess: Guess) -> str:
    return f"guess: {guess.type.value} (confidence {guess.confidence:.2f}): {guess.reason}"


class MappingBuilder:
    """Builds the proposal of one mapping into a Twenty object."""

    def __init__(
        self,
        standard: StandardMap,
        obj: SourceObject,
        profile: ObjectProfile,
        names: NameBook,
        ctx: Context,
    ) -> None:
        self.standard = standard
        self.obj = obj
        self.profile = profile
        self.names = names
        self.ctx = ctx
        self.result = MappingProposal()
        self.by_path: dict[str, str] = {}
        """Source path → the custom field proposed for it."""
        target = standard.target
        self.prefixed = standard.create is None and bool(names.prefix)
        for name in standard.fields:
            names.claim(target, name)

    def _schema(self, name: str, guess: Guess, label: str, description: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"type": guess.type.value, "label": label}
        if description:
            entry["description"] = description
        if guess.options:
            entry["options"] = [{"value": v, "label": lab} for v, lab in guess.options]
        if guess.relation_to:
            entry["to"] = guess.relation_to
            plural = self.standard.create["label_plural"] if self.standard.create else None
            owner = plural or self.standard.target[:1].upper() + self.standard.target[1:]
            entry["inverse_label"] = self.names.inverse_label(
                guess.relation_to, f"{owner} ({label})"
            )
        if guess.unique:
            entry["unique"] = True
        return entry

    def add_guess(self, guess: Guess, *, label: str = "", description: str = "") -> None:
        """Provision a guessed field and map the source value into it."""
        target = self.standard.target
        base = _base_name(guess)
        name = self.names.propose(
            target, base, prefixed=self.prefixed, context=self.standard.mapping
        )
        label = label or humanise(base, relation=guess.relation_to is not None)
        system = SYSTEM_LABELS.get(self.ctx.system, self.ctx.system)
        description = description or f"{system} field {guess.path}"
        schema = self._schema(name, guess, label, description)
        self.result.schema_fields.append(Entry(name, schema, (_comment(guess),)))
        value = guess.value
        if guess.extra:
            value = {**({"from": value} if isinstance(value, str) else value), **guess.extra}
        self.result.mapping_fields.add(name, value)
        self.by_path.setdefault(guess.path, name)
        self.result.fields.append(
            ProposedField(
                target,
                name,
                guess.type.value,
                guess.path,
                self.standard.mapping,
                guess.confidence,
                guessed=True,
            )
        )

    def add_named(self) -> None:
        """The custom fields the guide names (not guessed)."""
        target = self.standard.target
        for item in self.standard.custom:
            self.names.claim(target, item.name)
            schema = dict(item.schema)
            if "inverse_label" in schema:
                schema["inverse_label"] = self.names.inverse_label(
                    schema["to"], schema["inverse_label"]
                )
            above = (item.comment,) if item.comment else ()
            self.result.schema_fields.append(Entry(item.name, schema, above))
            self.result.mapping_fields.add(item.name, item.value)
            self.result.fields.append(
                ProposedField(
                    target,
                    item.name,
                    str(schema["type"]),
                    _path_of(item.value),
                    self.standard.mapping,
                    1.0,
                    guessed=False,
                )
            )

    def add_source_fields(self, lookups: dict[str, Guess]) -> None:
        """A guess for every source field not consumed, ignored or the primary key."""
        for source in self.obj.fields:
            name = source.name
            if name == self.obj.primary_key or name in self.standard.consumed:
                continue
            if name in self.standard.ignored:
                self.result.notes.append(f"not proposed: {name} ({self.standard.ignored[name]})")
                continue
            if name in ("custom_fields", "custom_field_values"):
                continue
            if name == "currency" and self._has_money():
                self.result.notes.append("not proposed: currency (the amounts' currency code)")
                continue
            guesses = self._guesses(source, lookups)
            if not guesses:
                self.result.notes.append(f"not proposed: {name} ({_why_not(source)})")
            for guess in guesses:
                self.add_guess(guess)

    def _has_money(self) -> bool:
        return any(f.check == "money" for f in self.obj.fields) or any(
            isinstance(v, dict) and "currencyCode" in v for v in self.standard.fields.values()
        )

    def _guesses(self, source: SourceField, lookups: dict[str, Guess]) -> list[Guess]:
        if source.name in lookups:
            return [lookups[source.name]]
        return infer_field(source, self.obj, self.profile.of(source.name), self.ctx)

    def add_custom_fields(self, definitions: list[Definition]) -> None:
        """A field for every OplaCRM custom field of this object, typed from its definition."""
        for item in definitions:
            profile = self.profile.of(f"custom_fields.{item.key}")
            guess = infer_custom(item.key, item.data_type, list(item.labels), profile, self.ctx)
            self.add_guess(
                guess,
                label=item.name,
                description=f'OplaCRM custom field "{item.name}" (key {item.key})',
            )


def _path_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("from", "by", "owner"):
            if isinstance(value.get(key), str):
                return str(value[key])
        if "aggregate" in value:
            aggregate = value["aggregate"]
            return f"{aggregate.get('from')}.{aggregate.get('value') or '*'}"
        first = next(iter(value.values()), None)
        return _path_of(first)
    return ""


def _why_not(source: SourceField) -> str:
    if source.references and source.type.value == "list":
        return "a list of references: Twenty relations hold one record"
    if source.references:
        return f"a reference to {source.references}, which is not migrated"
    return "no values to infer a type from"
