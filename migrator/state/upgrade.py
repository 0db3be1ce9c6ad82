"""The format-version chain of the state tables (Terraform's ``versionN_upgrade``, dlt's
``migrate_pipeline_state``).

Opening a store reads ``format_version`` before anything else. An empty database gets the tables
of :data:`CURRENT_FORMAT_VERSION`. An older format is upgraded one step at a time, each step a
function registered in :data:`UPGRADE_STEPS` under the version it upgrades *from* (``v1_to_v2``
under 1, …), all inside one transaction, so a failed upgrade leaves the old format intact. A newer
format is refused: this migrator cannot know what it means. An upgrade does not bump the serial
(the content is the same, only its encoding changes).

Format 1 is the first and only format so far, so the chain is empty; a test drives it with a
synthetic step to prove that it runs step by step. Adding format 2 means: change
:mod:`migrator.state.sql`, add ``v1_to_v2`` here, bump the constant, and add a format-2 fixture
under ``tests/data/state/``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from migrator import __version__
from migrator.errors import StateError, StateVersionError
from migrator.state import rows, sql
from migrator.state.db import SqlDatabase

CURRENT_FORMAT_VERSION = 1
"""The format this migrator writes."""

UpgradeStep = Callable[[SqlDatabase], None]
"""Rewrites the tables of format N into format N + 1 (inside the caller's transaction)."""

UPGRADE_STEPS: Mapping[int, UpgradeStep] = {}
"""``{N: step from N to N + 1}``; empty while format 1 is the only format."""


def create_tables(db: SqlDatabase, format_version: int = CURRENT_FORMAT_VERSION) -> None:
    """Create the current tables in an empty database and record their format."""
    for statement in sql.CREATE_TABLES:
        db.execute(db.ddl(statement))
    db.execute(sql.UPSERT_META, (rows.META_FORMAT_VERSION, str(format_version)))


def newer_format_error(location: str, found: int, writer: str, current: int) -> StateVersionError:
    """The refusal of a state written by a newer migrator."""
    return StateVersionError(
        f"state {location} was written by migrator {writer or 'of an unknown version'} "
        f"(format {found}); upgrade migrator",
        detail=f"This is migrator {__version__}, which reads state formats up to {current}.",
        hint=f"install a migrator that reads state format {found}: pip install -U twenty-migrator",
    )


def prepare_schema(
    db: SqlDatabase,
    *,
    location: str,
    current: int = CURRENT_FORMAT_VERSION,
    steps: Mapping[int, UpgradeStep] = UPGRADE_STEPS,
) -> int:
    """Bring ``db`` to format ``current``; return the format found (0 for a new store).

    Raises :class:`StateVersionError` for a newer format or a missing step, and
    :class:`StateError` for a database that is not a migrator state.
    """
    with db.transaction():
        tables = db.table_names()
        if "meta" not in tables:
            if tables:
                raise StateError(
                    f"{location} is not a migrator state",
                    detail=f"It holds the tables {', '.join(sorted(tables))} but no meta table.",
                    hint="pass the path of a migrator state with --state, or a new path",
                )
            create_tables(db, current)
            return 0
        found_row = db.fetch_one(sql.SELECT_META_VALUE, (rows.META_FORMAT_VERSION,))
        writer_row = db.fetch_one(sql.SELECT_META_VALUE, (rows.META_MIGRATOR_VERSION,))
        if found_row is None:
            raise StateError(
                f"{location} has no format version",
                detail="Its meta table lacks the format_version row; the file is damaged.",
                hint="restore the state from a backup",
            )
        found = int(found_row[0])
        if found > current:
            writer = "" if writer_row is None else str(writer_row[0])
            raise newer_format_error(location, found, writer, current)
        _upgrade(db, found, current, steps, location)
        return found


def _upgrade(
    db: SqlDatabase, found: int, current: int, steps: Mapping[int, UpgradeStep], location: str
) -> None:
    version = found
    while version < current:
        step = steps.get(version)
        if step is None:
            raise StateVersionError(
                f"state {location} has format {version}, and this migrator has no upgrade "
                f"from format {version} to {current}",
                detail=f"This is migrator {__version__}; it reads state formats up to {current}.",
                hint="open the state with the migrator release that wrote it, then upgrade",
            )
        step(db)
        version += 1
        db.execute(sql.UPSERT_META, (rows.META_FORMAT_VERSION, str(version)))
