"""Split a multi-line 实施依据 cell into one legal basis per law, keeping the cited 条款.

  1.《中华人民共和国食品安全法》第三十五条第一款；
  2.《食品经营许可管理办法》第二条、《行政许可法》第十二条
becomes (食品安全法, 第三十五条第一款), (食品经营许可管理办法, 第二条), (行政许可法, 第十二条).
"""

from __future__ import annotations

import re

from powerlist.vocab import BasisLevel

BOOK_TITLE = re.compile(r"《([^》]+)》")
NUMBERING = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+|[①-⑳])\s*[、.．)）]\s*")
SEPARATORS = re.compile(r"[\n；;]+")
NUMERAL = r"[一二三四五六七八九十百千零〇两\d]+"
ARTICLE = re.compile(rf"第{NUMERAL}条(?:之{NUMERAL})?(?:第{NUMERAL}款)?(?:第{NUMERAL}项)?")
UNMARKED_TITLE = re.compile(r"^(.+?(?:法|条例|规定|办法|细则|决定|规则|意见|通知))(.*)$")
LOCAL_PREFIXES = ("内蒙古", "包头", "自治区", "省", "市")


def split_bases(text: str | None) -> list[tuple[str, str | None]]:
    """(law title without 《》, cited articles or None), one per law, in order of first mention."""
    found: dict[str, list[str]] = {}
    for line in SEPARATORS.split(text or ""):
        line = NUMBERING.sub("", line).strip(" ，,。")
        if not line:
            continue
        matches = list(BOOK_TITLE.finditer(line))
        if not matches:
            unmarked = UNMARKED_TITLE.match(line)
            title, rest = (unmarked[1], unmarked[2]) if unmarked else (line, "")
            _add(found, title, rest)
            continue
        for index, match in enumerate(matches):
            end = matches[index + 1].start() if index + 1 < len(matches) else len(line)
            _add(found, match[1], line[match.end() : end])
    return [(title, "；".join(articles) or None) for title, articles in found.items()]


def _add(found: dict[str, list[str]], title: str, rest: str) -> None:
    title = title.strip(" 《》")
    if not title:
        return
    articles = found.setdefault(title, [])
    for article in ARTICLE.findall(rest):
        if article not in articles:
            articles.append(article)


def guess_level(title: str) -> str:
    """A best guess at a new law's level from its title; the registry import sets the real one."""
    local = title.startswith(LOCAL_PREFIXES) or "自治区" in title[:8]
    if title.endswith("法") and not title.endswith("办法"):
        return BasisLevel.LAW
    if "国务院" in title and title.endswith("决定"):
        return BasisLevel.STATE_COUNCIL_DECISION
    if title.endswith("条例"):
        return BasisLevel.LOCAL_REGULATION if local else BasisLevel.ADMINISTRATIVE_REGULATION
    if title.endswith(("规定", "办法", "细则")):
        return BasisLevel.LOCAL_GOVERNMENT_RULE if local else BasisLevel.DEPARTMENTAL_RULE
    return BasisLevel.NORMATIVE_DOCUMENT
