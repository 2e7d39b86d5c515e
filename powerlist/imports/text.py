"""Cell text as published lists write it: full-width spaces, stray blanks, dates in many forms."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
# A full-width space (全角空格) between two Chinese characters is typesetting, not a word break:
# 对超　过 is 对超过, and keeping a space there would hide a duplicate name from the review.
WIDE_SPACE_IN_TEXT = re.compile(
    r"(?<=[\u3400-\u9fff\uff00-\uffef\u3001-\u303f])[\s\u3000\u00a0\u200b\ufeff]*"
    r"[\u3000\u200b\ufeff][\s\u3000\u00a0\u200b\ufeff]*(?=[\u3400-\u9fff\uff00-\uffef\u3001-\u303f])"
)
BRACKETED = re.compile(r"[（(][^）)]*[）)]$")
DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s.*)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
MONTH_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
EXCEL_EPOCH = date(1899, 12, 30)
TRUE_WORDS = {"是", "true", "yes", "y", "1", "在岗", "通过", "合格", "有效", "√"}
FALSE_WORDS = {"否", "false", "no", "n", "0", "离岗", "未通过", "不合格", "无效", "×"}


class BadValue(ValueError):
    """A cell value that cannot be read as what its column holds (the message says why)."""


def clean(value: Any) -> str | None:
    """Cell text with full-width and trailing spaces trimmed; None for an empty cell."""
    if value is None:
        return None
    if type(value) is str:
        if value.isprintable() and "  " not in value:
            # the common one-line cell: every whitespace but the ASCII space is unprintable, so
            # there is nothing to fold; only the ends need trimming
            return value.strip(" ") or None
        return _clean_text(value)  # multi-line cells repeat (实施依据, 责任事项): once each
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _clean_text(str(value))


@lru_cache(maxsize=8192)
def _clean_text(text: str) -> str | None:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [SPACES.sub(" ", WIDE_SPACE_IN_TEXT.sub("", line)).strip() for line in text.split("\n")]
    text = "\n".join(line for line in lines if line)
    return text or None


def fold(text: str) -> str:
    """A header or code folded for matching: NFKC (full-width → ASCII), no spaces, no * marks."""
    folded = SPACES.sub("", unicodedata.normalize("NFKC", text)).replace("*", "")
    return BRACKETED.sub("", folded.replace("(", "（").replace(")", "）")) or folded


def code_text(value: Any) -> str | None:
    """A code as text: full-width digits folded, a float 1001.0 read back as 1001."""
    text = clean(value)
    return None if text is None else SPACES.sub("", unicodedata.normalize("NFKC", text))


def parse_date(value: Any) -> date | None:
    """A date from a real date cell, an Excel serial number or text like 2026年3月1日."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return EXCEL_EPOCH + timedelta(days=int(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                break
    raise BadValue(f"“{value}”不是日期；请填写如 2026-03-01 的日期")


def parse_month(value: Any) -> date | None:
    """The first day of a month written as 2026-03, 2026年3月 or any date in it."""
    if isinstance(value, str):
        match = MONTH_PATTERN.match(unicodedata.normalize("NFKC", value).strip())
        if match and 1 <= int(match[2]) <= 12:
            return date(int(match[1]), int(match[2]), 1)
    try:
        day = parse_date(value)
    except BadValue:
        raise BadValue(f"“{value}”不是月份；请填写如 2026-03 的年月") from None
    return None if day is None else day.replace(day=1)


def parse_count(value: Any) -> int | None:
    """A whole number that cannot be negative (cases, hours counted whole)."""
    number = parse_number(value)
    if number is None:
        return None
    if not float(number).is_integer() or number < 0:
        raise BadValue(f"“{value}”不是非负整数；请填写 0 或正整数")
    return int(number)


def parse_number(value: Any) -> float | None:
    """A number from a numeric cell or text such as 12.5 or １２."""
    if value is None or isinstance(value, bool):
        return None if value is None else float(value)
    if isinstance(value, int | float):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise BadValue(f"“{value}”不是数字；请填写数字，如 12 或 12.5") from None


def parse_bool(value: Any) -> bool | None:
    """Yes/no as offices write it: 是/否, 在岗/离岗, √/×, 1/0."""
    if value is None or isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if not text:
        return None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise BadValue(f"“{value}”应为“是”或“否”；请填写“是”或“否”")
