"""Second-pass links: found while their records are planned, planned in their own phase.

A record whose mapping points at itself or defers a ref carries :class:`~migrator.mapping.model.
Link` values; the planner spools one :class:`LinkIntent` per link when it decides the record, and
:func:`plan_links` turns the spool of a ``link.<mapping>.<field>`` phase into changes once every
record phase is planned: the target is resolved by the mapper (a deduplicated target becomes its
winner, an unwritten one drops the link) and through the id map (a merged target is its existing
record), and the change is a partial upsert ``{id, <field>Id}`` — or nothing, when the state says
the record's links are already written as desired.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from migrator.mapping.model import Link
from migrator.model import Action
from migrator.plan.build import PlanBuilder
from migrator.plan.diff import Reason
from migrator.plan.model import RecordChange
from migrator.plan.payloads import link_payload, payload_digest


@dataclass(frozen=True, slots=True)
class LinkIntent:
    """One link of a planned record, waiting for its phase."""

    address: str
    mapping: str
    source_key: str
    twenty_object: str
    twenty_id: str
    existing_id: str | None
    field: str
    target_id: str
    target_address: str
    done: bool
    """The state already holds the record with these links written."""


def plan_links(
    phase: str,
    intents: Iterable[LinkIntent],
    *,
    resolve: Callable[[Link], Link | None],
    id_map: Mapping[str, str],
    blocked: set[str],
    builder: PlanBuilder,
) -> None:
    """Add the changes of one link phase to ``builder`` (see the module docstring)."""
    for intent in intents:
        link = resolve(Link(intent.field, intent.target_address, intent.target_id))
        if link is None or link.target_address in blocked:
            builder.warn(
                "link_target_not_written",
                intent.mapping,
                f"{phase}: links to records that will not be written are left out",
                [intent.address],
            )
            continue
        record_id = intent.existing_id or intent.twenty_id
        body = link_payload(record_id, link.field, link.target_id, id_map)
        change = RecordChange(
            address=intent.address,
            mapping=intent.mapping,
            source_key=intent.source_key,
            twenty_object=intent.twenty_object,
            twenty_id=intent.twenty_id,
            action=Action.NOOP if intent.done else Action.UPDATE,
            reason=Reason.LINK_UNCHANGED if intent.done else Reason.LINK,
            payload_digest=payload_digest(body),
            phase=phase,
            existing_id=intent.existing_id,
        )
        builder.add_change(change, counts_as="link", body=body)
