"""Synthetic OplaCRM deals: opportunities, their product lines, invoices and stage history.

A fifth of the opportunities use the real API's nested shape (``opportunity_process_stage``,
``accounts_opportunities``, ``opportunities_contacts``) instead of the proposed flat one. Dirt
kinds: ``opportunity_parent_cycle``, ``joint_single_member``, ``won_without_close_date``,
``won_stage_type_mismatch``, ``opportunity_missing_account``, ``amount_extra_decimals``,
``amount_as_number``, ``line_orphan_product``, ``line_total_mismatch``, ``line_negative_price``,
``invoice_due_before_issue``, ``invoice_total_mismatch``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from migrator.sources.generator.oplacrm import OplaState, Product
from migrator.sources.generator.oplacrm_accounts import (
    AccountCtx,
    custom_value,
    local_date,
    tags,
    timestamp,
)
from migrator.sources.generator.randomness import cumulative, iso_offset, iso_z

#: (code, label, probability %, stage type): the tenant's sale process, labels in Vietnamese.
STAGES: tuple[tuple[str, str, int, str], ...] = (
    ("NEW", "Mới", 10, "OPEN"),
    ("QUALIFY", "Đủ thông tin", 20, "OPEN"),
    ("PENDING", "Chờ Duyệt", 30, "OPEN"),
    ("ADJUST", "Cần điều chỉnh", 30, "OPEN"),
    ("PROPOSAL", "Gửi báo giá", 50, "OPEN"),
    ("NEGOTIATION", "Đàm phán", 70, "OPEN"),
    ("CLOSE_WON", "Đã ký hợp đồng", 100, "WON"),
    ("CLOSE_LOST", "Thất bại", 0, "LOST"),
)
_STAGE_WEIGHTS = cumulative((0.09, 0.09, 0.09, 0.09, 0.1, 0.09, 0.25, 0.2))
_COUNT_WEIGHTS = cumulative((0.35, 0.35, 0.3))
_CLOSE_REASONS = ("Giá cao", "Chọn đối thủ", "Chưa có nhu cầu", "Không liên lạc được")


def _line(state: OplaState, opportunity_id: str, product: Product) -> tuple[dict[str, Any], int]:
    rng, dirt = state.rng, state.dirt
    quantity = rng.between(1, 3)
    discount = rng.pick((0, 0, 0, 5, 10))
    total = int(
        (Decimal(quantity * product.price) * (100 - discount) / 100).quantize(
            Decimal(1), rounding=ROUND_HALF_EVEN
        )
    )
    record: dict[str, Any] = {
        "id": rng.uuid(),
        "opportunity_id": opportunity_id,
        "product_id": product.id if not dirt("line_orphan_product") else rng.uuid(),
        "quantity": str(quantity),
        "unit_price": str(product.price),
        "discount_percent": str(discount),
        "tax_rate_percent": "10",
        "line_total": str(total + (5000 if dirt("line_total_mismatch") else 0)),
        "currency": "VND",
    }
    if dirt("line_negative_price"):
        record["unit_price"] = f"-{product.price}"
    state.out.write("opportunity_products", record)
    return record, total


def _stage_logs(
    state: OplaState, opportunity_id: str, stage: int, start: dt.datetime, email: str
) -> None:
    rng = state.rng
    path = [0]
    if stage >= 6:
        path += [*sorted({rng.between(1, 5)}), stage]
    elif stage > 0:
        path += sorted({rng.between(1, stage), stage})
    moment, previous = start, None
    for step in path:
        moment = moment + dt.timedelta(hours=rng.between(1, 240), seconds=rng.below(3600))
        state.out.write(
            "opportunity_stage_logs",
            {
                "id": rng.uuid(),
                "opportunity_id": opportunity_id,
                "new_stage": STAGES[step][1],
                "new_stage_code": STAGES[step][0],
                "old_stage": previous,
                "creator_email": email,
                "created_at": iso_offset(moment),
            },
        )
        previous = STAGES[step][1]


def _invoice(state: OplaState, opp_id: str, account: AccountCtx, lines: list[Any]) -> None:
    rng, dirt = state.rng, state.dirt
    subtotal = sum(total for _, total in lines)
    tax = subtotal // 10
    issued = local_date(rng.moment(after=account.created))
    due = issued + dt.timedelta(days=rng.pick((7, 15, 30)))
    if dirt("invoice_due_before_issue"):
        due = issued - dt.timedelta(days=3)
    status = rng.pick(("ISSUED", "PAID", "PAID", "PARTIALLY_PAID", "DRAFT", "CANCELLED"))
    total = subtotal + tax + (1000 if dirt("invoice_total_mismatch") else 0)
    paid = total if status == "PAID" else (total // 2 if status == "PARTIALLY_PAID" else 0)
    state.out.write(
        "invoices",
        {
            "id": rng.uuid(),
            "opportunity_id": opp_id,
            "account_id": account.id,
            "invoice_number": f"INV-{state.next('invoice'):07d}",
            "status": status,
            "issue_date": issued.isoformat(),
            "due_date": due.isoformat(),
            "currency": "VND",
            "subtotal": str(subtotal),
            "discount_total": "0",
            "tax_total": str(tax),
            "total": str(total),
            "amount_paid": str(paid),
            "lines": [
                {
                    k: line[k]
                    for k in (
                        "product_id",
                        "quantity",
                        "unit_price",
                        "discount_percent",
                        "tax_rate_percent",
                        "line_total",
                    )
                }
                | {"description": "Dòng hóa đơn"}
                for line, _ in lines
            ],
            "created_at": iso_z(rng.moment(after=account.created)),
        },
    )


def _hierarchy(state: OplaState, n: int) -> tuple[dict[int, int], dict[int, str]]:
    """Parent links (child index -> parent index) and joint group ids for one account."""
    rng, dirt = state.rng, state.dirt
    parents: dict[int, int] = {}
    joints: dict[int, str] = {}
    if n >= 2 and dirt("opportunity_parent_cycle"):
        parents = {0: 1, 1: 0}
    elif n >= 2 and rng.chance(0.12):
        parents = {1: 0}
    if n >= 2 and rng.chance(0.08):
        group = rng.uuid()
        joints = {n - 2: group, n - 1: group}
    if 0 not in joints and dirt("joint_single_member"):
        joints[0] = rng.uuid()
    return parents, joints


def write_opportunities(state: OplaState, account: AccountCtx) -> None:
    """The account's opportunities with their lines, invoices and stage logs."""
    rng = state.rng
    n = rng.weighted((1, 2, 3), _COUNT_WEIGHTS)
    ids = [rng.uuid() for _ in range(n)]
    account.opportunities.extend(ids)
    parents, joints = _hierarchy(state, n)
    for i, ident in enumerate(ids):
        record, stage, lines = _opportunity(state, account, ident)
        if i in parents:
            record["parent_opportunity_id"] = ids[parents[i]]
        record["is_parent"] = i in parents.values()
        if i in joints:
            record["opportunities_joint_id"] = joints[i]
        if rng.chance(0.2):
            _nest(record, account)
        state.out.write("opportunities", record)
        user = state.by_external.get(record["owner_id"])
        owner_email = user.email if user else "former@example.com"
        _stage_logs(state, ident, stage, account.created, owner_email)
        if (stage == 6 and rng.chance(0.85)) or (stage < 6 and rng.chance(0.08)):
            _invoice(state, ident, account, lines)


def _opportunity(
    state: OplaState, account: AccountCtx, ident: str
) -> tuple[dict[str, Any], int, list[Any]]:
    rng, dirt = state.rng, state.dirt
    stage = rng.weighted(range(len(STAGES)), _STAGE_WEIGHTS)
    code, label, probability, stage_type = STAGES[stage]
    products = [rng.pick(state.products) for _ in range(rng.between(1, 2))]
    lines = [_line(state, ident, p) for p in products]
    amount = sum(total for _, total in lines)
    created = rng.moment(after=account.created, days=365)
    opened = local_date(created)
    amount_value: Any = str(amount)
    if dirt("amount_extra_decimals"):
        amount_value = f"{amount}.50"
    elif dirt("amount_as_number"):
        amount_value = amount
    record: dict[str, Any] = {
        "id": ident,
        "short_id": f"OPP-{state.next('opportunity'):06d}",
        "name": f"{products[0].name} – {account.name}",
        "account_id": account.id,
        "contact_ids": account.contacts[: rng.between(0, 2)],
        "owner_id": account.owner if rng.chance(0.85) else state.owner(),
        "amount": amount_value,
        "tax_inclusive_amount": str(amount + amount // 10),
        "currency": "VND",
        "forecast": str(amount * probability // 100),
        "weight": str(probability),
        "sale_process_id": "sp-ban-le",
        "sale_process_stage": code,
        "stage_id": f"st-{stage + 1}",
        "stage_name": label,
        "stage_type": stage_type,
        "stage_probability": str(probability),
        "date_open": opened.isoformat(),
        "date_closed": (opened + dt.timedelta(days=rng.between(14, 90))).isoformat(),
        "source": rng.pick(("Website", "Zalo", "Giới thiệu")),
        "locked": stage_type != "OPEN" and rng.chance(0.3),
        "tags": tags(state),
        "description": "Khách cần triển khai trước Tết 🎉" if rng.chance(0.1) else None,
        "created_at": timestamp(state, created),
        "updated_at": iso_z(rng.moment(after=created)),
        "custom_field_values": [custom_value(state, "cf-009", rng.below(3))],
    }
    if stage_type != "OPEN":
        closed = opened + dt.timedelta(days=rng.between(5, 120))
        record["date_closed_actual"] = closed.isoformat()
        if stage_type == "WON":
            record["custom_field_values"].append(custom_value(state, "cf-010", closed.isoformat()))
        else:
            record["close_reason"] = rng.pick(_CLOSE_REASONS)
    if stage_type == "WON" and dirt("won_without_close_date"):
        del record["date_closed_actual"]
    if stage_type == "WON" and dirt("won_stage_type_mismatch"):
        record["stage_type"] = "OPEN"
    if dirt("opportunity_missing_account"):
        del record["account_id"]
    return record, stage, lines


def _nest(record: dict[str, Any], account: AccountCtx) -> None:
    """Rewrite a flat opportunity into the real API's nested shape."""
    stage_id = record.pop("stage_id")
    label = record.pop("stage_name")
    record.pop("sale_process_stage")
    stage_type = record.pop("stage_type")
    record["opportunity_process_stage_id"] = stage_id
    record["opportunity_process_stage"] = {"id": stage_id, "opportunity_stage": {"name": label}}
    record["opportunity_status"] = stage_type.lower()
    if "account_id" in record:
        record["accounts_opportunities"] = [
            {"account": {"id": record.pop("account_id"), "name": account.name}}
        ]
    record["opportunities_contacts"] = [{"contact": {"id": c}} for c in record.pop("contact_ids")]
