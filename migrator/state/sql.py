"""Every SQL statement of the state, written once in SQL that SQLite and PostgreSQL both run.

Portable on purpose (#15 puts a PostgreSQL backend on the same tables): ``TEXT`` for text and for
JSON (canonical JSON, :func:`migrator.model.canonical_json`), ``BIGINT`` for integers, ``INTEGER``
0/1 for booleans, ISO-8601 text for timestamps, ``INSERT … ON CONFLICT … DO UPDATE … WHERE …
IS DISTINCT FROM …`` for upserts that touch a row only when its content changes (so the row count
says whether the serial must move). Parameters are written ``?``; a backend whose driver wants
``%s`` translates them (:class:`migrator.state.db.SqlDatabase`). Key columns are declared
``{key}``, which a backend replaces by a text type with byte-order comparison (``TEXT`` in
SQLite, ``TEXT COLLATE "C"`` in PostgreSQL) so ``ORDER BY address`` is the address order.

The ``lock`` table is local-only: it is not content and never bumps the serial.
"""

from __future__ import annotations

#: The schema of the current format version, one statement per item.
CREATE_TABLES: tuple[str, ...] = (
    "CREATE TABLE meta (name {key} PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE schema_resources (
        address {key} PRIMARY KEY, kind TEXT NOT NULL, twenty_id TEXT,
        created_by_us INTEGER NOT NULL, options_before TEXT, run_id TEXT)""",
    """CREATE TABLE records (
        address {key} PRIMARY KEY, mapping {key} NOT NULL, source_key {key} NOT NULL,
        twenty_object TEXT NOT NULL, twenty_id TEXT NOT NULL, payload_digest TEXT NOT NULL,
        status TEXT NOT NULL, pre_image TEXT, pre_image_updated_at TEXT,
        pre_image_deleted_at TEXT, run_id TEXT, file_ids TEXT NOT NULL)""",
    "CREATE INDEX records_by_mapping ON records (mapping, address)",
    "CREATE INDEX records_by_source_key ON records (source_key)",
    """CREATE TABLE cursors (
        stream {key} PRIMARY KEY, cursor_field TEXT NOT NULL, initial_value TEXT,
        last_value TEXT, boundary_keys TEXT NOT NULL, updated_serial BIGINT NOT NULL)""",
    """CREATE TABLE runs (
        run_id {key} PRIMARY KEY, kind TEXT NOT NULL, plan_digest TEXT NOT NULL,
        started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,
        first_serial BIGINT NOT NULL, last_serial BIGINT NOT NULL,
        migrator_version TEXT NOT NULL)""",
    """CREATE TABLE run_phases (
        run_id {key} NOT NULL, phase {key} NOT NULL, position BIGINT NOT NULL,
        source BIGINT NOT NULL, written BIGINT NOT NULL, merged BIGINT NOT NULL,
        deduplicated BIGINT NOT NULL, quarantined BIGINT NOT NULL, held BIGINT NOT NULL,
        skipped BIGINT NOT NULL, PRIMARY KEY (run_id, phase))""",
    """CREATE TABLE quarantine (
        address {key} PRIMARY KEY, mapping {key} NOT NULL, source_key TEXT NOT NULL,
        code TEXT NOT NULL, reason TEXT NOT NULL, run_id TEXT)""",
    "CREATE INDEX quarantine_by_mapping ON quarantine (mapping, address)",
    """CREATE TABLE holds (
        address {key} PRIMARY KEY, mapping {key} NOT NULL, source_key TEXT NOT NULL,
        code TEXT NOT NULL, reason TEXT NOT NULL, blocked_by {key} NOT NULL,
        owner_email_hash TEXT, run_id TEXT)""",
    "CREATE INDEX holds_by_mapping ON holds (mapping, address)",
    """CREATE TABLE lock (
        name {key} PRIMARY KEY, lock_id TEXT NOT NULL, who TEXT NOT NULL, pid BIGINT NOT NULL,
        host TEXT NOT NULL, operation TEXT NOT NULL, since TEXT NOT NULL)""",
)

#: Tables of the current format, for "is this file a state at all?" checks.
TABLES: tuple[str, ...] = (
    "meta",
    "schema_resources",
    "records",
    "cursors",
    "runs",
    "run_phases",
    "quarantine",
    "holds",
    "lock",
)

# --- meta -------------------------------------------------------------------------------------
SELECT_META = "SELECT name, value FROM meta"
SELECT_META_VALUE = "SELECT value FROM meta WHERE name = ?"
UPSERT_META = """INSERT INTO meta (name, value) VALUES (?, ?)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value
    WHERE meta.value IS DISTINCT FROM excluded.value"""
DELETE_META = "DELETE FROM meta WHERE name = ?"

# --- records ----------------------------------------------------------------------------------
RECORD_COLUMNS = (
    "address, mapping, source_key, twenty_object, twenty_id, payload_digest, status, pre_image, "
    "pre_image_updated_at, pre_image_deleted_at, run_id, file_ids"
)
UPSERT_RECORD = f"""INSERT INTO records ({RECORD_COLUMNS})
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (address) DO UPDATE SET
        twenty_object = excluded.twenty_object, twenty_id = excluded.twenty_id,
        payload_digest = excluded.payload_digest, status = excluded.status,
        pre_image = excluded.pre_image, pre_image_updated_at = excluded.pre_image_updated_at,
        pre_image_deleted_at = excluded.pre_image_deleted_at, run_id = excluded.run_id,
        file_ids = excluded.file_ids
    WHERE records.twenty_object IS DISTINCT FROM excluded.twenty_object
        OR records.twenty_id IS DISTINCT FROM excluded.twenty_id
        OR records.payload_digest IS DISTINCT FROM excluded.payload_digest
        OR records.status IS DISTINCT FROM excluded.status
        OR records.pre_image IS DISTINCT FROM excluded.pre_image
        OR records.pre_image_updated_at IS DISTINCT FROM excluded.pre_image_updated_at
        OR records.pre_image_deleted_at IS DISTINCT FROM excluded.pre_image_deleted_at
        OR records.run_id IS DISTINCT FROM excluded.run_id
        OR records.file_ids IS DISTINCT FROM excluded.file_ids"""
DELETE_RECORD = "DELETE FROM records WHERE address = ?"
SELECT_RECORD = f"SELECT {RECORD_COLUMNS} FROM records WHERE address = ?"
SELECT_RECORDS_BY_SOURCE_KEY = (
    f"SELECT {RECORD_COLUMNS} FROM records WHERE source_key = ? ORDER BY address"
)
PAGE_RECORDS = f"SELECT {RECORD_COLUMNS} FROM records WHERE address > ? ORDER BY address LIMIT ?"
PAGE_RECORDS_OF_MAPPING = (
    f"SELECT {RECORD_COLUMNS} FROM records WHERE mapping = ? AND address > ? "
    "ORDER BY address LIMIT ?"
)
DIGEST_COLUMNS = "address, source_key, twenty_id, payload_digest, status"
PAGE_DIGESTS = f"SELECT {DIGEST_COLUMNS} FROM records WHERE address > ? ORDER BY address LIMIT ?"
PAGE_DIGESTS_OF_MAPPING = (
    f"SELECT {DIGEST_COLUMNS} FROM records WHERE mapping = ? AND address > ? "
    "ORDER BY address LIMIT ?"
)
COUNT_RECORDS = (
    "SELECT mapping, status, COUNT(*) FROM records GROUP BY mapping, status "
    "ORDER BY mapping, status"
)

# --- schema resources -------------------------------------------------------------------------
SCHEMA_COLUMNS = "address, kind, twenty_id, created_by_us, options_before, run_id"
UPSERT_SCHEMA = f"""INSERT INTO schema_resources ({SCHEMA_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (address) DO UPDATE SET
        kind = excluded.kind, twenty_id = excluded.twenty_id,
        created_by_us = excluded.created_by_us, options_before = excluded.options_before,
        run_id = excluded.run_id
    WHERE schema_resources.kind IS DISTINCT FROM excluded.kind
        OR schema_resources.twenty_id IS DISTINCT FROM excluded.twenty_id
        OR schema_resources.created_by_us IS DISTINCT FROM excluded.created_by_us
        OR schema_resources.options_before IS DISTINCT FROM excluded.options_before
        OR schema_resources.run_id IS DISTINCT FROM excluded.run_id"""
DELETE_SCHEMA = "DELETE FROM schema_resources WHERE address = ?"
SELECT_SCHEMA = f"SELECT {SCHEMA_COLUMNS} FROM schema_resources WHERE address = ?"
SELECT_ALL_SCHEMA = f"SELECT {SCHEMA_COLUMNS} FROM schema_resources ORDER BY address"

# --- cursors ----------------------------------------------------------------------------------
CURSOR_COLUMNS = "stream, cursor_field, initial_value, last_value, boundary_keys, updated_serial"
UPSERT_CURSOR = f"""INSERT INTO cursors ({CURSOR_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (stream) DO UPDATE SET
        cursor_field = excluded.cursor_field, last_value = excluded.last_value,
        boundary_keys = excluded.boundary_keys, updated_serial = excluded.updated_serial
    WHERE cursors.cursor_field IS DISTINCT FROM excluded.cursor_field
        OR cursors.last_value IS DISTINCT FROM excluded.last_value
        OR cursors.boundary_keys IS DISTINCT FROM excluded.boundary_keys"""
DELETE_CURSOR = "DELETE FROM cursors WHERE stream = ?"
SELECT_CURSOR = f"SELECT {CURSOR_COLUMNS} FROM cursors WHERE stream = ?"
SELECT_ALL_CURSORS = f"SELECT {CURSOR_COLUMNS} FROM cursors ORDER BY stream"

# --- runs -------------------------------------------------------------------------------------
RUN_COLUMNS = (
    "run_id, kind, plan_digest, started_at, finished_at, status, first_serial, last_serial, "
    "migrator_version"
)
INSERT_RUN = f"INSERT INTO runs ({RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
FINISH_RUN = "UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?"
TOUCH_RUN = "UPDATE runs SET last_serial = ? WHERE run_id = ?"
SELECT_RUN = f"SELECT {RUN_COLUMNS} FROM runs WHERE run_id = ?"
SELECT_ALL_RUNS = f"SELECT {RUN_COLUMNS} FROM runs ORDER BY first_serial, run_id"
PHASE_COLUMNS = "phase, source, written, merged, deduplicated, quarantined, held, skipped"
UPSERT_PHASE = f"""INSERT INTO run_phases (run_id, position, {PHASE_COLUMNS})
    VALUES (?, (SELECT COUNT(*) FROM run_phases WHERE run_id = ?), ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id, phase) DO UPDATE SET
        source = excluded.source, written = excluded.written, merged = excluded.merged,
        deduplicated = excluded.deduplicated, quarantined = excluded.quarantined,
        held = excluded.held, skipped = excluded.skipped
    WHERE run_phases.source IS DISTINCT FROM excluded.source
        OR run_phases.written IS DISTINCT FROM excluded.written
        OR run_phases.merged IS DISTINCT FROM excluded.merged
        OR run_phases.deduplicated IS DISTINCT FROM excluded.deduplicated
        OR run_phases.quarantined IS DISTINCT FROM excluded.quarantined
        OR run_phases.held IS DISTINCT FROM excluded.held
        OR run_phases.skipped IS DISTINCT FROM excluded.skipped"""
SELECT_PHASES = f"SELECT {PHASE_COLUMNS} FROM run_phases WHERE run_id = ? ORDER BY position"

# --- quarantine and holds ---------------------------------------------------------------------
QUARANTINE_COLUMNS = "address, mapping, source_key, code, reason, run_id"
UPSERT_QUARANTINE = f"""INSERT INTO quarantine ({QUARANTINE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (address) DO UPDATE SET
        code = excluded.code, reason = excluded.reason, run_id = excluded.run_id
    WHERE quarantine.code IS DISTINCT FROM excluded.code
        OR quarantine.reason IS DISTINCT FROM excluded.reason
        OR quarantine.run_id IS DISTINCT FROM excluded.run_id"""
DELETE_QUARANTINE = "DELETE FROM quarantine WHERE address = ?"
SELECT_QUARANTINE = f"SELECT {QUARANTINE_COLUMNS} FROM quarantine WHERE address = ?"
PAGE_QUARANTINE = (
    f"SELECT {QUARANTINE_COLUMNS} FROM quarantine WHERE address > ? ORDER BY address LIMIT ?"
)
PAGE_QUARANTINE_OF_MAPPING = (
    f"SELECT {QUARANTINE_COLUMNS} FROM quarantine WHERE mapping = ? AND address > ? "
    "ORDER BY address LIMIT ?"
)
HOLD_COLUMNS = "address, mapping, source_key, code, reason, blocked_by, owner_email_hash, run_id"
UPSERT_HOLD = f"""INSERT INTO holds ({HOLD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (address) DO UPDATE SET
        code = excluded.code, reason = excluded.reason, blocked_by = excluded.blocked_by,
        owner_email_hash = excluded.owner_email_hash, run_id = excluded.run_id
    WHERE holds.code IS DISTINCT FROM excluded.code
        OR holds.reason IS DISTINCT FROM excluded.reason
        OR holds.blocked_by IS DISTINCT FROM excluded.blocked_by
        OR holds.owner_email_hash IS DISTINCT FROM excluded.owner_email_hash
        OR holds.run_id IS DISTINCT FROM excluded.run_id"""
DELETE_HOLD = "DELETE FROM holds WHERE address = ?"
SELECT_HOLD = f"SELECT {HOLD_COLUMNS} FROM holds WHERE address = ?"
PAGE_HOLDS = f"SELECT {HOLD_COLUMNS} FROM holds WHERE address > ? ORDER BY address LIMIT ?"
PAGE_HOLDS_OF_MAPPING = (
    f"SELECT {HOLD_COLUMNS} FROM holds WHERE mapping = ? AND address > ? ORDER BY address LIMIT ?"
)
SELECT_OWNER_QUEUE = """SELECT blocked_by, owner_email_hash, code, COUNT(*) FROM holds
    WHERE code = 'owner_unresolved'
    GROUP BY blocked_by, owner_email_hash, code
    ORDER BY blocked_by, COALESCE(owner_email_hash, ''), code"""

# --- lock (local-only) ------------------------------------------------------------------------
LOCK_COLUMNS = "lock_id, who, pid, host, operation, since"
SELECT_LOCK = f"SELECT {LOCK_COLUMNS} FROM lock WHERE name = 'state'"
INSERT_LOCK = f"INSERT INTO lock (name, {LOCK_COLUMNS}) VALUES ('state', ?, ?, ?, ?, ?, ?)"
DELETE_LOCK = "DELETE FROM lock WHERE name = 'state' AND lock_id = ?"

# --- whole-state copy (``state migrate``) -----------------------------------------------------
#: The content tables in copy order, each with its columns (the key first, when it has a single
#: key column to page by; ``None`` for small tables read at once). ``meta`` is copied by upsert.
COPIED_TABLES: tuple[tuple[str, str, str | None], ...] = (
    ("schema_resources", SCHEMA_COLUMNS, "address"),
    ("records", RECORD_COLUMNS, "address"),
    ("cursors", CURSOR_COLUMNS, "stream"),
    ("runs", RUN_COLUMNS, "run_id"),
    ("run_phases", f"run_id, position, {PHASE_COLUMNS}", None),
    ("quarantine", QUARANTINE_COLUMNS, "address"),
    ("holds", HOLD_COLUMNS, "address"),
)


def copy_page_sql(table: str, columns: str, key: str | None) -> str:
    """One keyset page of ``table`` (parameters: last key, limit), or all of it when unkeyed."""
    if key is None:
        return f"SELECT {columns} FROM {table}"
    return f"SELECT {columns} FROM {table} WHERE {key} > ? ORDER BY {key} LIMIT ?"


def copy_insert_sql(table: str, columns: str) -> str:
    """The insert of one copied row of ``table``."""
    marks = ", ".join("?" for _ in columns.split(","))
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})"


def count_rows_sql(table: str) -> str:
    """How many rows ``table`` holds."""
    return f"SELECT COUNT(*) FROM {table}"
