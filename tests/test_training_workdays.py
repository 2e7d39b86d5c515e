"""China's working-day calendar: 2026 holidays and 调休 days, overrides, unknown years."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from powerlist.settings import get_settings
from powerlist.workdays import (
    BadOverrides,
    UnknownYear,
    calendar_coverage_alert,
    is_working_day,
    known_year,
    next_working_day,
    parse_overrides,
    working_day_on_or_after,
)


@pytest.fixture
def overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write an override file and point POWERLIST_WORKDAY_OVERRIDES at it."""

    def write(text: str) -> Path:
        path = tmp_path / "workdays.toml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("POWERLIST_WORKDAY_OVERRIDES", str(path))
        get_settings.cache_clear()
        return path

    yield write
    get_settings.cache_clear()


def test_national_day_2026_is_off_and_the_weekend_workdays_are_on() -> None:
    for day in range(1, 8):
        assert not is_working_day(date(2026, 10, day)), f"2026-10-0{day} is 国庆 holiday"
    assert is_working_day(date(2026, 9, 20))  # Sunday, 调休
    assert is_working_day(date(2026, 10, 10))  # Saturday, 调休
    assert is_working_day(date(2026, 10, 8))
    assert not is_working_day(date(2026, 10, 11))  # an ordinary Sunday
    assert next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    assert working_day_on_or_after(date(2026, 10, 3)) == date(2026, 10, 8)
    assert working_day_on_or_after(date(2026, 10, 9)) == date(2026, 10, 9)


def test_spring_festival_2026() -> None:
    assert is_working_day(date(2026, 2, 14))  # Saturday, 调休
    assert all(not is_working_day(date(2026, 2, d)) for d in range(15, 24))
    assert is_working_day(date(2026, 2, 24))
    assert is_working_day(date(2026, 2, 28))  # Saturday, 调休
    assert next_working_day(date(2026, 2, 14)) == date(2026, 2, 24)


def test_2026_has_248_working_days() -> None:
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    assert sum(is_working_day(day) for day in days) == 248


def test_an_unknown_year_is_a_clear_error_not_a_guess() -> None:
    assert not known_year(2027)
    with pytest.raises(UnknownYear, match="2027年的节假日安排未知") as caught:
        is_working_day(date(2027, 1, 4))
    assert caught.value.year == 2027
    assert "workday_overrides.toml" in str(caught.value)
    with pytest.raises(UnknownYear):
        next_working_day(date(2026, 12, 31))


def test_an_override_year_is_used_and_replaces_the_package(overrides_file) -> None:
    overrides_file(
        """
[years.2027]
source = "测试"
holidays = [2027-01-01, "2027-02-08"]
workdays = ["2027-02-06"]

[years.2026]
holidays = ["2026-10-09"]
workdays = []
"""
    )
    assert known_year(2027)
    assert not is_working_day(date(2027, 1, 1))
    assert is_working_day(date(2027, 2, 6))  # a Saturday made a working day
    assert not is_working_day(date(2027, 2, 8))
    assert is_working_day(date(2027, 1, 4))
    assert next_working_day(date(2026, 12, 31)) == date(2027, 1, 4)
    # the override replaces the package for 2026: 10-09 off, 10-10 (a Saturday) not listed
    assert not is_working_day(date(2026, 10, 9))
    assert not is_working_day(date(2026, 10, 10))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[years.2027]\nholidays = ['2026-10-01']\nworkdays = []", "不是 2027 年的日期"),
        ("[years.2027]\nholidays = []", "缺少 workdays"),
        ("[years.2027]\nholidays = ['2027-02-06']\nworkdays = ['2027-02-06']", "同时列为"),
        ("[years.2027]\nholidays = []\nworkdays = ['2027-02-08']", "本就是工作日"),
        ("[years.2027\n", "不是有效的 TOML"),
    ],
)
def test_a_bad_override_file_names_file_year_and_value(text: str, message: str) -> None:
    with pytest.raises(BadOverrides, match=message) as caught:
        parse_overrides(text, Path("/etc/overrides.toml"))
    assert "/etc/overrides.toml" in str(caught.value)


def test_packaged_override_file_invents_no_holidays() -> None:
    from powerlist.workdays import DEFAULT_OVERRIDES

    assert parse_overrides(DEFAULT_OVERRIDES.read_text(encoding="utf-8"), DEFAULT_OVERRIDES) == {}


def test_coverage_alert_in_november_and_december_only(overrides_file) -> None:
    assert calendar_coverage_alert(date(2026, 10, 30)) is None
    alert = calendar_coverage_alert(date(2026, 11, 2))
    assert alert is not None and "2027年的节假日安排尚未录入" in alert
    assert calendar_coverage_alert(date(2026, 12, 28)) is not None
    assert calendar_coverage_alert(date(2025, 11, 3)) is None  # 2026 is known
    overrides_file("[years.2027]\nholidays = ['2027-01-01']\nworkdays = []")
    assert calendar_coverage_alert(date(2026, 11, 2)) is None
