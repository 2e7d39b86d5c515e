"""Item names in the style of published lists, per power type (权力类型).

Names are built from a department's subject nouns, act templates and the laws it applies,
so a generated list reads like a real one: 对未取得许可擅自从事排污活动的处罚.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

TEMPLATES: dict[str, tuple[str, ...]] = {
    "行政许可": (
        "{n}许可",
        "{n}审批",
        "{n}核准",
        "{n}资格认定",
        "{n}许可证核发",
        "{n}变更许可",
        "{n}延续许可",
    ),
    "行政确认": ("{n}登记", "{n}认定", "{n}确认", "{n}等级评定", "{n}证明出具"),
    "行政裁决": ("{n}纠纷裁决", "{n}权属争议处理", "{n}补偿争议裁决"),
    "行政给付": ("{n}补助发放", "{n}补贴给付", "{n}奖补资金拨付", "{n}救助金给付"),
    "行政奖励": ("对{n}工作中成绩显著的单位和个人给予表彰奖励", "对举报{n}违法行为有功人员的奖励"),
    "行政备案": ("{n}备案", "{n}变更备案", "{n}应急预案备案", "{n}合同备案"),
    "行政检查": ("对{n}的监督检查", "对{n}的日常巡查", "对{n}的专项检查", "对{n}的抽样检验"),
    "行政处罚": (
        "对未取得许可擅自从事{n}活动的处罚",
        "对{n}中弄虚作假的处罚",
        "对拒绝、阻碍{n}监督检查的处罚",
        "对未按规定报送{n}资料的处罚",
        "对{n}违反安全管理规定的处罚",
        "对伪造、变造、出租、出借{n}许可证件的处罚",
        "对未按规定建立{n}台账的处罚",
        "对超出核准范围从事{n}活动的处罚",
        "对{n}未履行告知义务的处罚",
        "对擅自变更{n}登记事项的处罚",
        "对{n}未按规定公示信息的处罚",
        "对{n}拒不改正违法行为的处罚",
        "对以欺骗、贿赂等不正当手段取得{n}许可的处罚",
        "对{n}未落实主体责任的处罚",
    ),
    "行政强制": (
        "查封、扣押与{n}违法行为有关的场所、设施或者财物",
        "对{n}违法行为的代履行",
        "对{n}有关财物的先行登记保存",
        "责令停止{n}相关活动并暂扣证照",
        "加处罚款或者滞纳金（{n}）",
    ),
    "行政征收": ("{n}费征收", "{n}补偿费征收", "{n}有偿使用费征收"),
    "其他行政权力": ("{n}监督管理", "{n}年度报告审查", "{n}信用评价", "{n}责令整改", "{n}约谈"),
    "公共服务": ("{n}政策咨询", "{n}信息查询", "{n}办事指南公开", "{n}证明材料开具"),
}

LAW_PENALTY = "对违反《{law}》{art}规定行为的处罚"

SUB_ITEM_SETS: dict[str, tuple[tuple[str, ...], ...]] = {
    "行政许可": (("新办", "变更", "延续", "注销"), ("首次申请", "补发", "换发")),
    "行政确认": (("首次登记", "变更登记", "注销登记"),),
    "行政处罚": (("对个人的处罚", "对单位的处罚"), ("情节较轻的", "情节严重的")),
    "行政备案": (("首次备案", "变更备案"),),
    "行政给付": (("城市", "农村牧区"),),
}
"""Sub-items (子项) real lists split each power type into; types absent here have none."""

QUALIFIERS = (
    "市本级",
    "跨旗县区",
    "涉企事项",
    "重点行业领域",
    "线上办理",
    "年度",
    "专项",
    "信用分级分类",
)
"""Scopes that distinguish otherwise equal item names in a large department's list."""

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """Write 1–999 the way Chinese laws number articles: 23 → 二十三."""
    if not 0 < number < 1000:
        raise ValueError(number)
    hundreds, rest = divmod(number, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += _DIGITS[hundreds] + "百"
        if rest and tens == 0:
            out += "零"
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    if ones:
        out += _DIGITS[ones]
    return out


def article(number: int) -> str:
    """An article reference: 第二十三条."""
    return f"第{chinese_numeral(number)}条"


def penalty_article(articles: int, rng: random.Random) -> int:
    """An article of a law's 法律责任 chapter: the last third, never the final 施行 article."""
    last = max(1, articles - 1)
    return rng.randint(max(1, min(last, articles * 2 // 3)), last)


def basis_article(articles: int, rng: random.Random) -> int:
    """An article of a law's substantive part: never article 1 (purpose) nor the last (施行)."""
    return rng.randint(min(2, articles), max(min(2, articles), articles - 1))


NamedItem = tuple[str, str | None, int | None]
"""An item name with the law and article it names (for names citing one), else None."""


def item_names(
    category: str,
    nouns: tuple[str, ...],
    laws: dict[str, int],
    rng: random.Random,
    given: tuple[str, ...] = (),
) -> Iterator[NamedItem]:
    """Yield distinct plausible item names of one category for a department, without end.

    `laws` maps the department's law titles to their article counts, so a name citing an
    article (对违反《…》第六十二条规定行为的处罚) always names an article the law has. `given`
    real names replace the templates (the 行政给付, 行政征收 and 行政裁决 of those holding them).
    """
    templates = TEMPLATES[category]
    seen: set[str] = set()
    candidates = list(given) or [t.format(n=n) for t in templates for n in nouns]
    rng.shuffle(candidates)
    for name in candidates:
        seen.add(name)
        yield name, None, None
    titles = sorted(laws)
    qualified = [f"{base}（{q}）" for base in candidates for q in QUALIFIERS]
    rng.shuffle(qualified)
    counter = 0
    while True:
        counter += 1
        if category == "行政处罚" and titles:
            named = _law_penalty(titles, laws, seen, rng)
            if named is not None:
                seen.add(named[0])
                yield named
                continue
        name = qualified.pop() if qualified else f"{rng.choice(candidates)}（其他情形{counter}）"
        if name not in seen:
            seen.add(name)
            yield name, None, None


def _law_penalty(
    titles: list[str], laws: dict[str, int], seen: set[str], rng: random.Random
) -> NamedItem | None:
    for _ in range(20):  # law-and-article names run out for very large departments
        law = rng.choice(titles)
        number = penalty_article(laws[law], rng)
        name = LAW_PENALTY.format(law=law, art=article(number))
        if name not in seen:
            return name, law, number
    return None
