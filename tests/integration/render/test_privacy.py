"""No patient data and no API key in anything a plan of the AeronaClinic example produces.

Every NHS number, SDS number, date of birth, patient name, email, phone number, postcode and
clinical text of ``examples/aeronaclinic/data`` (read here with plain JSON, not migrator's
reader, in the forms a leak could take: spaced NHS numbers, E.164 phones, postcodes without
their space) is searched for in the text, Markdown and JSON views, the decompressed plan file,
every log record of planning, and the output and ``-vv`` log of ``migrator plan`` run as a user
would run it. A value that also appears in non-clinical data (practice and staff records,
lookups) or in the spec itself is not patient data and is left out of the search.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import phonenumbers
import pytest

from tests.conftest import REPO_ROOT
from tests.integration.render.examples import FAKE_API_KEY, example_plan, needs_mapper

EXAMPLE = REPO_ROOT / "examples" / "aeronaclinic"
DATA = EXAMPLE / "data"
NON_CLINICAL = (
    "practices",
    "users",
    "appointment_types",
    "appointment_statuses",
    "recall_rules",
    "reminder_rules",
    "payment_integrations",
)
_WORD = re.compile(r"\w{3,}")


def _rows(source_object: str) -> Iterator[dict[str, Any]]:
    with (DATA / f"{source_object}.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def public_text() -> str:
    """Everything that is not patient data: non-clinical records and the spec."""
    parts = [(EXAMPLE / "migration.yaml").read_text(encoding="utf-8")]
    for source_object in NON_CLINICAL:
        for row in _rows(source_object):
            parts.extend(_strings(row))
    return "\n".join(parts)


def _phones(value: str) -> set[str]:
    found = {value}
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return found
    found.add(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    found.add(str(number.national_number))
    return found


def _patient_values(patient: dict[str, Any]) -> dict[str, set[str]]:
    kin = patient.get("nextOfKin") or {}
    found: dict[str, set[str]] = {k: set() for k in ("nhs", "sds", "dob", "name", "email")}
    found |= {"phone": set(), "postcode": set()}
    if (nhs := patient.get("nhsNumber")) and len(set(nhs)) > 1:  # not a placeholder 0000000000
        found["nhs"] |= {nhs, f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"}
    if sds := patient.get("sdsNumber"):
        found["sds"].add(sds)
    if birth := patient.get("dateOfBirth"):
        year, month, day = birth.split("-")
        found["dob"] |= {birth, f"{day}/{month}/{year}"}
    for key in ("forename", "middleNames", "surname", "preferredName"):
        found["name"] |= set(_WORD.findall(patient.get(key) or ""))
    found["name"] |= set(_WORD.findall(kin.get("name") or ""))
    if "@" in (email := patient.get("email") or ""):
        found["email"] |= {email, email.lower()}
    for phone in (patient.get(k) for k in ("mobilePhone", "homePhone", "workPhone")):
        if phone and sum(ch.isdigit() for ch in phone) >= 7:
            found["phone"] |= _phones(phone)
    if kin.get("phone"):
        found["phone"] |= _phones(kin["phone"])
    if postcode := patient.get("postcode"):
        found["postcode"] |= {postcode, postcode.replace(" ", "")}
    return found


def _clinical_texts() -> set[str]:
    """Clinical note, alert and history texts, line by line (a view escapes line breaks)."""
    texts: set[str] = set()
    sources = (
        ("clinical_notes", "text"),
        ("medical_alerts", "text"),
        ("medical_histories", "notes"),
    )
    for source_object, key in sources:
        for row in _rows(source_object):
            for line in (row.get(key) or "").splitlines():
                if len(line.strip()) >= 12:
                    texts.add(line.strip())
    return texts


def sensitive_values() -> dict[str, set[str]]:
    """Patient values by kind, less anything that also appears in public text."""
    found: dict[str, set[str]] = {}
    for patient in _rows("patients"):
        for kind, values in _patient_values(patient).items():
            found.setdefault(kind, set()).update(values)
    found["clinical text"] = _clinical_texts()
    public = public_text()
    public_words = set(_WORD.findall(public))
    found["name"] -= public_words
    return {kind: {v for v in values if v not in public} for kind, values in found.items()}


def leaks(text: str, values: dict[str, set[str]]) -> list[str]:
    """``kind: value`` for every value found in ``text`` (names as whole words)."""
    found = []
    words = set(_WORD.findall(text))
    for kind, candidates in values.items():
        for value in sorted(candidates):
            hit = value in words if kind == "name" else value in text
            if hit:
                found.append(f"{kind}: {value}")
    return found


def test_the_search_finds_every_kind_of_value_it_looks_for() -> None:
    values = sensitive_values()
    for kind in ("nhs", "dob", "name", "email", "phone", "postcode", "clinical text"):
        assert len(values[kind]) >= 5, kind
    assert values["sds"]  # the example has one patient with an SDS number
    planted = " ".join(sorted(next(iter(values[kind])) for kind in values))
    assert len(leaks(planted, values)) >= len(values)
    assert leaks("nothing here but record.patients[aeronaclinic:patients:100000]", values) == []


@needs_mapper
def test_no_patient_value_or_api_key_in_any_view_plan_file_or_log() -> None:
    example = example_plan("aeronaclinic")
    values = sensitive_values()
    outputs = {**example.views, "plan file": example.plan_file_text, "log": example.logs}
    for where, text in outputs.items():
        assert leaks(text, values) == [], where
        assert FAKE_API_KEY not in text, where
        assert example.sandbox_api_key not in text, where


@needs_mapper
@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_no_patient_value_or_api_key_in_migrator_plan_output_or_verbose_log(
    tmp_path: Path, fmt: str
) -> None:
    project = tmp_path / "aeronaclinic"
    # Only what the repository holds: a local run's .migrator/ (sandbox, state) stays behind.
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".migrator", "*.plan"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIGRATOR_", "TWENTY_"))}
    env["TWENTY_API_KEY"] = FAKE_API_KEY
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "migrator",
            "-vv",
            "plan",
            "migration.yaml",
            "-o",
            "p.plan",
            "--format",
            fmt,
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    values = sensitive_values()
    plan_text = gzip.decompress((project / "p.plan").read_bytes()).decode("utf-8")
    logs = "".join(p.read_text(errors="replace") for p in project.rglob("*.log"))
    for where, text in {
        "stdout": run.stdout,
        "stderr": run.stderr,
        "plan": plan_text,
        "log files": logs,
    }.items():
        assert leaks(text, values) == [], where
        assert FAKE_API_KEY not in text, where
    assert "DEBUG" in run.stderr


def test_no_patient_value_or_api_key_in_committed_snapshots_or_plans() -> None:
    """What is committed (view snapshots, plans/*.md) is reviewed in public: it holds none."""
    values = sensitive_values()
    committed = [
        *(REPO_ROOT / "tests" / "unit" / "render" / "__snapshots__").rglob("*.*"),
        *(REPO_ROOT / "tests" / "integration" / "render" / "__snapshots__").rglob("*.*"),
        *(REPO_ROOT / "plans").glob("*.md"),
    ]
    assert committed
    for path in committed:
        text = path.read_text(encoding="utf-8")
        assert leaks(text, values) == [], path
        assert FAKE_API_KEY not in text, path
