"""The state shared by the semantic checks: the spec, its document, Twenty and the source.

A :class:`Checker` collects positioned diagnostics; each ``semantic_*`` module adds its own. The
source side is behind :meth:`Checker.source_path_problem` and friends, which read the bundle
schema of :mod:`migrator.sources.schema` when one is given and accept everything otherwise.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from migrator.diagnostics import Diagnostic, Severity
from migrator.sources.schema_types import SourceObject, SourceSchema
from migrator.spec.loader import PathKey, YamlDocument
from migrator.spec.models import MigrationSpec
from migrator.spec.target_model import TargetModel

#: A source path: dotted names with optional list indexes (``contact_ids[0]``, ``phone.phone``).
SOURCE_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])?(?:\.[A-Za-z0-9_]+(?:\[\d+\])?)*$")
_INDEX = re.compile(r"\[\d+\]")
#: ``{path}`` placeholders in templates and ``format`` transforms.
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def suggest(word: str, candidates: Iterable[str]) -> str:
    """``did you mean `x`?`` for the closest candidate, or an empty hint."""
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


@dataclass
class Checker:
    """Collects the diagnostics of one spec; the ``semantic_*`` modules call it."""

    spec: MigrationSpec
    document: YamlDocument
    model: TargetModel
    sources: SourceSchema | None
    found: list[Diagnostic] = field(default_factory=list)

    def error(self, message: str, path: PathKey, *, key: bool = False, hint: str = "") -> None:
        """Record an error at ``path`` (its key with ``key=True``)."""
        self.found.append(self.document.diagnostic(message, path, key=key, hint=hint))

    def warning(self, message: str, path: PathKey, *, key: bool = False, hint: str = "") -> None:
        """Record a warning at ``path``."""
        made = self.document.diagnostic(message, path, key=key, hint=hint)
        self.found.append(Diagnostic(Severity.WARNING, made.message, made.location, made.hint))

    def switch_known(self, name: str | None, path: PathKey) -> None:
        """Report a ``when``/``unless`` naming an undeclared switch."""
        if name is not None and name not in self.spec.switches:
            hint = suggest(name, self.spec.switches) or "declare it under `switches:`"
            self.error(f"unknown switch `{name}`", path, hint=hint)

    # -- the source side -------------------------------------------------------------------

    def source_object(self, name: str) -> SourceObject | None:
        """The bundle schema's object ``name`` (None when unknown or without a schema)."""
        return self.sources.object(name) if self.sources is not None else None

    def check_source_object(self, name: str, path: PathKey, *, key: bool = False) -> bool:
        """Report an unknown source object; True when it exists (or cannot be checked)."""
        if self.sources is None or self.sources.object(name) is not None:
            return True
        self.error(
            f"unknown source object `{name}`: {self.sources.system} bundles have no such object",
            path,
            key=key,
            hint=suggest(name, self.sources.object_names),
        )
        return False

    def check_source_path(self, object_name: str | None, path_text: str, where: PathKey) -> None:
        """Report a malformed path, or one the source object does not have."""
        if not SOURCE_PATH.match(path_text):
            self.error(
                f"`{path_text}` is not a source path (names joined by dots, optional [index])",
                where,
            )
            return
        obj = self.source_object(object_name) if object_name else None
        if obj is None:
            return
        plain = _INDEX.sub("", path_text)
        problem = obj.path_problem(plain)
        if problem is not None:
            head = plain.split(".", 1)[0]
            hint = suggest(head, obj.field_names) if obj.field(head) is None else ""
            self.error(f"unknown source field: {problem}", where, hint=hint)

    def check_template(self, object_name: str | None, template: str, where: PathKey) -> None:
        """Check every ``{path}`` placeholder of a template against the source object."""
        for placeholder in PLACEHOLDER.findall(template):
            self.check_source_path(object_name, placeholder.strip(), where)
