"""Canonical JSON and digests: the same data gives the same bytes."""

from __future__ import annotations

import pydantic
import pytest

from migrator.model import FrozenModel, canonical_json, digest


class _Example(FrozenModel):
    name: str
    tags: tuple[str, ...] = ()


def test_canonical_json_is_sorted_and_stable() -> None:
    assert (
        canonical_json({"b": 1, "a": [1, {"d": 2, "c": "é"}]}) == '{"a":[1,{"c":"é","d":2}],"b":1}'
    )
    assert canonical_json({"a": 1}, indent=2) == '{\n  "a": 1\n}\n'
    assert digest({"a": 1, "b": 2}) == digest({"b": 2, "a": 1})
    assert digest({"a": 1}).startswith("sha256:")


def test_frozen_model_forbids_extra_keys_and_hides_input_values() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        _Example.model_validate({"name": "x", "secret": "943 476 5919"})
    assert "943 476 5919" not in str(caught.value)
    example = _Example(name="x")
    with pytest.raises(pydantic.ValidationError):
        example.name = "y"  # type: ignore[misc]
    assert canonical_json(example) == '{"name":"x","tags":[]}'
