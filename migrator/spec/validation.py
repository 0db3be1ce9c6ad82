"""The whole check of a spec file: load, secrets, shapes, semantics; all problems at once.

:func:`check_document` runs every layer that can run and returns every diagnostic (errors and
warnings) in file order; :func:`load_spec` is what commands that need a valid spec call: it
returns the :class:`LoadedSpec` or raises one :class:`~migrator.errors.SpecError` carrying all
diagnostics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from migrator.diagnostics import Diagnostics
from migrator.errors import SpecError
from migrator.sources.schema import SCHEMAS
from migrator.spec.loader import YamlDocument, load_yaml
from migrator.spec.models import MigrationSpec
from migrator.spec.secrets import find_literal_secrets
from migrator.spec.semantic import check_semantics
from migrator.spec.structure import parse_spec


@dataclass(frozen=True)
class LoadedSpec:
    """A spec that passed every check, with its document (for positions) and its warnings."""

    spec: MigrationSpec
    document: YamlDocument
    warnings: Diagnostics


def check_document(document: YamlDocument) -> tuple[MigrationSpec | None, Diagnostics]:
    """Every diagnostic of a loaded document; the spec when its shape is valid.

    Secrets are looked for first and always (even in a spec the models refuse). Semantic checks
    run only on a spec whose shape is valid, against the bundle schema of its source system.
    """
    diagnostics = Diagnostics()
    diagnostics.extend(find_literal_secrets(document))
    spec, shape_problems = parse_spec(document)
    diagnostics.extend(shape_problems)
    if spec is not None:
        sources = SCHEMAS.get(spec.source.system)
        diagnostics.extend(check_semantics(spec, document, sources=sources))
    return spec, diagnostics


def load_spec(
    path: Path, *, environ: Mapping[str, str], display_path: str | None = None
) -> LoadedSpec:
    """Load and fully check the spec at ``path``; raise :class:`SpecError` if any error."""
    document = load_yaml(path, environ=environ, display_path=display_path)
    spec, diagnostics = check_document(document)
    if spec is None or diagnostics.has_errors:
        count = len(diagnostics.errors)
        raise SpecError(
            f"{document.display_path} is not a valid migration spec "
            f"({count} error{'s' if count != 1 else ''})",
            diagnostics,
            hint=f"run `migrator validate {document.display_path}` and fix what it lists",
        )
    warnings = Diagnostics()
    warnings.extend(diagnostics.warnings)
    return LoadedSpec(spec, document, warnings)
