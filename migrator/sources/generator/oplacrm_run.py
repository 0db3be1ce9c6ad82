"""Running the OplaCRM generator: size the tenant from the record budget, then write it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from migrator.sources.generator.content import large_file
from migrator.sources.generator.oplacrm import (
    CSV_EXTRA,
    CUSTOM_FIELDS,
    RECORDS_PER_ACCOUNT,
    OplaState,
    header,
    write_custom_field_definitions,
    write_products,
    write_users,
)
from migrator.sources.generator.oplacrm_accounts import write_account, write_contact, write_lead
from migrator.sources.generator.oplacrm_deals import write_opportunities
from migrator.sources.generator.oplacrm_engagement import (
    write_activity,
    write_attachment,
    write_inventory,
    write_note,
)
from migrator.sources.generator.randomness import Dirt, Rng, cumulative
from migrator.sources.generator.writer import BundleWriter
from migrator.sources.oplacrm_schema import OPLACRM_SCHEMA

_CONTACT_COUNTS = cumulative((0.15, 0.2, 0.3, 0.2, 0.15))
DIRT_SEED_SALT = 0x5EED


def generate_oplacrm(
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
    writer = BundleWriter(out, OPLACRM_SCHEMA, with_csv=with_csv, csv_extra=CSV_EXTRA)
    state = OplaState(rng, dirt, writer)
    scale = records // 100_000
    users, products = max(6, records // 4000), max(8, records // 2000)
    write_users(state, users)
    write_custom_field_definitions(state)
    write_products(state, products)
    fixed = users + len(CUSTOM_FIELDS) + products + 12 + 3 * scale
    accounts = max(3, round((records - fixed) / RECORDS_PER_ACCOUNT))
    first = None
    for index in range(1, accounts + 1):
        account = write_account(state, index)
        first = first or account
        for _ in range(rng.weighted((1, 2, 3, 4, 5), _CONTACT_COUNTS)):
            write_contact(state, account)
        write_opportunities(state, account)
        if rng.chance(0.5):
            write_lead(state, account)
        for _ in range(rng.between(3, 9)):
            write_activity(state, account)
        note = ""
        for _ in range(rng.between(1, 2)):
            note = write_note(state, account)
        if rng.chance(0.15) or index == 1:
            write_attachment(state, account, note if rng.chance(0.5) else None, largest=index == 1)
    write_inventory(state, scale)
    if oversized is not None and first is not None:
        write_attachment(state, first, None, large_file(rng, "pdf", oversized))
        dirt.counts["attachment_oversized"] = 1
    head = header(state, records, seed)
    head["generator"] |= {"dirty_rate": dirty_rate, "csv": with_csv, "oversized": oversized}
    document = writer.close(head)
    return document, dirt.counts
