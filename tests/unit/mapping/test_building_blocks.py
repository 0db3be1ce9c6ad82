"""The mapper's building blocks on their own: paths, templates, transforms, types, digests, ids."""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
import pytest

from migrator.catalogue import FieldType
from migrator.identity import id_maker, twenty_id
from migrator.mapping import phones as fast_phones
from migrator.mapping.coerce import Invalid, coercer, sub_coercer
from migrator.mapping.context import Quarantine, RowContext
from migrator.mapping.digests import payload_digest
from migrator.mapping.paths import compile_where, key_text, record_getter
from migrator.mapping.render import compile_format, compile_template, instant_text
from migrator.mapping.targets import Spool
from migrator.mapping.transforms import StepEnv, compile_transforms, normalise_url
from migrator.model import digest
from migrator.sources.records import SourceRecord
from migrator.spec.transforms import (
    CaseTransform,
    DateTransform,
    FormatTransform,
    JoinTransform,
    PhoneTransform,
    PrefixTransform,
    SplitTransform,
    Transform,
)
from migrator.spec.values import Present
from migrator.validate.findings import error, fix, warn
from migrator.validate.phones import check_opla_phone, check_phone

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _record(fields: dict[str, Any], raw: dict[str, Any] | None = None) -> SourceRecord:
    return SourceRecord("oplacrm", "accounts", "1", MappingProxyType(fields),
                        MappingProxyType(raw or {}), 7)  # fmt: skip


def _ctx() -> RowContext:
    ctx = RowContext("companies")
    ctx.reset(_record({}), "1", "oplacrm:accounts:1", "record.companies[oplacrm:accounts:1]")
    return ctx


def test_paths_read_dots_indexes_custom_fields_and_raw() -> None:
    record = _record(
        {
            "name": "Acme",
            "phone": {"call_code": "+84"},
            "contact_ids": ["c1", "c2"],
            "custom_fields": {"quan": "Quận 1"},
            "lines": [{"items": [{"sku": "A"}]}],
        },
        raw={"legacy": {"code": 7}},
    )
    assert record_getter("name")(record) == "Acme"
    assert record_getter("phone.call_code")(record) == "+84"
    assert record_getter("contact_ids[1]")(record) == "c2"
    assert record_getter("contact_ids[5]")(record) is None
    assert record_getter("custom_fields.quan")(record) == "Quận 1"
    assert record_getter("lines[0].items[0].sku")(record) == "A"
    assert record_getter("raw.legacy.code")(record) == 7
    assert record_getter("name.first")(record) is None
    assert record_getter("missing.part")(record) is None


def test_key_text_compares_values_by_their_text() -> None:
    assert [key_text(v) for v in (7, Decimal("7.00"), 7.0, True, "7", None)] == [
        "7", "7", "7", "true", "7", None,
    ]  # fmt: skip
    assert key_text(Decimal("1.50")) == "1.5"


def test_where_conditions() -> None:
    matches = compile_where({"status": "GIVEN", "kind": ("A", "B"), "note": Present(present=True)})
    assert matches is not None
    assert matches(_record({"status": "GIVEN", "kind": "B", "note": "x"}))
    assert not matches(_record({"status": "GIVEN", "kind": "C", "note": "x"}))
    assert not matches(_record({"status": "GIVEN", "kind": "A", "note": "  "}))
    numeric = compile_where({"active": True, "count": 3})
    assert numeric is not None and numeric(_record({"active": True, "count": Decimal(3)}))
    assert compile_where({}) is None


def test_templates_render_text_and_give_nothing_when_every_part_is_empty() -> None:
    render = compile_template("{name} ({kin.relationship}) on {when}")
    moment = dt.datetime(2025, 1, 2, 10, 0, 0, 123456, tzinfo=dt.UTC)
    assert render(_record({"name": "Ann", "kin": {"relationship": "aunt"}, "when": moment})) == (
        "Ann (aunt) on 2025-01-02T10:00:00.123Z"
    )
    assert render(_record({"name": "Ann"})) == "Ann () on "
    assert render(_record({})) is None
    assert compile_format("{a}: {b}")({"a": Decimal("1E+3"), "b": False}) == "1000: false"


def _apply(transforms: list[Transform], value: Any, policy: str | None = None) -> Any:
    step = compile_transforms(tuple(transforms), StepEnv("field", policy, HCM))
    assert step is not None
    return step(value, _ctx())


def test_text_transforms_apply_to_each_list_element() -> None:
    assert _apply(["trim"], ["  a ", None, " b"]) == ["a", "b"]
    assert _apply(["transliterate"], ["Quận 1", "Đã ký hợp đồng"]) == ["QUAN_1", "DA_KY_HOP_DONG"]
    assert _apply([PrefixTransform(prefix="opla_")], "INV-1") == "opla_INV-1"
    assert _apply([CaseTransform(case="upper")], "abc") == "ABC"
    assert _apply([SplitTransform(split=","), "trim"], "a, b,, c ") == ["a", "b", "c"]
    assert _apply([JoinTransform(join="; ")], ["a", None, "b"]) == "a; b"
    assert _apply([FormatTransform(format="{n} x{q}")], [{"n": "A", "q": 2}, {"n": "B"}]) == [
        "A x2",
        "B x",
    ]


def test_number_micros_and_dates() -> None:
    assert _apply(["number"], Decimal("72.50")) == 72.5
    assert _apply(["number"], "12") == 12
    assert _apply(["micros"], Decimal("9405000")) == 9405000000000
    assert _apply(["micros"], "1.5") == 1500000
    instant = dt.datetime(2025, 3, 16, 18, 30, tzinfo=dt.UTC)
    assert _apply(["date"], instant) == dt.date(2025, 3, 17)  # Vietnam is UTC+7
    assert _apply([DateTransform(date="Europe/London")], instant) == dt.date(2025, 3, 16)
    with pytest.raises(Quarantine) as caught:
        _apply(["number"], "twelve")
    assert caught.value.code == "not_a_number"
    assert _apply(["number"], "twelve", policy="drop") is None


def test_emails_phones_and_urls() -> None:
    assert _apply(["emails"], "A@Example.COM, b@example.org") == {
        "primaryEmail": "a@example.com",
        "additionalEmails": ["b@example.org"],
    }
    assert _apply(["email"], "mailto:A@Example.COM") == "a@example.com"  # as Twenty stores it
    assert _apply(["emails"], "n/a") is None  # a placeholder: not loaded (with a finding)
    assert _apply([PhoneTransform(phone="GB")], "07700 900123") == {
        "primaryPhoneNumber": "7700900123",
        "primaryPhoneCountryCode": "GB",
        "primaryPhoneCallingCode": "+44",
    }
    opla = {"phone": "0984849251", "call_code": "+84", "country_code": "VN"}
    assert _apply([PhoneTransform(phone="VN")], [opla, "+441632960937"]) == {
        "primaryPhoneNumber": "984849251",
        "primaryPhoneCountryCode": "VN",
        "primaryPhoneCallingCode": "+84",
        "additionalPhones": [{"number": "1632960937", "countryCode": "GB", "callingCode": "+44"}],
    }
    assert normalise_url("Example.COM/") == "https://example.com"
    assert normalise_url("http://Acme.example/path?q=1") == "http://acme.example/path?q=1"
    assert normalise_url("not a host") is None


def test_values_become_the_json_each_field_type_takes() -> None:
    date_time = coercer(FieldType.DATE_TIME, (), HCM)
    assert date_time(dt.date(2026, 3, 17)) == "2026-03-16T17:00:00.000Z"
    assert date_time("2026-02-12T03:16:07.975000+00:00") == "2026-02-12T03:16:07.975Z"
    assert coercer(FieldType.DATE, (), HCM)(dt.datetime(2025, 3, 16, 18, 0, tzinfo=dt.UTC)) == (
        "2025-03-17"
    )
    assert coercer(FieldType.NUMBER, (), HCM)(Decimal("3")) == 3
    assert coercer(FieldType.BOOLEAN, (), HCM)("yes") is True
    assert coercer(FieldType.TEXT, (), HCM)(Decimal("1.50")) == "1.50"
    assert coercer(FieldType.ARRAY, (), HCM)("one") == ["one"]
    assert coercer(FieldType.RICH_TEXT, (), HCM)("**hi**") == {"markdown": "**hi**"}
    multi = coercer(FieldType.MULTI_SELECT, ("A", "B"), HCM)
    assert multi(["A", "B", "A"]) == ["A", "B"]
    with pytest.raises(Invalid):
        multi(["A", "C"])
    with pytest.raises(Invalid):
        coercer(FieldType.SELECT, ("A",), HCM)("Z")
    with pytest.raises(Invalid):
        coercer(FieldType.NUMBER, (), HCM)("n/a")
    assert sub_coercer(FieldType.CURRENCY, "amountMicros")(Decimal("1500000")) == 1500000
    assert sub_coercer(FieldType.CURRENCY, "currencyCode")("vnd") == "VND"
    assert sub_coercer(FieldType.ADDRESS, "addressCity")("") is None


def test_on_invalid_decides_what_an_issue_does() -> None:
    issues = (fix("f", "fixed"), warn("w", "warned"))
    ctx = _ctx()
    assert ctx.judge("nhs", None, "kept", issues, "raw") == "kept"
    assert [f.code for f in ctx.findings or ()] == ["w"]
    assert _ctx().judge("nhs", "warn", None, issues, "raw") == "raw"
    assert _ctx().judge("nhs", "drop", "kept", issues, "raw") is None
    with pytest.raises(Quarantine):
        _ctx().judge("nhs", "quarantine", "kept", issues, "raw")
    with pytest.raises(Quarantine) as caught:
        _ctx().judge("nhs", None, None, (error("nhs_check_digit", "wrong"),), "raw")
    assert caught.value.reason == "record.companies[oplacrm:accounts:1] field `nhs`: wrong"


def test_ids_are_those_of_the_identity_module() -> None:
    namespace = uuid.uuid5(uuid.NAMESPACE_DNS, "mapping")
    make = id_maker(namespace)
    for key in ("oplacrm:accounts:f03edca7-e2dc", "aeronaclinic:patients:100#child", "a:b:é ü"):
        assert make(key) == twenty_id(namespace, key)
    for number in range(2000):  # every variant nibble, many version bytes
        key = f"oplacrm:contacts:{number}"
        assert make(key) == twenty_id(namespace, key)


def test_instants_are_utc_with_truncated_milliseconds_and_z() -> None:
    rnd = random.Random(5)
    zones = [None, dt.UTC, dt.timezone(dt.timedelta(hours=7)), ZoneInfo("Europe/London")]
    for _ in range(2000):
        moment = dt.datetime(rnd.randint(2, 9998), rnd.randint(1, 12), rnd.randint(1, 28),
                             rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59),
                             rnd.randint(0, 999_999), tzinfo=rnd.choice(zones))  # fmt: skip
        utc = moment.astimezone(dt.UTC) if moment.tzinfo else moment
        expected = (
            f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
            f"{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
        )
        assert instant_text(moment) == expected
    assert instant_text(dt.datetime(5, 1, 2, 3, 4, 5, 999_999)) == "0005-01-02T03:04:05.999Z"


def _random_value(rnd: random.Random, depth: int = 0) -> Any:
    kind = rnd.randrange(9 if depth < 2 else 6)
    if kind == 0:
        return rnd.choice([None, True, False])
    if kind == 1:
        return rnd.randrange(-(2**70), 2**70) if rnd.random() < 0.1 else rnd.randrange(-999, 10**13)
    if kind == 2:
        return rnd.choice(
            [0.0, -0.0, 1e-5, 2.5e-7, 1e16, 3.2e21, math.pi * 10 ** rnd.randrange(-4, 16)]
        )
    if kind == 3:
        return rnd.uniform(-1e6, 1e6)
    if kind in (4, 5):
        return "".join(rnd.choice('aé\u0001"\\/\n\t\u2028😀z') for _ in range(rnd.randrange(6)))
    if kind in (6, 7):
        return {f"k{rnd.randrange(50)}": _random_value(rnd, depth + 1) for _ in range(3)}
    return [_random_value(rnd, depth + 1) for _ in range(3)]


def test_fast_digest_equals_the_canonical_digest() -> None:
    rnd = random.Random(8)
    for _ in range(3000):
        payload = {f"f{i}": _random_value(rnd) for i in range(rnd.randrange(1, 8))}
        assert payload_digest(payload) == digest(payload)
    assert payload_digest({"a": "b", "n": 3}, float_keys=()) == digest({"a": "b", "n": 3})
    tiny = {"a": 1e-7, "b": 2}
    assert payload_digest(tiny, float_keys=("a",)) == digest(tiny)


def test_fast_phone_checks_give_the_validators_outcomes() -> None:
    rnd = random.Random(3)
    codes = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    texts = ["+441632960937", "+84984849251", "+3531234567", "+390612345678", "+5491123456789",
             "+84984849251\n", "+8400984849251", "+84" + "9" * 17, "+8498"]  # fmt: skip
    kinds = [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE,
             phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.VOIP]  # fmt: skip
    for _ in range(3000):
        code = rnd.choice(codes)
        region = rnd.choice(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[code])
        example = phonenumbers.example_number_for_type(region, rnd.choice(kinds))
        digits = "".join(rnd.choice("0123456789") for _ in range(rnd.randint(4, 13)))
        national = str(example.national_number) if example and rnd.random() < 0.5 else digits
        if example and rnd.random() < 0.3:  # a valid number's first digits, then random ones
            national = national[: rnd.randint(1, 4)] + digits[: rnd.randint(3, 9)]
        texts.append(f"+{code}{national}")
    for text in texts:
        for region in ("GB", "VN"):
            assert fast_phones.check_phone(text, region) == check_phone.__wrapped__(text, region)
    objects = [
        {"phone": "0984849251", "call_code": "+84", "country_code": "VN"},
        {"phone": "984849251", "call_code": "84", "country_code": "GB"},
        {"phone": "12", "call_code": "+84"},
        {"phone": "0912 345 678"},
        {"phone": "abc", "call_code": "+84", "country_code": "VN"},
    ]
    for item in objects:
        assert fast_phones.check_opla_phone(item, "VN") == check_opla_phone(item, "VN")


def test_the_target_spool_gives_back_what_it_was_given() -> None:
    rows = [("abc", 0, "x", 1), ("a\tb", 1, "y", 2), ("[z", 2, "w\n", 3), ("é", 0, "", 4)]
    spool = Spool()
    for row in rows:
        spool.add(*row)
    assert list(spool) == rows
    assert list(spool) == rows  # read again from the start
    spool.close()
