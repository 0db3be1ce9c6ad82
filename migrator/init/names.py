"""Field names for the proposal: valid, camelCase, and unique per Twenty object.

:class:`NameBook` knows every name each Twenty object already has or will have (standard fields,
the fields Twenty gives a custom object, names proposed so far) and hands out a valid unused
one for a source name (``opla_healthscore`` → ``oplaHealthscore``), adding the system prefix,
then a distinguishing word, then a number when a name is taken or refused.
"""

from __future__ import annotations

from migrator.catalogue import name_problem, standard_object
from migrator.spec.naming import to_camel_case
from migrator.spec.target_model import CUSTOM_OBJECT_LISTS, inverse_field_name


def _join(prefix: str, base: str) -> str:
    if not prefix:
        return base
    if not base:
        return prefix
    return prefix + base[:1].upper() + base[1:]


class NameBook:
    """The names taken on each Twenty object (a builder, filled as the proposal grows)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._taken: dict[str, set[str]] = {}

    def taken(self, obj: str) -> set[str]:
        """The names ``obj`` has (standard fields, or a custom object's own), plus proposals."""
        if obj not in self._taken:
            standard = standard_object(obj)
            if standard is not None:
                names = set(standard.field_names)
                names.update(f.join_column for f in standard.fields if f.join_column)
            else:
                company = standard_object("company")
                names = {f.name for f in company.fields if f.is_system} if company else set()
                names.update({"name", *CUSTOM_OBJECT_LISTS})
            self._taken[obj] = names
        return self._taken[obj]

    def is_free(self, obj: str, name: str) -> bool:
        """True when ``name`` is valid and unused on ``obj``."""
        return bool(name) and name_problem(name) is None and name not in self.taken(obj)

    def claim(self, obj: str, name: str) -> None:
        """Record ``name`` (and a relation's join column) as used on ``obj``."""
        self.taken(obj).add(name)

    def propose(self, obj: str, text: str, *, prefixed: bool, context: str = "") -> str:
        """A free field name on ``obj`` for the source name ``text``, and claim it."""
        base = to_camel_case(text) or "field"
        first = _join(self.prefix, base) if prefixed else base
        candidates = [first, _join(self.prefix or "source", base)]
        if context:
            candidates.append(_join(to_camel_case(context), base[:1].upper() + base[1:]))
        for name in candidates:
            if self.is_free(obj, name):
                self.claim(obj, name)
                return name
        number = 2
        while not self.is_free(obj, f"{first}{number}"):
            number += 1
        self.claim(obj, f"{first}{number}")
        return f"{first}{number}"

    def inverse_label(self, target: str, label: str) -> str:
        """A label whose camelCase name is free on ``target`` (the relation's other side)."""
        candidate, number = label, 2
        while not self.is_free(target, inverse_field_name(candidate)):
            candidate = f"{label} {number}"
            number += 1
        self.claim(target, inverse_field_name(candidate))
        return candidate
