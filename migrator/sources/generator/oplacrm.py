"""The synthetic OplaCRM bundle: tenant setup, the per-account loop and the rebuild inventory.

Proportions per account (on average): 3 contacts, 2 opportunities with 1-2 product lines and
their stage history, an invoice per won deal, 6 activities, 1.5 notes, some leads and the odd
document. Users, products and custom field definitions are shared by the tenant. Dirty data is
injected through :class:`~migrator.sources.generator.randomness.Dirt` (see ``DIRT_KINDS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from migrator.sources.generator.names import VN_FAMILY, VN_GIVEN, VN_MIDDLE, VN_PRODUCTS
from migrator.sources.generator.randomness import EXPORTED_AT, Dirt, Rng, iso_z
from migrator.sources.generator.writer import BundleWriter
from migrator.validate.options import transliterate

TENANT_ID = "7c0a1f52-5d1e-4c3b-9a8e-2f4b6d8c0e11"
#: Average records written per account (all objects), used to size the tenant from ``records``.
RECORDS_PER_ACCOUNT = 22.6

#: Emails of users on this domain have no Twenty workspace member (owner reconciliation queue).
NO_MEMBER_DOMAIN = "alumni.example.net"

CSV_EXTRA: dict[str, tuple[str, ...]] = {
    "opportunities": (
        "opportunity_process_stage__id",
        "opportunity_process_stage__opportunity_stage__name",
        "opportunity_process_stage_id",
        "accounts_opportunities",
        "opportunities_contacts",
    ),
    "accounts": ("legacy_segment",),
}

#: Custom field definitions: (id, object, label, key, type, option labels).
CUSTOM_FIELDS: tuple[tuple[str, str, str, str, str, tuple[str, ...]], ...] = (
    (
        "cf-001",
        "ACCOUNT",
        "Quận",
        "quan",
        "SELECT",
        ("Quận 1", "Quận 3", "Quận 7", "Bình Thạnh", "Gò Vấp", "Thủ Đức"),
    ),
    ("cf-002", "ACCOUNT", "20. ADO", "20_ado", "NUMBER", ()),
    ("cf-003", "ACCOUNT", "18. Vĩ độ", "18_vi_do", "NUMBER", ()),
    ("cf-004", "ACCOUNT", "Address", "address", "TEXT", ()),
    (
        "cf-005",
        "ACCOUNT",
        "Kênh bán hàng",
        "kenh_ban_hang",
        "MULTI_SELECT",
        ("Online", "Cửa hàng", "Đại lý"),
    ),
    ("cf-006", "CONTACT", "Name", "name", "TEXT", ()),
    ("cf-007", "CONTACT", "Nhãn", "nhan", "TEXT", ()),
    ("cf-008", "CONTACT", "Sở thích", "so_thich", "MULTI_SELECT", ("Cà phê", "Du lịch", "Golf")),
    ("cf-009", "OPPORTUNITY", "Loại dự án", "loai_du_an", "SELECT", ("Mới", "Gia hạn", "Nâng cấp")),
    ("cf-010", "OPPORTUNITY", "Ngày ký", "ngay_ky", "DATE", ()),
    (
        "cf-011",
        "LEAD",
        "Nguồn chi tiết",
        "nguon_chi_tiet",
        "SELECT",
        ("Facebook Ads", "Google Ads", "Hội chợ"),
    ),
)


@dataclass(frozen=True)
class User:
    """A generated employee."""

    id: str
    external_id: str
    email: str
    full_name: str
    has_member: bool


@dataclass(frozen=True)
class Product:
    """A generated product."""

    id: str
    sku: str
    name: str
    price: int


@dataclass
class OplaState:
    """Everything the per-object writers share: randomness, dirt, output and tenant lookups."""

    rng: Rng
    dirt: Dirt
    out: BundleWriter
    users: list[User] = field(default_factory=list)
    by_external: dict[str, User] = field(default_factory=dict)
    products: list[Product] = field(default_factory=list)
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    recent_emails: list[str] = field(default_factory=list)
    recent_accounts: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    ascii_names: dict[str, str] = field(default_factory=dict)
    healthscores: list[int] = field(default_factory=lambda: [100, 0])
    """Running [min, max] of the healthscores written (for the manifest's stats)."""

    def next(self, name: str) -> int:
        """A per-name running counter from 1 (invoice numbers, short ids)."""
        value = self.counters.get(name, 0) + 1
        self.counters[name] = value
        return value

    def owner(self) -> str:
        """An owner's external id; sometimes (dirt) one no user has."""
        if self.dirt("owner_without_user"):
            return "MNV_999"
        return self.rng.pick(self.users).external_id

    def ascii(self, word: str) -> str:
        """A lower-case ASCII form of a name word, cached."""
        cached = self.ascii_names.get(word)
        if cached is None:
            cached = transliterate(word).lower().replace("_", "")
            self.ascii_names[word] = cached
        return cached

    def person(self) -> tuple[str, str, str]:
        """(given, family, middle) Vietnamese name parts."""
        rng = self.rng
        return rng.pick(VN_GIVEN), rng.pick(VN_FAMILY), rng.pick(VN_MIDDLE)


def write_users(state: OplaState, count: int) -> None:
    """Employees; the last fifth have left (inactive, no Twenty workspace member)."""
    rng = state.rng
    leavers = max(1, count // 5)
    for i in range(1, count + 1):
        given, family, middle = state.person()
        has_member = i <= count - leavers
        domain = "example.com" if has_member else NO_MEMBER_DOMAIN
        email = f"{state.ascii(given)}.{state.ascii(family)}{i}@{domain}"
        user = User(rng.uuid(), f"MNV_{i:03d}", email, f"{family} {middle} {given}", has_member)
        state.users.append(user)
        state.by_external[user.external_id] = user
        site = rng.pick((("Chi nhánh HCM", "SITE-HCM"), ("Chi nhánh Hà Nội", "SITE-HN")))
        state.out.write(
            "users",
            {
                "id": user.id,
                "external_id": user.external_id,
                "email": user.email,
                "first_name": given,
                "last_name": f"{family} {middle}",
                "full_name": user.full_name,
                "user_site": {"value": site[0], "external_id": site[1]},
                "user_dimension": {"value": "Sales SME", "external_id": "DIM-SME"},
                "role": "MANAGER" if i == 1 else ("ADMIN" if i == 2 else "SALES"),
                "active": has_member,
                "created_at": iso_z(rng.moment(days=400)),
            },
        )


def write_custom_field_definitions(state: OplaState) -> None:
    """The tenant's custom fields, with option ids for the select types."""
    serial = 0
    for ident, object_type, label, key, data_type, labels in CUSTOM_FIELDS:
        options = []
        for option_label in labels:
            serial += 1
            options.append((f"opt-{serial}", option_label))
        state.options[ident] = options
        state.out.write(
            "custom_field_definitions",
            {
                "id": ident,
                "object_type": object_type,
                "name": label,
                "key": key,
                "data_type": data_type,
                "options": [{"id": i, "value": v} for i, v in options],
                "required": False,
            },
        )


def write_products(state: OplaState, count: int) -> None:
    """The catalogue: the base products, then numbered variants up to ``count``."""
    rng = state.rng
    for i in range(count):
        sku, name, unit, price = VN_PRODUCTS[i % len(VN_PRODUCTS)]
        if i >= len(VN_PRODUCTS):
            sku, name = f"{sku}-{i:04d}", f"{name} ({i})"
        product = Product(rng.uuid(), sku, name, int(price))
        state.products.append(product)
        record: dict[str, Any] = {
            "id": product.id,
            "external_id": f"PRODUCT-{i + 1:04d}",
            "sku": sku if not state.dirt("bad_sku") else sku.lower() + " gói",
            "name": name,
            "description": f"{name} cho cửa hàng bán lẻ",
            "unit": unit,
            "list_price": str(price),
            "currency": "VND",
            "tax_rate_percent": "10",
            "active": rng.chance(0.9),
            "created_at": iso_z(rng.moment(days=300)),
        }
        state.out.write("products", record)


def header(state: OplaState, record_total: int, seed: int) -> dict[str, Any]:
    """The manifest fields other than ``files`` and ``attachments``."""
    low, high = state.healthscores
    return {
        "source": "oplacrm",
        "schema_version": "1.0",
        "exported_at": iso_z(EXPORTED_AT),
        "tenant": {
            "company_id": TENANT_ID,
            "timezone": "Asia/Ho_Chi_Minh",
            "default_currency": "VND",
        },
        "generator": {"seed": seed, "records_requested": record_total, "synthetic": True},
        "stats": {"healthscore_min": min(low, high), "healthscore_max": max(low, high)},
    }
