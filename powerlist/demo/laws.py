"""The demo's legal-basis registry (法律依据库): the sourced table in powerlist/data/baotou.toml."""

from __future__ import annotations

from powerlist.demo.context import DemoCity, Row
from powerlist.demo.reference import LAWS

SUCCESSORS = {
    "中华人民共和国城市规划法": "中华人民共和国城乡规划法",
    "城市房屋拆迁管理条例": "国有土地上房屋征收与补偿条例",
    "中华人民共和国食品卫生法": "中华人民共和国食品安全法",
}
"""Repealed law → the law that replaced it."""


def add_laws(city: DemoCity) -> dict[str, Row]:
    """One legal_bases row per law of the table, by title without 《》."""
    by_title: dict[str, Row] = {}
    for law in LAWS:
        by_title[law.title] = city.add(
            "legal_bases",
            {
                "title": f"《{law.title}》",
                "doc_number": "",
                "level": law.level,
                "status": law.status,
                "issuer": law.issuer,
                "promulgated_on": law.promulgated,
                "effective_on": law.effective,
                "amended_on": law.amended,
                "repealed_on": law.repealed,
                "superseded_by_id": None,
                "note": None,
            },
        )
    for old, new in SUCCESSORS.items():
        by_title[old]["superseded_by_id"] = by_title[new]["id"]
    return by_title
