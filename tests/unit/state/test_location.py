"""Where a state lives: ``--state`` arguments, the spec's ``state`` section, and secrets kept out.

A spec's DSN never holds a password (the spec is embedded in every plan); a ``--state`` URI may
(it is the user's own command line) but no message or location shows it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

from migrator.errors import StateError, UsageError
from migrator.spec.loader import load_yaml
from migrator.spec.models import MigrationSpec
from migrator.spec.validation import check_document
from migrator.state.location import (
    PostgresLocation,
    SqliteLocation,
    open_state,
    parse_state_location,
    state_location_for_spec,
)
from migrator.state.postgres import redacted_location
from tests.conftest import DATA_DIR

BASE_SPEC = (DATA_DIR / "specs" / "valid" / "base.yaml").read_text(encoding="utf-8")
PASSWORD = "s3cr3t-Pa55"


def test_a_path_is_a_file_state_and_a_uri_a_postgres_schema() -> None:
    assert parse_state_location("x/y.state.db") == SqliteLocation(path=Path("x/y.state.db"))
    uri = f"postgresql://ana:{PASSWORD}@db.example.com:5433/crm?sslmode=require&schema=crm_prod"
    location = parse_state_location(uri)
    assert isinstance(location, PostgresLocation)
    assert location.schema_name == "crm_prod"
    assert location.dsn.get_secret_value() == (
        f"postgresql://ana:{PASSWORD}@db.example.com:5433/crm?sslmode=require"
    )
    shown = location.display()
    assert shown == "postgresql://ana@db.example.com:5433/crm?schema=crm_prod&sslmode=require"
    assert PASSWORD not in shown
    assert PASSWORD not in repr(location)
    assert parse_state_location(shown).display() == shown  # the display is a --state again


def test_a_keyword_dsn_is_shown_as_a_uri_without_its_password() -> None:
    shown = redacted_location(f"host=10.0.0.5 port=5432 user=ci password={PASSWORD}", "s")
    assert shown == "postgresql://ci@10.0.0.5:5432/?schema=s"
    socket = redacted_location("host=/var/run/postgresql dbname=crm", "s")
    assert socket == "postgresql:///crm?host=/var/run/postgresql&schema=s"


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("postgres://h/db", "needs exactly one ?schema=NAME"),
        ("postgresql://h/db?schema=a&schema=b", "needs exactly one ?schema=NAME"),
        ("postgresql://h/db?schema=Crm-Prod", "is not a usable PostgreSQL schema name"),
    ],
)
def test_a_uri_without_one_good_schema_is_refused(uri: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        parse_state_location(uri)


def spec(state: dict[str, Any] | None) -> MigrationSpec:
    data: dict[str, Any] = {
        "version": 1,
        "name": "oplacrm-to-twenty",
        "source": {"system": "oplacrm", "bundle": "./data", "timezone": "UTC", "currency": "VND"},
        "destination": {"url": "sandbox:db.sqlite"},
        "provenance": {"created_by": "test"},
    }
    if state is not None:
        data["state"] = state
    return MigrationSpec.model_validate(data)


def test_the_spec_locates_a_file_or_a_schema(tmp_path: Path) -> None:
    spec_path = tmp_path / "project" / "migration.yaml"

    def where(state: dict[str, Any] | None) -> Any:
        chosen = spec(state)
        return state_location_for_spec(chosen.state, spec_path=spec_path, name=chosen.name)

    assert where(None) == SqliteLocation(
        path=tmp_path / "project" / ".migrator" / "oplacrm-to-twenty.state.db"
    )
    assert where({"path": "state/prod.db"}).path == tmp_path / "project" / "state" / "prod.db"
    pg = where({"backend": "postgres", "dsn": "postgresql://ci@db/crm"})
    assert (pg.schema_name, pg.dsn.get_secret_value()) == (
        "oplacrm_to_twenty",
        "postgresql://ci@db/crm",
    )
    named = where({"backend": "postgres", "dsn": "host=db dbname=crm", "schema": "crm_prod"})
    assert named.schema_name == "crm_prod"


def diagnostics_of(tmp_path: Path, state_yaml: str, environ: dict[str, str]) -> list[str]:
    path = tmp_path / "migration.yaml"
    path.write_text(BASE_SPEC + "\n" + state_yaml, encoding="utf-8")
    document = load_yaml(path, environ=environ)
    _, diagnostics = check_document(document)
    return [f"{d.location.line}: {d.message} | {d.hint}" for d in diagnostics.errors]


@pytest.mark.parametrize(
    "dsn",
    [
        f"postgresql://ci:{PASSWORD}@db.example.com/crm",
        f"postgres://db.example.com/crm?sslmode=require&password={PASSWORD}",
        f"host=db.example.com dbname=crm password={PASSWORD}",
    ],
)
def test_a_dsn_with_a_password_is_a_secret_in_the_spec(tmp_path: Path, dsn: str) -> None:
    literal = diagnostics_of(tmp_path, f'state: {{backend: postgres, dsn: "{dsn}"}}\n', {})
    from_env = diagnostics_of(
        tmp_path,
        "state: {backend: postgres, dsn: '${MIGRATOR_STATE_DSN}'}\n",
        {"MIGRATOR_STATE_DSN": dsn},
    )
    for found in (literal, from_env):
        assert len(found) == 1, found
        assert "the state DSN holds a password: a spec must never hold secrets" in found[0]
        assert "PGPASSWORD or a .pgpass file" in found[0]
        assert PASSWORD not in found[0]


def test_a_dsn_without_a_password_is_fine(tmp_path: Path) -> None:
    state = "state: {backend: postgres, dsn: '${MIGRATOR_STATE_DSN}', schema: crm_prod}\n"
    environ = {"MIGRATOR_STATE_DSN": "postgresql://migrator@db.example.com:5432/crm"}
    assert diagnostics_of(tmp_path, state, environ) == []


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("{backend: postgres}", "`backend: postgres` needs `dsn`"),
        ("{backend: postgres, dsn: 'host=db', path: x.db}", "`path` is for `backend: sqlite`"),
        ("{dsn: 'host=db'}", "`dsn` and `schema` need `backend: postgres`"),
        ("{schema: crm}", "`dsn` and `schema` need `backend: postgres`"),
        ("{backend: postgres, dsn: 'host=db', schema: Crm}", "`state.schema` must be"),
        ("{backend: mysql}", "`state.backend` must be one of 'sqlite' or 'postgres'"),
    ],
)
def test_state_keys_must_fit_the_backend(tmp_path: Path, state: str, message: str) -> None:
    found = diagnostics_of(tmp_path, f"state: {state}\n", {})
    assert any(message in line for line in found), found


def test_without_the_postgres_extra_a_postgres_state_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "migrator.state.postgres", None)  # as if psycopg were absent
    location = parse_state_location("postgresql://ci@db.example.com/crm?schema=crm")
    with pytest.raises(StateError, match="needs psycopg, which is not installed") as caught:
        open_state(location)
    assert caught.value.hint == "pip install 'twenty-migrator[postgres]'"
    assert location.display() == "postgresql://(DSN not shown)?schema=crm"
