"""Power types are configurable and published variants map onto them."""

from __future__ import annotations

from pathlib import Path

import pytest

from powerlist import power_types as pt
from powerlist.settings import get_settings

ELEVEN = ["行政许可", "行政确认", "行政裁决", "行政给付", "行政奖励", "行政备案",
          "行政检查", "行政处罚", "行政强制", "行政征收", "其他行政权力"]  # fmt: skip


def test_default_is_the_eleven_inner_mongolian_types_plus_public_service() -> None:
    assert pt.power_types().names == [*ELEVEN, "公共服务"]


@pytest.mark.parametrize(
    ("published", "configured"),
    [
        ("行政强制措施", "行政强制"),
        ("行政强制执行", "行政强制"),
        ("其他权力", "其他行政权力"),
        ("  行政许可 ", "行政许可"),
        ("行政\u3000处罚", "行政处罚"),  # a full-width space inside the cell
        ("公共服务事项", "公共服务"),
    ],
)
def test_variants_map_onto_configured_names(published: str, configured: str) -> None:
    assert pt.normalize_power_type(published) == configured


def test_an_unknown_type_names_itself_and_the_allowed_ones() -> None:
    with pytest.raises(pt.UnknownPowerType, match=r"行政收费.*可用：行政许可"):
        pt.normalize_power_type("行政收费")


def test_a_city_can_configure_its_own_types(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom = tmp_path / "types.toml"
    custom.write_text(
        '[[types]]\nname = "行政许可"\ncode = "XK"\n\n'
        '[[types]]\nname = "行政收费"\ncode = "SF"\nvariants = ["收费"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("POWERLIST_POWER_TYPES_FILE", str(custom))
    get_settings.cache_clear()
    try:
        assert pt.normalize_power_type("收费") == "行政收费"
        with pytest.raises(pt.UnknownPowerType):
            pt.normalize_power_type("行政处罚")
    finally:
        get_settings.cache_clear()


def test_a_variant_claimed_by_two_types_is_refused() -> None:
    text = (
        '[[types]]\nname = "甲"\ncode = "A"\nvariants = ["乙"]\n'
        '[[types]]\nname = "乙"\ncode = "B"\n'
    )
    with pytest.raises(ValueError, match="maps to"):
        pt.parse_power_types(text)
