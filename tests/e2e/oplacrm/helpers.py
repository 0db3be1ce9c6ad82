"""Lookups the OplaCRM row tests share: owners to members, accounts to companies, planned sets."""

from __future__ import annotations

from tests.e2e.project import AppliedExample, Record


def member_by_owner(opla: AppliedExample) -> dict[str, str]:
    """OplaCRM owner reference (a user's external_id) → Twenty workspace member id, by email."""
    members = {str(m["userEmail"]).lower(): str(m["id"]) for m in opla.records("workspaceMembers")}
    found: dict[str, str] = {}
    for user in opla.rows("users"):
        member = members.get(str(user["email"]).lower())
        if member:
            found[str(user["external_id"])] = member
    return found


def planned(opla: AppliedExample, mapping: str) -> set[str]:
    """Source ids of ``mapping`` written to Twenty (never quarantined or held by the plan)."""
    blocked = {e.source_key for e in opla.header.quarantine if e.mapping == mapping}
    blocked |= {e.source_key for e in opla.header.holds if e.mapping == mapping}
    written = opla.written_ids(mapping)
    assert not {k.rsplit(":", 1)[1] for k in blocked} & written
    return written


def written_rows(opla: AppliedExample, source_object: str, mapping: str) -> list[Record]:
    """The bundle rows of ``source_object`` that ``mapping`` wrote to Twenty."""
    return opla.written_rows(source_object, mapping)
