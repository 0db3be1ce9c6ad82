"""The one error tree of migrator.

Every failure the user can act on is a :class:`MigratorError` with a one-line ``summary``, a
``detail`` and a ``hint`` naming the next step. The CLI prints these and exits 1; anything else
that escapes is a bug (exit 3). Each package raises only its own subclasses.

Messages never carry secrets (API keys) or sensitive source values: callers scrub before raising.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from migrator.diagnostics import Diagnostics


class MigratorError(Exception):
    """A failure the user can understand and act on.

    ``summary`` is one line; ``detail`` may span several; ``hint`` is the next step (ideally a
    command to run). None of them may contain a secret or a sensitive value.
    """

    def __init__(self, summary: str, *, detail: str = "", hint: str = "") -> None:
        super().__init__(summary)
        self.summary = summary
        self.detail = detail
        self.hint = hint


class TransientError(MigratorError):
    """Mixin-like base: retrying the same operation later may succeed."""


class UsageError(MigratorError):
    """The command line itself is wrong (a missing file argument, conflicting flags)."""


class SpecError(MigratorError):
    """The migration spec (or another YAML input) is invalid; carries every diagnostic at once."""

    def __init__(
        self, summary: str, diagnostics: Diagnostics, *, detail: str = "", hint: str = ""
    ) -> None:
        super().__init__(summary, detail=detail, hint=hint)
        self.diagnostics = diagnostics


class GraphError(MigratorError):
    """The dependency graph cannot be built (an unbreakable cycle, an unknown reference)."""


class SourceError(MigratorError):
    """A source bundle or source API is unreadable or inconsistent."""


class TwentyError(MigratorError):
    """Twenty (or the sandbox) refused or failed a request.

    Carries the method, the URL path (never the query's secrets, never the token), the status and
    Twenty's messages after scrubbing of echoed values.
    """

    def __init__(
        self,
        summary: str,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        messages: tuple[str, ...] = (),
        detail: str = "",
        hint: str = "",
    ) -> None:
        super().__init__(summary, detail=detail, hint=hint)
        self.method = method
        self.path = path
        self.status = status
        self.messages = messages


class TwentyAuthError(TwentyError):
    """401 or 403: the API key is missing, wrong, revoked or lacks a permission."""


class TwentyNotFound(TwentyError):
    """404: the object, field or record does not exist."""


class TwentyConflict(TwentyError):
    """400 "A duplicate entry was detected" or an upsert matching several rows."""


class TwentyValidationError(TwentyError):
    """Another 4xx, or the 500 "Data validation error." that a bad relation id produces."""


class TwentyUnavailable(TwentyError, TransientError):
    """Transient failures (timeouts, resets, 429, 502-504) that outlived every retry."""


class StateError(MigratorError):
    """The state store cannot be used as asked."""


class StateLocked(StateError):
    """Another process holds the state lock."""


class StateVersionError(StateError):
    """The state was written by a newer format version, or an upgrade path is missing."""


class StalePlanError(StateError):
    """A saved plan no longer matches the state, source, spec or destination it was made against."""


class LineageMismatch(StateError):
    """The state belongs to another destination or lineage."""


class PlanError(MigratorError):
    """A plan cannot be computed, read or rendered."""


class ApplyError(MigratorError):
    """Applying a plan failed part-way; what completed is recorded in the state."""

    def __init__(
        self,
        summary: str,
        *,
        run_id: str = "",
        serial: int | None = None,
        detail: str = "",
        hint: str = "",
    ) -> None:
        super().__init__(summary, detail=detail, hint=hint)
        self.run_id = run_id
        self.serial = serial


class SandboxError(MigratorError):
    """The embedded sandbox cannot start or its database is unusable."""
