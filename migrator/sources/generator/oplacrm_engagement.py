"""Synthetic OplaCRM engagement history, documents and the rebuild-inventory inputs.

Activities (calls, emails, meetings, tasks) and notes keep their original timestamps and link
to the account and, often, a contact and an opportunity. Documents are small synthetic files.
Automations, sequences and gamification are written only to be inventoried. Dirt kinds:
``activity_orphan_contact``, ``attachment_mime_mismatch``, ``note_control_characters``, and the
on-demand oversized attachment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from migrator.sources.generator.content import mime_type, small_file
from migrator.sources.generator.names import VN_ACTIVITY_SUBJECTS, VN_NOTE_LINES
from migrator.sources.generator.oplacrm import OplaState
from migrator.sources.generator.oplacrm_accounts import AccountCtx, timestamp
from migrator.sources.generator.randomness import cumulative, iso_z

_TYPES = ("CALL", "EMAIL", "MEETING", "TASK")
_TYPE_WEIGHTS = cumulative((0.35, 0.3, 0.15, 0.2))
_STATUS_WEIGHTS = cumulative((0.7, 0.25, 0.05))


def write_activity(state: OplaState, account: AccountCtx) -> None:
    """One call, email, meeting or task."""
    rng, dirt = state.rng, state.dirt
    kind = rng.weighted(_TYPES, _TYPE_WEIGHTS)
    status = rng.weighted(("DONE", "OPEN", "CANCELLED"), _STATUS_WEIGHTS)
    created = rng.moment(after=account.created, days=500)
    due = created + dt.timedelta(hours=rng.between(1, 24 * 14))
    record: dict[str, Any] = {
        "id": rng.uuid(),
        "type": kind,
        "subject": rng.pick(VN_ACTIVITY_SUBJECTS),
        "body": rng.pick(VN_NOTE_LINES) if kind != "CALL" or rng.chance(0.5) else None,
        "status": status,
        "due_at": iso_z(due) if kind in ("TASK", "MEETING") else None,
        "done_at": iso_z(due + dt.timedelta(minutes=rng.below(600))) if status == "DONE" else None,
        "duration_minutes": rng.between(2, 90) if kind in ("CALL", "MEETING") else None,
        "direction": rng.pick(("INBOUND", "OUTBOUND")) if kind in ("CALL", "EMAIL") else None,
        "account_id": account.id,
        "owner_id": account.owner if rng.chance(0.8) else state.owner(),
        "created_at": timestamp(state, created),
    }
    if account.contacts and rng.chance(0.7):
        record["contact_id"] = rng.pick(account.contacts)
    if dirt("activity_orphan_contact"):
        record["contact_id"] = rng.uuid()
    if account.opportunities and rng.chance(0.4):
        record["opportunity_id"] = rng.pick(account.opportunities)
    state.out.write("activities", record)


def write_note(state: OplaState, account: AccountCtx) -> str:
    """One note; returns its id (documents may hang off it)."""
    rng = state.rng
    ident = rng.uuid()
    created = rng.moment(after=account.created, days=500)
    body = "\n".join(rng.pick(VN_NOTE_LINES) for _ in range(rng.between(1, 3)))
    if state.dirt("note_control_characters"):
        body += "\x07\x00"
    record: dict[str, Any] = {
        "id": ident,
        "title": f"Ghi chú {account.name}"[:80],
        "body": body,
        "account_id": account.id,
        "owner_id": account.owner,
        "created_at": timestamp(state, created),
        "updated_at": iso_z(rng.moment(after=created)),
    }
    if account.contacts and rng.chance(0.5):
        record["contact_id"] = rng.pick(account.contacts)
    if account.opportunities and rng.chance(0.3):
        record["opportunity_id"] = rng.pick(account.opportunities)
    state.out.write("notes", record)
    return ident


def write_attachment(
    state: OplaState,
    account: AccountCtx,
    note_id: str | None,
    data: bytes | None = None,
    *,
    largest: bool = False,
) -> None:
    """A quotation, contract or shop photo; ``data`` forces the content (the oversized file),
    ``largest`` makes the bundle's deliberately largest small file (about 9 KB)."""
    rng = state.rng
    extension, stem = rng.pick((("pdf", "bao-gia"), ("pdf", "hop-dong"), ("jpg", "anh-cua-hang")))
    if data is not None:
        content = data
    elif largest:
        content = small_file(rng, extension, low=9000, high=9200)
    else:
        content = small_file(rng, extension)
    sha, relative = state.out.write_attachment(content, extension)
    declared = mime_type(extension)
    if data is None and state.dirt("attachment_mime_mismatch"):
        declared = "image/png" if extension == "pdf" else "application/pdf"
    record: dict[str, Any] = {
        "id": rng.uuid(),
        "file_name": f"{stem}-{state.next('attachment'):05d}.{extension}",
        "mime_type": declared,
        "size_bytes": len(content),
        "sha256": sha,
        "relative_path": relative,
        "account_id": account.id,
        "uploaded_by": account.owner,
        "created_at": iso_z(rng.moment(after=account.created, days=500)),
    }
    if account.opportunities and rng.chance(0.5):
        record["opportunity_id"] = rng.pick(account.opportunities)
    if note_id is not None:
        record["note_id"] = note_id
    state.out.write("attachments", record)


def _inventory(state: OplaState, object_name: str, serial: int, name: str, **extra: Any) -> None:
    rng = state.rng
    created = rng.moment(days=500)
    record: dict[str, Any] = {"id": f"{object_name[:3]}-{serial:04d}", "name": name}
    record.update(extra)
    record["active"] = rng.chance(0.8)
    record["created_at"] = iso_z(created)
    record["updated_at"] = iso_z(rng.moment(after=created))
    state.out.write(object_name, record)


def write_inventory(state: OplaState, scale: int) -> None:
    """Automations, sequences and gamification settings (read to inventory, never migrated)."""
    rng = state.rng
    triggers = (
        ("OPPORTUNITY", "stage_changed", "Gửi email chúc mừng khi ký hợp đồng"),
        ("ACCOUNT", "created", "Giao việc gọi chào mừng khách mới"),
        ("INVOICE", "overdue", "Nhắc thanh toán hóa đơn quá hạn"),
        ("LEAD", "created", "Phân bổ lead theo khu vực"),
        ("ACTIVITY", "overdue", "Báo quản lý khi việc quá hạn"),
    )
    for i in range(1, 3 + scale):
        obj, event, title = triggers[(i - 1) % len(triggers)]
        _inventory(
            state,
            "automations",
            i,
            f"{title} #{i}",
            object_type=obj,
            trigger_event=event,
            conditions=[{"field": "area", "op": "eq", "value": "HCM"}],
            actions=[{"type": "send_email", "template": "tpl-" + event}],
            owner_id=state.owner(),
            last_run_at=iso_z(rng.moment(days=30)),
        )
    for i in range(1, 3 + scale // 2):
        steps = [
            {"day_offset": d, "channel": c, "subject": s}
            for d, c, s in (
                (0, "EMAIL", "Chào anh/chị"),
                (3, "CALL", "Gọi lại"),
                (7, "EMAIL", "Ưu đãi"),
            )
        ]
        _inventory(
            state,
            "sequences",
            i,
            f"Chuỗi chăm sóc {i}",
            steps=steps,
            enrolled_count=rng.between(0, 500),
            owner_id=state.owner(),
        )
    sellers = [u for u in state.users if u.has_member][: 10 + scale]
    for i, user in enumerate(sellers, 1):
        _inventory(
            state,
            "gamification_streaks",
            i,
            f"Chuỗi gọi điện – {user.full_name}",
            metric="calls_per_day",
            period="DAILY",
            current_length=rng.between(0, 30),
            best_length=rng.between(30, 90),
            owner_id=user.external_id,
        )
        _inventory(
            state,
            "gamification_goals",
            i,
            f"Mục tiêu quý – {user.full_name}",
            metric="revenue",
            target=str(rng.between(100, 900) * 1_000_000),
            achieved=str(rng.between(0, 900) * 1_000_000),
            period_start="2025-10-01",
            period_end="2025-12-31",
            status=rng.pick(("ACTIVE", "ACHIEVED", "MISSED")),
            owner_id=user.external_id,
        )
    for i, (metric, period) in enumerate(
        (("revenue", "MONTHLY"), ("calls", "WEEKLY"), ("deals_won", "QUARTERLY")), 1
    ):
        _inventory(
            state,
            "gamification_leaderboards",
            i,
            f"Bảng xếp hạng {metric}",
            metric=metric,
            period=period,
            participant_ids=[u.id for u in sellers[:5]],
            rules={"tie_break": "earliest", "min_activities": 5},
        )
