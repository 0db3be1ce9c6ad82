"""The four pre-flight commands end to end through the CLI, on both examples, and the privacy
guarantee: no patient value of the AeronaClinic bundle appears in any of their outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from migrator.cli import main
from migrator.validate.emails import PLACEHOLDERS
from migrator.validate.nhs import check_nhs_number
from tests.integration.preflight.workspace import make_example, read_objects

SYSTEMS = ("oplacrm", "aeronaclinic")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    code = exited.value.code
    assert isinstance(code, int)
    return code, capsys.readouterr().out


@pytest.mark.parametrize("system", SYSTEMS)
def test_init_validate_audit_inventory_report(
    system: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the example's workspace-members.json invites its fallback owner (the practice manager)
    spec, _ = make_example(tmp_path / "clean", system, records=400, seed=6)
    code, out = _run(
        [
            "init",
            "--source",
            system,
            str(tmp_path / "clean" / "data"),
            "-o",
            str(tmp_path / "proposed.yaml"),
        ],
        capsys,
    )
    assert code == 0 and "custom fields proposed" in out
    assert _run(["validate", str(tmp_path / "proposed.yaml")], capsys)[0] == 0
    code, out = _run(["audit", str(spec)], capsys)
    assert code == 0, out
    assert "Destination sandbox:" in out and "checked with" in out
    code, out = _run(
        ["audit", str(tmp_path / "proposed.yaml"), "--offline", "--format", "json"], capsys
    )
    assert code == 0 and json.loads(out)["exit_code"] == 0
    code, out = _run(["inventory", str(spec)], capsys)
    assert code == 0 and out.startswith("# Rebuild inventory")
    code, out = _run(["inventory", str(spec), "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["items"]
    code, out = _run(["report", str(spec)], capsys)
    assert code == 0 and out.startswith("# Hand-off report") and "No state yet" in out
    code, out = _run(
        ["report", str(spec), "--format", "json", "-o", str(tmp_path / "r.json")], capsys
    )
    assert code == 0 and json.loads((tmp_path / "r.json").read_text())["spec_name"]
    assert (tmp_path / "r.json").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("system", SYSTEMS)
def test_audit_gates_ci_on_dirty_data(
    system: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, _ = make_example(tmp_path, system, records=400, seed=6, dirty_rate=0.1)
    code, out = _run(["audit", str(spec), "--offline", "--format", "json"], capsys)
    document = json.loads(out)
    assert code == 1 == document["exit_code"]
    assert document["summary"]["records_quarantined"] > 0
    code, out = _run(["audit", str(spec), "--offline"], capsys)
    assert code == 1 and "ERRORS: these records would be quarantined" in out


def _patient_values(bundle: Path) -> set[str]:
    values: set[str] = set()
    for row in read_objects(bundle, "patients"):
        for key in (
            "forename",
            "surname",
            "middleNames",
            "preferredName",
            "email",
            "postcode",
            "dateOfBirth",
            "mobilePhone",
            "homePhone",
            "workPhone",
        ):
            if isinstance(row.get(key), str) and len(row[key]) >= 4:
                values.add(row[key])
        if isinstance(row.get("nhsNumber"), str) and row["nhsNumber"]:
            values.add(row["nhsNumber"])
            found = check_nhs_number(row["nhsNumber"]).value
            if found is not None:
                values.add(found.digits)
    for name, key in (
        ("clinical_notes", "text"),
        ("medical_alerts", "text"),
        ("appointments", "appointmentNotes"),
    ):
        for row in read_objects(bundle, name):
            if isinstance(row.get(key), str) and len(row[key]) >= 8:
                values.add(row[key].strip()[:40])
    return {v for v in values if v.strip().lower() not in PLACEHOLDERS}


def test_no_patient_value_in_any_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec, _ = make_example(tmp_path, "aeronaclinic", records=600, seed=13, dirty_rate=0.2)
    secrets = _patient_values(tmp_path / "data")
    assert len(secrets) > 100
    outputs: dict[str, str] = {}
    for argv in (
        ["audit", str(spec), "--format", "text"],
        ["audit", str(spec), "--format", "json"],
        ["inventory", str(spec)],
        ["inventory", str(spec), "--format", "json"],
        ["report", str(spec)],
        ["report", str(spec), "--format", "json"],
        ["init", "--source", "aeronaclinic", str(tmp_path / "data")],
    ):
        outputs[" ".join(argv[:3])] = _run(argv, capsys)[1]
    leaks: list[tuple[str, Any]] = [
        (where, value) for where, text in outputs.items() for value in secrets if value in text
    ]
    assert not leaks, leaks[:5]
