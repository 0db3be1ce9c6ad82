"""Record-level rules that read several fields of one record (sources.md §7.7).

Stage and status consistency, line and invoice totals, due dates, future completions, text
clean-up, and the attachment file rules (present in the bundle, within the size policy). Each
rule takes a record and returns ``(field, issue)`` pairs; none quotes a value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from migrator.errors import SourceError
from migrator.sources.bundle import Bundle
from migrator.sources.records import SourceRecord
from migrator.sources.schema_types import Sensitivity, SourceObject, SourceType
from migrator.validate.consistency import (
    check_appointment_outcome,
    check_opportunity_stage,
    check_treatment_plan,
)
from migrator.validate.dates import check_due_date, check_not_after_export
from migrator.validate.findings import Issue, error
from migrator.validate.money import check_invoice_total, check_line_total
from migrator.validate.text import clean_clinical_text, clean_text

ERROR_FILE_MISSING = error("attachment_file_missing", "the attachment's file is not in the bundle")
ERROR_FILE_TOO_LARGE = error(
    "file_over_size_policy", "file larger than the destination's file-size policy; not uploaded"
)

Found = Iterator[tuple[str, Issue]]
Rule = Callable[[SourceRecord], Iterable[tuple[str, Issue]]]


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | str) and not isinstance(value, bool):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


class RecordRules:
    """The cross-field rules of one bundle, bound to its export time and file policy."""

    def __init__(self, bundle: Bundle, *, exported_at: dt.datetime, max_file_bytes: int) -> None:
        self.bundle = bundle
        self.exported_at = exported_at
        self.max_file_bytes = max_file_bytes
        self.currency = bundle.manifest.currency or ("VND" if bundle.system == "oplacrm" else "GBP")

    def rules_for(self, obj: SourceObject) -> tuple[Rule, ...]:
        """The rules that apply to records of ``obj``."""
        rules: list[Rule] = [self._text_rule(obj)]
        table: dict[tuple[str, str], Rule] = {
            ("oplacrm", "opportunities"): self._opportunity,
            ("oplacrm", "opportunity_products"): self._line,
            ("oplacrm", "invoices"): self._opla_invoice,
            ("aeronaclinic", "invoices"): self._aerona_invoice,
            ("aeronaclinic", "treatment_plans"): self._plan,
            ("aeronaclinic", "appointments"): self._appointment,
            ("aeronaclinic", "tooth_chart"): self._chart,
        }
        specific = table.get((self.bundle.system, obj.name))
        if specific is not None:
            rules.append(specific)
        if obj.name == "attachments":
            rules.append(self._attachment)
        return tuple(rules)

    # -- rules ------------------------------------------------------------------------------

    def _text_rule(self, obj: SourceObject) -> Rule:
        clinical = obj.sensitivity is Sensitivity.CLINICAL
        names = tuple(
            f.name
            for f in obj.fields
            if f.type is SourceType.STRING and f.check is None and f.name != obj.primary_key
        )
        clean = clean_clinical_text if clinical else clean_text

        def rule(record: SourceRecord) -> Found:
            for name in names:
                value = record.fields.get(name)
                if isinstance(value, str) and value:
                    for item in clean(value).issues:
                        yield name, item

        return rule

    def _opportunity(self, record: SourceRecord) -> Found:
        f = record.fields
        closed = _date(f.get("date_closed_actual"))
        for item in check_opportunity_stage(
            f.get("sale_process_stage"), f.get("stage_type"), closed
        ):
            yield "sale_process_stage", item

    def _line(self, record: SourceRecord) -> Found:
        f = record.fields
        parts = [_decimal(f.get(k)) for k in ("quantity", "unit_price", "discount_percent")]
        stated = _decimal(f.get("line_total"))
        quantity, price, discount = parts
        if quantity is None or price is None or stated is None:
            return
        currency = f.get("currency") or self.currency
        for item in check_line_total(quantity, price, discount or Decimal(0), stated, currency):
            yield "line_total", item

    def _due(self, record: SourceRecord, issued_key: str, due_key: str) -> Found:
        issued = _date(record.fields.get(issued_key))
        due = _date(record.fields.get(due_key))
        if issued is not None and due is not None:
            for item in check_due_date(issued, due):
                yield due_key, item

    def _opla_invoice(self, record: SourceRecord) -> Found:
        f = record.fields
        yield from self._due(record, "issue_date", "due_date")
        currency = f.get("currency") or self.currency
        subtotal, total = _decimal(f.get("subtotal")), _decimal(f.get("total"))
        lines = f.get("lines")
        if subtotal is not None and isinstance(lines, list) and lines:
            amounts = [_decimal(line.get("line_total")) for line in lines if isinstance(line, dict)]
            if all(a is not None for a in amounts):
                for item in check_invoice_total(
                    [a for a in amounts if a is not None], subtotal, currency
                ):
                    yield "subtotal", item
        if subtotal is not None and total is not None:
            parts = [subtotal, _decimal(f.get("tax_total")) or Decimal(0)]
            parts.append(-(_decimal(f.get("discount_total")) or Decimal(0)))
            for item in check_invoice_total(parts, total, currency):
                yield "total", item

    def _aerona_invoice(self, record: SourceRecord) -> Found:
        f = record.fields
        yield from self._due(record, "issuedAt", "dueAt")
        total, lines = _decimal(f.get("total")), f.get("lines")
        if total is None or not isinstance(lines, list):
            return
        amounts = [_decimal(line.get("amount")) for line in lines if isinstance(line, dict)]
        if amounts and all(a is not None for a in amounts):
            currency = f.get("currency") or self.currency
            for item in check_invoice_total([a for a in amounts if a is not None], total, currency):
                yield "total", item

    def _plan(self, record: SourceRecord) -> Found:
        items = record.fields.get("items")
        statuses = [i.get("status") for i in items if isinstance(i, dict)] if items else []
        for item in check_treatment_plan(record.fields.get("status"), statuses):
            yield "status", item

    def _appointment(self, record: SourceRecord) -> Found:
        f = record.fields
        when = f.get("appointmentTime")
        moment = when if isinstance(when, dt.datetime) else None
        for item in check_appointment_outcome(f.get("statusCode"), moment, self.exported_at):
            yield "statusCode", item

    def _chart(self, record: SourceRecord) -> Found:
        f = record.fields
        when = f.get("recordedAt")
        if f.get("entryKind") == "COMPLETED" and isinstance(when, dt.datetime):
            for item in check_not_after_export(when, self.exported_at):
                yield "recordedAt", item

    def _attachment(self, record: SourceRecord) -> Found:
        f = record.fields
        relative = f.get("relative_path") or f.get("relativePath")
        size = f.get("size_bytes") if "size_bytes" in f else f.get("sizeBytes")
        if isinstance(relative, str) and relative:
            path = self._file(relative)
            if path is None or not path.is_file():
                yield "relativePath" if "relativePath" in f else "relative_path", ERROR_FILE_MISSING
            elif path.stat().st_size > self.max_file_bytes:
                yield "sizeBytes" if "sizeBytes" in f else "size_bytes", ERROR_FILE_TOO_LARGE
                return
        if isinstance(size, int) and size > self.max_file_bytes:
            yield "sizeBytes" if "sizeBytes" in f else "size_bytes", ERROR_FILE_TOO_LARGE

    def _file(self, relative: str) -> Path | None:
        try:
            return self.bundle.attachment_path(relative)
        except SourceError:
            return None
