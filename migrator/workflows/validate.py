"""``migrator validate``: every problem of a spec at once, positioned.

Loads the YAML (file-level problems stop there), then reports together: literal secrets, shape
problems from the spec models, and the semantic problems (Twenty's catalogue, the source bundle
schema, references between mappings).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from migrator.diagnostics import Diagnostics
from migrator.errors import SpecError
from migrator.spec.loader import load_yaml
from migrator.spec.validation import check_document


@dataclass(frozen=True)
class ValidationResult:
    """The diagnostics of one spec file, errors and warnings, in file order."""

    display_path: str
    diagnostics: Diagnostics

    @property
    def is_valid(self) -> bool:
        """True when no diagnostic is an error."""
        return not self.diagnostics.has_errors


def validate(
    spec_path: Path, *, environ: Mapping[str, str], display_path: str | None = None
) -> ValidationResult:
    """Load and check the spec at ``spec_path``; never raises for a problem in the file itself."""
    display = display_path or str(spec_path)
    try:
        document = load_yaml(spec_path, environ=environ, display_path=display)
    except SpecError as exc:
        diagnostics = Diagnostics()
        diagnostics.extend(exc.diagnostics)
        return ValidationResult(display, diagnostics)
    _, diagnostics = check_document(document)
    return ValidationResult(display, diagnostics)
