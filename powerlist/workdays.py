"""China's working days (工作日): statutory holidays off, 调休 weekend days working.

The `chinese_calendar` package knows the years up to its release; an override file in the
repository (powerlist/data/workday_overrides.toml, or POWERLIST_WORKDAY_OVERRIDES) adds the
years an administrator copied from the State Council's notice. A year that neither knows
raises `UnknownYear`: reminders are never sent on a guessed calendar.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import chinese_calendar

from powerlist.settings import get_settings

DEFAULT_OVERRIDES = Path(__file__).parent / "data" / "workday_overrides.toml"
MAX_SCAN_DAYS = 60  # no Chinese holiday block is longer; more means broken data


class UnknownYear(ValueError):
    """Neither chinese_calendar nor the override file knows this year's holidays."""

    def __init__(self, year: int, overrides: Path):
        self.year = year
        super().__init__(
            f"{year}年的节假日安排未知：chinese-calendar 不含该年数据，"
            f"覆盖文件 {overrides} 中也没有。"
            f"请按国务院办公厅通知在该文件中填写 [years.{year}] 的 holidays 与 workdays。"
        )


class BadOverrides(ValueError):
    """The override file is malformed; the message names the file, year and value."""


@dataclass(frozen=True)
class YearOverride:
    """One year's days off and 调休 working days, as the State Council announced them."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = ""


def parse_overrides(text: str, origin: Path) -> dict[int, YearOverride]:
    """Parse and validate the override TOML; every error names the file and the year."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BadOverrides(f"{origin}: 不是有效的 TOML（{error}）") from error
    years = data.get("years", {})
    if not isinstance(years, dict):
        raise BadOverrides(f"{origin}: [years] 应为表")
    return {int(key): _parse_year(key, value, origin) for key, value in years.items()}


def _parse_year(key: str, value: object, origin: Path) -> YearOverride:
    if not key.isdigit() or not isinstance(value, dict):
        raise BadOverrides(f"{origin}: [years.{key}] 应为年份表，如 [years.2027]")
    year = int(key)
    days: dict[str, frozenset[date]] = {}
    for field in ("holidays", "workdays"):
        raw = value.get(field)
        if not isinstance(raw, list):
            raise BadOverrides(f"{origin}: [years.{key}] 缺少 {field} 列表")
        days[field] = frozenset(_parse_day(item, year, field, origin) for item in raw)
    both = days["holidays"] & days["workdays"]
    if both:
        raise BadOverrides(f"{origin}: [years.{key}] {min(both)} 同时列为 holidays 和 workdays")
    weekday_workdays = [d for d in days["workdays"] if d.weekday() < 5]
    if weekday_workdays:
        raise BadOverrides(
            f"{origin}: [years.{key}] workdays 只应列调休上班的周末，"
            f"{min(weekday_workdays)} 本就是工作日"
        )
    source = value.get("source", "")
    return YearOverride(year, days["holidays"], days["workdays"], str(source))


def _parse_day(item: object, year: int, field: str, origin: Path) -> date:
    day = item if isinstance(item, date) else None
    if isinstance(item, str):
        try:
            day = date.fromisoformat(item)
        except ValueError:
            day = None
    if day is None or day.year != year:
        raise BadOverrides(f"{origin}: [years.{year}] {field} 中的 {item!r} 不是 {year} 年的日期")
    return day


@lru_cache(maxsize=8)
def _load_overrides(path: Path) -> dict[int, YearOverride]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise BadOverrides(f"{path}: 无法读取节假日覆盖文件（{error.strerror}）") from error
    return parse_overrides(text, path)


def overrides_path() -> Path:
    """The override file in force (POWERLIST_WORKDAY_OVERRIDES or the packaged one)."""
    return get_settings().workday_overrides or DEFAULT_OVERRIDES


def overrides() -> dict[int, YearOverride]:
    """The validated override years (cached per file)."""
    return _load_overrides(overrides_path())


def known_year(year: int) -> bool:
    """Whether the holidays of `year` are known (override file or chinese_calendar)."""
    if year in overrides():
        return True
    try:
        chinese_calendar.is_workday(date(year, 7, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day: date) -> bool:
    """Whether people work on `day` in China (raises UnknownYear for an unknown year)."""
    override = overrides().get(day.year)
    if override is not None:
        if day in override.holidays:
            return False
        return day in override.workdays or day.weekday() < 5
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        raise UnknownYear(day.year, overrides_path()) from None


def next_working_day(day: date) -> date:
    """The first working day strictly after `day` (may cross into a year that must be known)."""
    for offset in range(1, MAX_SCAN_DAYS + 1):
        candidate = day + timedelta(days=offset)
        if is_working_day(candidate):
            return candidate
    raise RuntimeError(f"{MAX_SCAN_DAYS} 天内没有工作日，节假日数据有误（{day} 之后）")


def working_day_on_or_after(day: date) -> date:
    """`day` itself when it is a working day, else the next one (when a dated stage lands)."""
    return day if is_working_day(day) else next_working_day(day)


def calendar_coverage_alert(today: date) -> str | None:
    """In November and December, the alert text when next year's holidays are still unknown."""
    if today.month < 11 or known_year(today.year + 1):
        return None
    return (
        f"{today.year + 1}年的节假日安排尚未录入：请按国务院办公厅通知填写 {overrides_path()} "
        f"中的 [years.{today.year + 1}]，或升级 chinese-calendar。"
        "否则 1 月 1 日起培训考试提醒将停发。"
    )
