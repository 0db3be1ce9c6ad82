"""Turn a loaded YAML document into a :class:`MigrationSpec`, or into positioned diagnostics.

pydantic reports every shape problem at once; this module rewrites each into a message a spec
author can act on, positioned with the loader's line/column table: an unknown key points at the
key (and proposes the closest allowed one), a missing key at its parent, anything else at the
value. Messages never contain input values (pydantic's ``input`` is never read).
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from migrator.diagnostics import Diagnostic
from migrator.spec.loader import PathKey, YamlDocument
from migrator.spec.models import MigrationSpec

#: Friendlier words for pydantic's type errors.
_TYPE_WORDS: dict[str, str] = {
    "string_type": "text",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
    "none_required": "null",
}

#: What a pattern-checked key must look like, in words (the regex is no help to a reader).
_PATTERN_WORDS: dict[str, str] = {
    "name": "lower-case letters, digits and hyphens (at most 63), starting with a letter or digit",
    "api_key_env": "the NAME of an environment variable (letters, digits, underscores)",
    "currency": "a three-letter ISO 4217 code such as VND or GBP",
    "phone": "an ISO 3166 two-letter region such as GB or VN",
    "member": "an email address",
}

#: Why a bound exists, for the keys whose limits come from Twenty.
_BOUND_HINTS: dict[str, str] = {
    "batch_size": "Twenty accepts at most 200 records per batch request (twenty-api.md §3.2)",
    "max_values": "Twenty requires FILES fields to allow 1 to 60 files",
}


def is_tag(part: str | int) -> bool:
    """True for the discriminator tags pydantic puts in error locations (``<value>``)."""
    return isinstance(part, str) and part.startswith("<") and part.endswith(">")


def document_path(loc: Sequence[str | int]) -> PathKey:
    """The YAML path of an error location: pydantic's location without union tags."""
    return tuple(part for part in loc if not is_tag(part))


def render_path(path: Sequence[str | int]) -> str:
    """``objects.companies.fields[2]`` style, for messages."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _unwrap(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    """The bare type of an annotation and its ``Annotated`` metadata."""
    metadata: tuple[Any, ...] = ()
    while typing.get_origin(annotation) is typing.Annotated:
        args = typing.get_args(annotation)
        annotation, metadata = args[0], metadata + tuple(args[1:])
    return annotation, metadata


def _union_member(members: tuple[Any, ...], part: str | int) -> Any:
    for member in members:
        _, metadata = _unwrap(member)
        if any(getattr(item, "tag", None) == part for item in metadata):
            return member
    concrete = [m for m in members if _unwrap(m)[0] is not type(None)]
    return concrete[0] if len(concrete) == 1 else None


def _step(annotation: Any, part: str | int) -> Any:
    """The annotation reached by following one location part from ``annotation``."""
    bare, _ = _unwrap(annotation)
    origin = typing.get_origin(bare)
    if origin in (typing.Union, types.UnionType):
        member = _union_member(typing.get_args(bare), part)
        return member if is_tag(part) else (_step(member, part) if member else None)
    if is_tag(part):
        return annotation
    if isinstance(bare, type) and issubclass(bare, BaseModel) and isinstance(part, str):
        for name, info in bare.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    if origin is dict:
        return typing.get_args(bare)[1]
    if origin in (tuple, list):
        return typing.get_args(bare)[0]
    return None


def model_at(loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The spec model class at a (raw, tagged) location, or None if it is not a model."""
    annotation: Any = MigrationSpec
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return None
    bare, _ = _unwrap(annotation)
    if typing.get_origin(bare) in (typing.Union, types.UnionType):
        bare = _union_member(typing.get_args(bare), "")
        bare = _unwrap(bare)[0] if bare is not None else None
    if isinstance(bare, type) and issubclass(bare, BaseModel):
        return bare
    return None


def allowed_keys(model: type[BaseModel]) -> list[str]:
    """The YAML keys a model accepts, in declaration order."""
    return [info.alias or name for name, info in model.model_fields.items()]


def _unknown_key(document: YamlDocument, loc: tuple[str | int, ...]) -> Diagnostic:
    path = document_path(loc)
    key = str(path[-1])
    model = model_at(loc[:-1])
    keys = allowed_keys(model) if model else []
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    where = render_path(path[:-1]) or "the top level"
    if close:
        hint = f"did you mean `{close[0]}`?"
    elif keys:
        hint = "allowed keys: " + ", ".join(keys)
    else:
        hint = ""
    return document.diagnostic(f"unknown key `{key}` in {where}", path, key=True, hint=hint)


def _message(error: Any, path: PathKey) -> tuple[str, str]:
    """The message and hint for one non-key error."""
    kind, ctx = error["type"], error.get("ctx") or {}
    named = [part for part in path if isinstance(part, str)]
    name = named[-1] if named else ""
    subject = f"`{render_path(path)}`" if path else "the spec"
    hint = _BOUND_HINTS.get(name, "")
    if kind in _TYPE_WORDS:
        return f"{subject} must be {_TYPE_WORDS[kind]}", hint
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", ""))
        several = " or " in expected or ", " in expected
        return f"{subject} must be {'one of ' if several else ''}{expected}", hint
    if kind in ("less_than_equal", "less_than"):
        word = "at most" if kind == "less_than_equal" else "less than"
        return f"{subject} must be {word} {ctx.get('le', ctx.get('lt'))}", hint
    if kind in ("greater_than_equal", "greater_than"):
        word = "at least" if kind == "greater_than_equal" else "greater than"
        return f"{subject} must be {word} {ctx.get('ge', ctx.get('gt'))}", hint
    if kind == "string_too_short":
        return f"{subject} must not be empty", hint
    if kind == "too_short":
        return f"{subject} needs at least {ctx.get('min_length', 1)} item(s)", hint
    if kind == "string_pattern_mismatch":
        words = _PATTERN_WORDS.get(name, f"text matching {ctx.get('pattern', '')}")
        return f"{subject} must be {words}", hint
    return f"{subject}: {error['msg']}", hint


def _is_explained_by_typo(missing: PathKey, misspelt: set[PathKey]) -> bool:
    for unknown in misspelt:
        if unknown[:-1] == missing[:-1] and difflib.get_close_matches(
            str(unknown[-1]), [str(missing[-1])], n=1, cutoff=0.6
        ):
            return True
    return False


def diagnostics_from_validation_error(
    document: YamlDocument, exc: ValidationError
) -> list[Diagnostic]:
    """One positioned diagnostic per pydantic error, without input values."""
    errors = exc.errors(include_url=False, include_input=False, include_context=True)
    misspelt = {
        document_path(error["loc"]) for error in errors if error["type"] == "extra_forbidden"
    }
    found: list[Diagnostic] = []
    for error in errors:
        loc = tuple(error["loc"])
        path = document_path(loc)
        if error["type"] == "extra_forbidden":
            found.append(_unknown_key(document, loc))
        elif error["type"] == "missing":
            if _is_explained_by_typo(path, misspelt):
                continue  # "unknown key `fromm` (did you mean `from`?)" already says it
            parent = path[:-1]
            where = render_path(parent) or "the top level"
            found.append(
                document.diagnostic(
                    f"missing required key `{path[-1]}` in {where}", parent, key=bool(parent)
                )
            )
        else:
            message, hint = _message(error, path)
            found.append(document.diagnostic(message, path, hint=hint))
    return found


def parse_spec(document: YamlDocument) -> tuple[MigrationSpec | None, list[Diagnostic]]:
    """Validate the document's data against the spec models.

    Returns the spec and no diagnostics, or None and every shape problem (positioned).
    """
    if not isinstance(document.data, dict):
        return None, [document.diagnostic("the spec must be a YAML mapping at the top level", ())]
    try:
        return MigrationSpec.model_validate(document.data), []
    except ValidationError as exc:
        return None, diagnostics_from_validation_error(document, exc)
