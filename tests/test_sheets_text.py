"""Cell text as published lists write it: legal-basis cells, dates, months, numbers, yes/no."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from powerlist.imports.bases import guess_level, split_bases
from powerlist.imports.text import (
    BadValue,
    clean,
    fold,
    parse_bool,
    parse_count,
    parse_date,
    parse_month,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("《中华人民共和国食品安全法》第三十五条", [("中华人民共和国食品安全法", "第三十五条")]),
        ("1.《行政许可法》第十二条；\n2.《行政许可法》第十四条第二款",
         [("行政许可法", "第十二条；第十四条第二款")]),
        ("①《食品安全法》第一百二十二条、《行政处罚法》第十条",
         [("食品安全法", "第一百二十二条"), ("行政处罚法", "第十条")]),
        ("《城镇燃气管理条例》（2016年修订）第十五条第一款：“国家对燃气经营实行许可证制度。”",
         [("城镇燃气管理条例", "第十五条第一款")]),
        ("中华人民共和国道路交通安全法 第八十七条",
         [("中华人民共和国道路交通安全法", "第八十七条")]),
        ("《内蒙古自治区食品小作坊小餐饮店小食杂店和食品摊贩管理条例》",
         [("内蒙古自治区食品小作坊小餐饮店小食杂店和食品摊贩管理条例", None)]),
        ("", []),
        (None, []),
    ],
)  # fmt: skip
def test_legal_basis_cells_split_into_one_basis_per_law(cell: str | None, expected: list) -> None:
    assert split_bases(cell) == expected


def test_new_laws_get_a_level_guessed_from_the_title() -> None:
    assert guess_level("中华人民共和国食品安全法") == "法律"
    assert guess_level("城镇燃气管理条例") == "行政法规"
    assert guess_level("内蒙古自治区燃气管理条例") == "地方性法规"
    assert guess_level("食品经营许可和备案管理办法") == "部门规章"
    assert guess_level("包头市城市市容和环境卫生管理办法") == "地方政府规章"
    assert guess_level("关于进一步规范行政裁量权基准制定和管理工作的意见") == "规范性文件"


def test_cells_are_trimmed_of_full_width_and_trailing_spaces() -> None:
    assert clean("　食品经营许可　 ") == "食品经营许可"
    assert clean(" 第一行 \r\n\r\n 第二行\u00a0") == "第一行\n第二行"
    assert clean(1001.0) == "1001"
    assert clean("  ") is None
    assert fold("项 目 编 码 *（必填）") == fold("项目编码")
    assert fold("ＡＢＣ１２３") == "ABC123"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-03-01", date(2026, 3, 1)), ("2026年3月1日", date(2026, 3, 1)),
     ("2026/3/1", date(2026, 3, 1)), ("2026.03.01", date(2026, 3, 1)),
     ("20260301", date(2026, 3, 1)),
     ("２０２６－０３－０１", date(2026, 3, 1)), (46082, date(2026, 3, 1)),
     (datetime(2026, 3, 1, 8, 0), date(2026, 3, 1)), ("", None), (None, None)],
)  # fmt: skip
def test_dates_in_the_forms_offices_write_them(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2026-02-30", "三月一日", "2026-13-01", "待定"])
def test_text_that_is_not_a_date_is_refused(value: str) -> None:
    with pytest.raises(BadValue, match="不是日期"):
        parse_date(value)


def test_months_counts_and_yes_no() -> None:
    assert parse_month("2026年3月") == date(2026, 3, 1)
    assert parse_month("2026-03-17") == date(2026, 3, 1)
    with pytest.raises(BadValue, match="不是月份"):
        parse_month("第一季度")
    assert parse_count("１２") == 12
    assert parse_count(12.0) == 12
    for bad in ("1.5", "-3", "十二"):
        with pytest.raises(BadValue):
            parse_count(bad)
    assert [parse_bool(v) for v in ("是", "否", "√", "×", "在岗", None)] == [
        True, False, True, False, True, None,
    ]  # fmt: skip
    with pytest.raises(BadValue, match="应为“是”或“否”"):
        parse_bool("也许")
