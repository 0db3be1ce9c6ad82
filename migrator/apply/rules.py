"""The rules behind a phase's payloads, described without a single value (for the audit log).

A reviewer reading the audit log must learn *how* a record was produced — which source path fed
which field, which transforms ran, that a value map with N entries translated it (and what it
does with an unlisted value), how owners resolve — without the log holding any value a rule
contains or produced. :func:`describe_mapping_rules` reads one mapping of the spec (as the plan
embeds it, plain JSON) and keeps only names, paths, kinds and counts: constants, templates, map
entries and defaults are reduced to what they are, never what they say.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from migrator.model import digest

#: Keys of a value rule whose values are source paths or mapping names (schema, not data).
_NAMED = ("from", "ref", "owner", "file", "by", "key", "order_by", "pick", "when", "unless")
#: Keys of a value rule that mark it as a rule rather than a composite of sub-fields.
_VALUE_KEYS = frozenset(
    {
        *_NAMED,
        "const",
        "template",
        "lookup",
        "aggregate",
        "transforms",
        "map",
        "default",
        "on_invalid",
        "sensitive",
        "not_self",
        "deferred",
    }
)


def _transform_names(transforms: Any) -> list[str]:
    names: list[str] = []
    for item in transforms if isinstance(transforms, list) else []:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, Mapping) and item:
            names.append(str(sorted(item)[0]))
    return names


def describe_value(rule: Any) -> Any:
    """One field's rule: names and kinds kept, values dropped."""
    if isinstance(rule, str):
        return {"from": rule}
    if not isinstance(rule, Mapping):
        return {"const": True}
    if not (set(rule) & _VALUE_KEYS):
        return {"composite": {str(k): describe_value(v) for k, v in sorted(rule.items())}}
    described: dict[str, Any] = {k: rule[k] for k in _NAMED if isinstance(rule.get(k), str)}
    for flag in ("const", "template", "lookup", "aggregate"):
        if flag in rule:
            described[flag] = True
    if rule.get("transforms"):
        described["transforms"] = _transform_names(rule["transforms"])
    if isinstance(rule.get("map"), Mapping):
        default = rule.get("default")
        described["map"] = {
            "entries": len(rule["map"]),
            "unlisted": "quarantine" if default == "error" else "default value",
        }
    for flag in ("on_invalid",):
        if isinstance(rule.get(flag), str):
            described[flag] = rule[flag]
    for flag in ("not_self", "deferred", "sensitive"):
        if isinstance(rule.get(flag), bool):
            described[flag] = rule[flag]
    return described


def _owner_rule(spec: Mapping[str, Any]) -> dict[str, Any] | None:
    owners = spec.get("owners")
    if not isinstance(owners, Mapping):
        return None
    fallback = owners.get("fallback")
    kind = "member" if isinstance(fallback, Mapping) else str(fallback or "hold")
    rule = {"match": "workspace member by email", "unresolved": kind}
    for key in ("from", "key", "email"):
        if isinstance(owners.get(key), str):
            rule[key] = owners[key]
    return rule


def _find_mapping(spec: Mapping[str, Any], name: str) -> tuple[Mapping[str, Any] | None, str]:
    objects = spec.get("objects")
    if not isinstance(objects, Mapping):
        return None, ""
    direct = objects.get(name)
    if isinstance(direct, Mapping):
        return direct, ""
    for parent_name, parent in objects.items():
        children = parent.get("children") if isinstance(parent, Mapping) else None
        child = children.get(name) if isinstance(children, Mapping) else None
        if isinstance(child, Mapping):
            return child, str(parent_name)
    return None, ""


def describe_mapping_rules(spec: Mapping[str, Any], mapping: str) -> dict[str, Any]:
    """The rules of ``mapping`` (or child mapping) in ``spec``, with no value in them."""
    body, parent = _find_mapping(spec, mapping)
    if body is None:
        return {"mapping": mapping}
    fields = body.get("fields")
    described: dict[str, Any] = {
        "mapping": mapping,
        "to": body.get("to"),
        "fields": {
            str(name): describe_value(rule)
            for name, rule in sorted((fields or {}).items())
            if isinstance(fields, Mapping)
        },
    }
    if parent:
        described["parent"] = parent
    if isinstance(body.get("from"), str):
        described["from"] = body["from"]
    if body.get("match"):
        described["match_rules"] = len(body["match"])
        described["on_match"] = body.get("on_match", "merge")
    owner = _owner_rule(spec)
    if owner is not None and any("owner" in str(rule) for rule in (fields or {}).values()):
        described["owners"] = owner
    return described


def rules_digest(rules: Mapping[str, Any]) -> str:
    """The pointer a ``record`` line carries to its phase's ``decision`` line."""
    return digest(dict(rules))
