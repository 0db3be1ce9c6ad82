"""Canonical JSON and digests: the same data gives the same bytes."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pydantic
import pytest

from migrator.model import Action, FrozenModel, canonical_json, digest, fast_init, trusted_model


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


@fast_init
@dataclasses.dataclass(frozen=True, slots=True)
class Point:
    """A fast-init dataclass (module level, so that it pickles)."""

    x: int
    y: int = 2
    tags: tuple[str, ...] = ()


def test_fast_init_keeps_the_dataclass_signature_defaults_and_frozenness() -> None:
    assert Point(1) == Point(x=1, y=2, tags=())
    assert Point(1, 3, ("a",)).tags == ("a",)
    assert dataclasses.replace(Point(1), y=5) == Point(1, 5)
    assert pickle.loads(pickle.dumps(Point(4, 5))) == Point(4, 5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        Point(1).x = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, z=3)  # type: ignore[call-arg]


def test_fast_init_refuses_default_factories() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Bag:
        items: list[int] = dataclasses.field(default_factory=list)

    with pytest.raises(TypeError):
        fast_init(Bag)


class Change(FrozenModel):
    """A model of the shape trusted_model builds on the hot path."""

    address: str
    action: Action
    existing_id: str | None = None
    tags: tuple[str, ...] = ()


def test_trusted_model_equals_the_validated_model() -> None:
    values: dict[str, Any] = {
        "address": "record.a[x]",
        "action": Action.CREATE,
        "existing_id": None,
        "tags": ("t",),
    }
    trusted = trusted_model(Change, dict(values))
    validated = Change(**values)
    assert trusted == validated
    assert repr(trusted) == repr(validated)
    assert trusted.model_dump(mode="json") == validated.model_dump(mode="json")
    assert trusted.model_fields_set == validated.model_fields_set
    assert trusted.model_copy(update={"tags": ()}) == Change(**{**values, "tags": ()})
    assert canonical_json(trusted) == canonical_json(validated)
    with pytest.raises(pydantic.ValidationError):
        trusted.address = "other"  # type: ignore[misc]
