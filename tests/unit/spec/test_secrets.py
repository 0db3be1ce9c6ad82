"""Literal secrets in a spec are found wherever they are, and never echoed."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.spec.loader import load_yaml
from migrator.spec.secrets import find_literal_secrets, looks_like_token

JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ3b3Jrc3BhY2UifQ.c2lnbmF0dXJlLXBhcnQ"


def _scan(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> list[str]:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    document = load_yaml(path, environ=environ or {}, display_path="spec.yaml")
    return [d.render() for d in find_literal_secrets(document)]


def test_a_jwt_anywhere_is_an_error_at_its_position_without_the_value(tmp_path: Path) -> None:
    found = _scan(tmp_path, f"a:\n  b: [ok, {JWT}]\n")
    assert found == [
        "spec.yaml:2:11: error: this value looks like an API key (a JWT): a spec must never hold "
        "secrets (hint: put the key in the environment variable named by "
        "`destination.api_key_env`)"
    ]
    assert JWT not in found[0]


def test_a_key_interpolated_from_the_environment_is_caught_too(tmp_path: Path) -> None:
    found = _scan(tmp_path, "key: ${TWENTY_API_KEY}\n", {"TWENTY_API_KEY": JWT})
    assert len(found) == 1 and JWT not in found[0]


@pytest.mark.parametrize(
    "text",
    [
        "sk_live_9fK2mQ7xL1pR8vT3wY6zB4nC0dH5jG2a",
        "token=Xk3m9QpL7vR2tY8wZ4nB6cD1fG5hJ0sA and more",
    ],
)
def test_long_random_tokens_look_like_secrets(text: str) -> None:
    assert looks_like_token(text)


@pytest.mark.parametrize(
    "text",
    [
        "6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b",
        "a" * 64,
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "./data/aerona-export-12-20251002T101500Z/attachments/ab/abcdef.pdf",
        "GDPR_DATA_PROCESSING_AND_RETENTION_CONSENT_GIVEN",
        "oplaJointOpportunityIdentifierForCoSellingGroups",
        "Payment_Status__c. Overdue is not stored by AeronaClinic",
    ],
)
def test_ids_hashes_paths_names_and_prose_are_not_secrets(text: str) -> None:
    assert not looks_like_token(text)
