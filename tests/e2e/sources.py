"""Reading the example bundles' rows the way a reviewer would, independent of migrator's reader.

OplaCRM exports come in two shapes (sources.md U4, §5): the flat one the guide names
(``stage_name``, ``account_id``, ``stage_type``) and the nested one of the real API
(``opportunity_process_stage.opportunity_stage.name``, ``accounts_opportunities``,
``opportunity_status``). These helpers read either, so the tests state what each row should
become without trusting the code under test to normalise it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

Row = dict[str, Any]


def instant(value: str | None) -> datetime | None:
    """An ISO timestamp as an aware UTC datetime (``Z`` or an offset; ``None`` stays ``None``)."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def same_instant(stored: str | None, source: str | None) -> bool:
    """True when Twenty's timestamp is the source's instant (to the millisecond)."""
    left, right = instant(stored), instant(source)
    if left is None or right is None:
        return left is right
    return abs((left - right).total_seconds()) < 0.001


def stage_label(row: Row) -> str | None:
    """The opportunity's stage display label, flat or nested."""
    if row.get("stage_name"):
        return str(row["stage_name"])
    nested = (row.get("opportunity_process_stage") or {}).get("opportunity_stage") or {}
    name = nested.get("name")
    return str(name) if name else None


def opportunity_account(row: Row) -> str | None:
    """The opportunity's account id, flat or nested."""
    if row.get("account_id"):
        return str(row["account_id"])
    links = row.get("accounts_opportunities") or []
    return str(links[0]["account"]["id"]) if links else None


def opportunity_status(row: Row) -> str | None:
    """OPEN, WON or LOST, flat (``stage_type``) or nested (``opportunity_status``)."""
    value = row.get("stage_type") or row.get("opportunity_status")
    return str(value).upper() if value else None


def custom_value(row: Row, key: str, name: str | None = None) -> Any:
    """A custom field's value (its label for option fields), from ``custom_field_values``.

    Items name their field by ``key``, or (the API's nested shape) by the definition's display
    ``name`` under ``custom_field``.
    """
    for item in row.get("custom_field_values") or []:
        named = (item.get("custom_field") or {}).get("name")
        if item.get("key") == key or (name is not None and named == name):
            return item.get("value_label", item.get("value"))
    return None


def tag_list(value: Any) -> list[str]:
    """Tags as OplaCRM exports them: a label array, or one comma-delimited string."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(item) for item in value]


def rewrite_jsonl(data_dir: Path, source_object: str, rows: list[Row]) -> None:
    """Write ``rows`` as the bundle's ``<object>.jsonl`` and update the manifest's sha256."""
    path = data_dir / f"{source_object}.jsonl"
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    path.write_text(text, encoding="utf-8")
    manifest_path = data_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["name"] == path.name:
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
            entry["records"] = len(rows)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
