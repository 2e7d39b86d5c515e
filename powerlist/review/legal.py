"""Legal rules of the yearly review (合法性审核): 设定权, procedural-only bases, lawfulness of
delegations (下放/委托), and overlapping duties (职责交叉).

Each finding names the article it applies; the articles are data in powerlist/data/review.toml
except where the rule itself is a statute's wording (the delegation rules quote their article).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from functools import lru_cache

from powerlist.review.config import LevelLimit, LevelSpec, ProceduralLaw, ReviewConfig
from powerlist.review.drafts import draft, reviewed_items
from powerlist.review.facts import BasisFacts, DepartmentFacts, FindingDraft, ItemFacts
from powerlist.vocab import NON_ORGAN_KINDS, TOWNSHIP_LEVEL_KINDS, UnitKind

SCOPED_LEVELS = frozenset({"地方政府规章", "地方性法规"})
"""Levels made by both 省级 and 设区的市 bodies; the issuer tells which."""

ART_17_COERCION = (
    "行政强制法第十七条第一款：行政强制措施由法律、法规规定的行政机关在法定职权范围内实施。"
    "行政强制措施权不得委托"
)
ART_13_ENFORCEMENT = (
    "行政强制法第十三条、第三十四条：行政强制执行由法律设定，由法律规定的行政机关依法强制执行，"
    "法律未授权的不得委托实施"
)
ART_24_LICENCE = (
    "行政许可法第二十四条第一款：行政机关在其法定职权范围内，依照法律、法规、规章的规定，"
    "可以委托其他行政机关实施行政许可"
)
ART_21_PENALTY = (
    "行政处罚法第二十一条：受委托组织必须是依法成立并具有管理公共事务职能的组织，"
    "有熟悉有关法律、法规、规章和业务并取得行政执法资格的工作人员"
)
ART_20_PENALTY = (
    "行政处罚法第二十条第二款：委托书应当载明委托的具体事项、权限、期限等内容，"
    "委托行政机关和受委托组织应当将委托书向社会公布"
)
ART_24_LICENCE_NOTICE = (
    "行政许可法第二十四条第一款：委托机关应当将受委托行政机关和受委托实施行政许可的内容予以公告"
)
ENTRUSTMENT_IN_WRITING = (
    "委托应以书面委托书明确委托事项、权限和期限（参照行政处罚法第二十条第二款）"
)


# --- 设定权 (which levels of law may create which power) -------------------------------------
def basis_scope(basis: BasisFacts, config: ReviewConfig) -> str:
    """省级 or 设区的市 for a local regulation or rule, by issuer (else title); "" if unknown."""
    for text in (basis.issuer or "", basis.title.strip("《》")):
        if not text:
            continue
        if text.startswith(config.provincial_prefixes):
            return "省级"
        if re.match(r"^[^省市区县]{1,8}市", text):
            return "设区的市"
    return ""


def procedural_law(
    basis: BasisFacts, item: ItemFacts, config: ReviewConfig
) -> ProceduralLaw | None:
    """The procedural law this basis is, unless the item is one of the powers it creates itself."""
    law = config.procedural.get(basis.title.strip("《》"))
    if law is None or any(word in item.name for word in law.creates):
        return None
    return law


def procedural_basis_only(
    facts: DepartmentFacts, config: ReviewConfig, as_of: date
) -> Iterator[FindingDraft]:
    """An item whose only cited bases are procedural laws has no 设定依据 (creating basis)."""
    for item in reviewed_items(facts):
        if not item.bases:
            continue
        laws = [procedural_law(basis, item, config) for basis in item.bases]
        if all(laws):
            notes = "；".join(dict.fromkeys(law.law for law in laws if law))
            titles = "、".join(dict.fromkeys(f"《{b.title.strip('《》')}》" for b in item.bases))
            yield draft(
                config,
                "procedural_basis_only",
                item,
                f"实施依据仅引用{titles}：{notes}。该事项缺少设定依据，"
                "请补充设定该项权力的法律、法规或规章及条款",
            )


def basis_level(
    facts: DepartmentFacts, config: ReviewConfig, as_of: date
) -> Iterator[FindingDraft]:
    """Rule 4: no cited basis has a level that may create this kind of power (设定权).

    A level the law allows only within limits is judged by words of the item name; when the
    name cannot tell, the finding asks the department to confirm (basis_level_confirm).
    """
    for item in reviewed_items(facts):
        spec = config.level_for(item.category, item.name)
        creating = [b for b in item.bases if procedural_law(b, item, config) is None]
        if spec is None or not creating:
            continue
        if any(basis.level in spec.full for basis in creating):
            continue
        verdicts = [_limited_verdict(spec, basis, item, config) for basis in creating]
        if any(kind == "ok" for kind, _, _ in verdicts):
            continue
        confirms = [(text, severity) for kind, text, severity in verdicts if kind == "confirm"]
        if confirms:
            text, severity = confirms[0]
            yield draft(config, "basis_level_confirm", item, text, severity=severity)
            continue
        reasons = "；".join(dict.fromkeys(text for _, text, _ in verdicts))
        yield draft(config, "basis_level_too_low", item, f"{reasons}，不能设定{spec.name}")


def _described(basis: BasisFacts, scope: str) -> str:
    kind = f"{scope}{basis.level}" if scope and basis.level in SCOPED_LEVELS else basis.level
    return f"《{basis.title.strip('《》')}》（{kind}）"


def _limited_verdict(
    spec: LevelSpec, basis: BasisFacts, item: ItemFacts, config: ReviewConfig
) -> tuple[str, str, str]:
    """("ok" | "confirm" | "bad", message text, severity) for one basis below the full levels."""
    scope = basis_scope(basis, config) if basis.level in SCOPED_LEVELS else ""
    named = _described(basis, scope)
    for limit in (lim for lim in spec.limits if lim.level == basis.level):
        if limit.scope and scope and limit.scope != scope:
            continue
        if limit.scope and not scope:
            return (
                "confirm",
                f"依据{named}无法判断制定机关是否为{limit.scope}：{limit.note}，"
                f"请确认制定机关（{limit.law}）",
                "中",
            )
        return _within_limit(limit, named, item)
    return "bad", f"依据仅为{named}（{spec.law}）", ""


def _within_limit(limit: LevelLimit, named: str, item: ItemFacts) -> tuple[str, str, str]:
    forbidden = [w for w in limit.forbidden if w in item.name]
    if forbidden:
        return "bad", f"事项涉及“{forbidden[0]}”，而依据{named}：{limit.note}（{limit.law}）", ""
    if any(w in item.name for w in limit.ambiguous):
        return (
            "confirm",
            f"依据{named}：{limit.note}（{limit.law}）。事项名称无法判断处理种类，请确认",
            limit.severity or "中",
        )
    if limit.allowed and any(w in item.name for w in limit.allowed):
        return "ok", "", ""
    if limit.confirm:
        return (
            "confirm",
            f"依据{named}：{limit.note}（{limit.law}）。请确认该事项在此限度内",
            limit.severity,
        )
    return "ok", "", ""


# --- lawfulness of delegations (下放/委托是否合法) -------------------------------------------
def delegation_lawfulness(
    facts: DepartmentFacts, config: ReviewConfig, as_of: date
) -> Iterator[FindingDraft]:
    """Each active delegation: may this power go to this unit, in this way, on this paper?"""
    items = {item.id: item for item in reviewed_items(facts)}
    for delegation in facts.delegations:
        item = items.get(delegation.item_id)
        active = delegation.revoked_on is None or delegation.revoked_on > as_of
        if item is None or not active or delegation.since > as_of:
            continue
        unit = f"{delegation.unit_name}（{delegation.unit_kind or '单位类型未填'}）"
        kind = delegation.unit_kind
        if delegation.mode == "委托":
            yield from _entrustment(config, item, unit, kind, delegation.agreement)
        elif delegation.mode == "下放":
            document = delegation.decision_document or delegation.agreement
            township = kind in TOWNSHIP_LEVEL_KINDS
            if item.category == "行政处罚" and township and not (document or "").strip():
                yield draft(
                    config,
                    "delegation_without_decision",
                    item,
                    f"行政处罚权下放至{unit}，未载明省、自治区、直辖市的下放决定文件，"
                    "请补录决定文号或收回",
                )


def _entrustment(
    config: ReviewConfig, item: ItemFacts, unit: str, kind: str, agreement: str | None
) -> Iterator[FindingDraft]:
    spec = config.level_for(item.category, item.name)
    if item.category == "行政强制":
        enforcement = spec is not None and bool(spec.name_keywords)
        article = ART_13_ENFORCEMENT if enforcement else ART_17_COERCION
        yield draft(config, "delegation_unlawful", item, f"行政强制事项委托{unit}实施（{article}）")
    elif item.category == "行政许可" and kind in NON_ORGAN_KINDS:
        yield draft(
            config,
            "delegation_unlawful",
            item,
            f"行政许可委托{unit}实施，受委托方不是行政机关（{ART_24_LICENCE}）",
        )
    elif item.category == "行政处罚" and kind == UnitKind.SOCIAL_ORGANISATION:
        yield draft(
            config,
            "delegation_unlawful",
            item,
            f"行政处罚委托{unit}实施，请确认受委托组织依法成立并具有管理公共事务职能（{ART_21_PENALTY}）",
            severity="中",
        )
    if not (agreement or "").strip():
        article, severity = {
            "行政处罚": (ART_20_PENALTY, ""),
            "行政许可": (ART_24_LICENCE_NOTICE, ""),
        }.get(item.category, (ENTRUSTMENT_IN_WRITING, "低"))
        yield draft(
            config,
            "entrustment_without_agreement",
            item,
            f"委托{unit}实施，未载明委托书（{article}）",
            severity=severity,
        )


# --- overlapping duties (职责交叉) -----------------------------------------------------------
_PUNCTUATION = re.compile(r"[\s　，,、。．.；;：:“”\"'‘’《》<>（）()【】\[\]—\-_/·]")


@lru_cache(maxsize=65536)
def normalise_name(name: str | None) -> str:
    """An item name compared across departments: NFKC, no spaces or punctuation.

    Cached: every department's review compares against the same few thousand peer names.
    """
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", name or ""))


def overlapping_duties(
    facts: DepartmentFacts, config: ReviewConfig, as_of: date
) -> Iterator[FindingDraft]:
    """The same item (normalised name + 子项, or the same upper-catalog code + 子项) held by
    another department: a finding naming that department, in each department's workbook."""
    by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_code: dict[tuple[str, str], list[str]] = defaultdict(list)
    catalog_codes = {entry.code for entry in facts.catalog}
    for other in facts.held_elsewhere:
        sub = normalise_name(other.sub_item)
        label = f"{other.department_name}的“{other.name}”（编码{other.code}）"
        by_name[(normalise_name(other.name), sub)].append(label)
        if other.code in catalog_codes:
            by_code[(other.code, sub)].append(label)
    for item in reviewed_items(facts):
        sub = normalise_name(item.sub_item)
        same = by_name.get((normalise_name(item.name), sub), [])
        if item.code in catalog_codes:
            same = same + by_code.get((item.code, sub), [])
        if not same:
            continue
        others = "、".join(dict.fromkeys(same))
        sub_text = f"（子项“{item.sub_item}”）" if item.sub_item else ""
        yield draft(
            config,
            "overlapping_duty",
            item,
            f"本事项{sub_text}与{others}为同一事项，同一事项由多个部门实施，"
            "请与对方部门协商明确职责边界后调整",
        )
