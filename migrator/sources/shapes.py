"""Accepting the real API shapes next to the proposed flat ones (sources.md §2.2, §5.2, U2, U4).

OplaCRM's public API nests the stage (``opportunity_process_stage.opportunity_stage.name``), the
account (``accounts_opportunities[0].account.id``), the contacts (``opportunities_contacts``) and
a lead's owner (``owner.external_id``); the proposed export flattens them. A shaper rewrites a
decoded record in place so both shapes read the same way. The nested originals stay in the
record and so end up under ``raw``. Shapers never overwrite a flat value already present.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Shaper = Callable[[dict[str, Any]], None]

#: Stage codes that close an opportunity, and the stage type each implies.
TERMINAL_STAGE_TYPES: dict[str, str] = {"CLOSE_WON": "WON", "CLOSE_LOST": "LOST"}

_STATUS_TO_TYPE = {
    "won": "WON",
    "win": "WON",
    "lost": "LOST",
    "lose": "LOST",
    "open": "OPEN",
    "in_progress": "OPEN",
}


def _get(node: Any, *path: str | int) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(node, list) or len(node) <= step:
                return None
            node = node[step]
        else:
            if not isinstance(node, dict):
                return None
            node = node.get(step)
    return node


def _set_missing(data: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and data.get(key) is None:
        data[key] = value


def _stage_type(data: Mapping[str, Any], stage: Any) -> Any:
    explicit = _get(stage, "stage_type") or _get(stage, "type")
    if isinstance(explicit, str):
        return explicit.upper()
    status = data.get("opportunity_status")
    if isinstance(status, dict):
        status = status.get("code") or status.get("name")
    if isinstance(status, str):
        return _STATUS_TO_TYPE.get(status.strip().lower())
    return None


def shape_opportunity(data: dict[str, Any]) -> None:
    """Flatten the nested stage, account and contacts of an API-shaped opportunity."""
    _set_missing(data, "account_id", _get(data, "accounts_opportunities", 0, "account", "id"))
    links = data.get("opportunities_contacts")
    if isinstance(links, list) and data.get("contact_ids") is None:
        ids = [_get(item, "contact", "id") or _get(item, "contact_id") for item in links]
        data["contact_ids"] = [i for i in ids if isinstance(i, str)]
    process = data.get("opportunity_process")
    _set_missing(
        data, "sale_process_id", _get(process, "id") if isinstance(process, dict) else None
    )
    nested = data.get("opportunity_process_stage")
    if isinstance(nested, dict):
        stage = nested.get("opportunity_stage")
        _set_missing(data, "stage_name", _get(stage, "name"))
        _set_missing(data, "sale_process_stage", _get(stage, "code"))
        _set_missing(data, "stage_id", data.get("opportunity_process_stage_id") or nested.get("id"))
        _set_missing(data, "stage_probability", _get(stage, "probability"))
        if data.get("stage_type") is None:
            data["stage_type"] = _stage_type(data, stage)
    if data.get("stage_type") is None:
        code = data.get("sale_process_stage")
        if isinstance(code, str) and code in TERMINAL_STAGE_TYPES:
            data["stage_type"] = TERMINAL_STAGE_TYPES[code]
    _set_missing(data, "stage_id", data.get("opportunity_process_stage_id"))


def shape_lead(data: dict[str, Any]) -> None:
    """A lead's owner comes as ``owner: {full_name, external_id}``; expose ``owner_id``."""
    _set_missing(data, "owner_id", _get(data, "owner", "external_id"))


def shape_contact(data: dict[str, Any]) -> None:
    """Contacts from the API name their account only by ``account_external_id``; nothing to do
    beyond trimming a stray ``account`` object into ``account_id``."""
    _set_missing(data, "account_id", _get(data, "account", "id"))


SHAPERS: dict[tuple[str, str], Shaper] = {
    ("oplacrm", "opportunities"): shape_opportunity,
    ("oplacrm", "leads"): shape_lead,
    ("oplacrm", "contacts"): shape_contact,
}
