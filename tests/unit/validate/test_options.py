"""Vietnamese (and other) labels to Twenty option values."""

from __future__ import annotations

import pytest

from migrator.catalogue import option_value_problem
from migrator.validate.options import option_values, transliterate


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("Đã ký hợp đồng", "DA_KY_HOP_DONG"),
        ("Chờ Duyệt", "CHO_DUYET"),
        ("Cần điều chỉnh", "CAN_DIEU_CHINH"),
        ("Đủ thông tin", "DU_THONG_TIN"),
        ("Quận 1", "QUAN_1"),
        ("18. Vĩ độ", "18_VI_DO"),
        ("Thất bại", "THAT_BAI"),
        ("  Mới!! ", "MOI"),
        ("🚀", "OPTION"),
        ("Ó Briain", "O_BRIAIN"),
        ("CLOSE_WON", "CLOSE_WON"),
    ],
)
def test_transliterate_gives_valid_ascii_upper_snake(label: str, value: str) -> None:
    assert transliterate(label) == value
    assert option_value_problem(value) is None


def test_option_values_resolves_collisions_in_input_order() -> None:
    values = option_values(["Quận 1", "Quan 1", "QUẬN-1", "Quận 1", "🚀", "✨"])
    assert values == {
        "Quận 1": "QUAN_1",
        "Quan 1": "QUAN_1_2",
        "QUẬN-1": "QUAN_1_3",
        "🚀": "OPTION",
        "✨": "OPTION_2",
    }
    assert len(set(values.values())) == len(values)
