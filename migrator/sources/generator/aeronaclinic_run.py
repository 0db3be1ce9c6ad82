"""Running the AeronaClinic generator: size the practices from the record budget, then write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from migrator.sources.aeronaclinic_schema import AERONACLINIC_SCHEMA
from migrator.sources.generator.aeronaclinic import (
    CSV_EXTRA,
    AeronaState,
    header,
    write_lookups,
    write_practices,
    write_users,
)
from migrator.sources.generator.aeronaclinic_billing import (
    write_attachment,
    write_care_plan,
    write_invoice,
    write_recall,
)
from migrator.sources.generator.aeronaclinic_clinical import (
    write_appointment,
    write_chart_entry,
    write_history_and_consent,
    write_perio,
    write_treatment_plan,
)
from migrator.sources.generator.aeronaclinic_patients import write_patient
from migrator.sources.generator.randomness import Dirt, Rng
from migrator.sources.generator.writer import BundleWriter

#: Average records written per patient (all objects), used to size the practices.
RECORDS_PER_PATIENT = 19.7
DIRT_SEED_SALT = 0xC11C


def generate_aeronaclinic(
    out: Path,
    records: int,
    seed: int,
    with_csv: bool,
    dirty_rate: float,
    oversized: int | None,
) -> tuple[dict[str, Any], dict[str, int]]:
    """Write the bundle; return its manifest document and the dirt counts."""
    rng = Rng(seed)
    dirt = Dirt(Rng(seed ^ DIRT_SEED_SALT), dirty_rate)
    writer = BundleWriter(out, AERONACLINIC_SCHEMA, with_csv=with_csv, csv_extra=CSV_EXTRA)
    state = AeronaState(rng, dirt, writer)
    write_practices(state)
    write_users(state, max(10, records // 3000))
    write_lookups(state)
    patients = max(5, round((records - 80) / RECORDS_PER_PATIENT))
    first = None
    for index in range(patients):
        patient = write_patient(state)
        first = first or patient
        write_history_and_consent(state, patient)
        for _ in range(rng.between(1, 5)):
            write_appointment(state, patient)
        for _ in range(rng.between(0, 6)):
            write_chart_entry(state, patient)
        if rng.chance(0.35):
            write_perio(state, patient)
        if rng.chance(0.5):
            write_treatment_plan(state, patient)
        if patient.treatments:
            write_invoice(state, patient)
        if rng.chance(0.08):
            write_care_plan(state, patient)
        if rng.chance(0.9):
            write_recall(state, patient)
        if rng.chance(0.4) or index == 0:
            write_attachment(state, patient, largest=index == 0)
    if oversized is not None and first is not None:
        write_attachment(state, first, size=oversized)
        dirt.counts["attachment_oversized"] = 1
    head = header(seed, records)
    head["generator"] |= {"dirty_rate": dirty_rate, "csv": with_csv, "oversized": oversized}
    document = writer.close(head)
    return document, dirt.counts
