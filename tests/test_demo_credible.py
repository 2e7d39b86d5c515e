"""The demo's truths: citations that exist, names without 第第, headline figures = database."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from powerlist.demo.context import CITY_CHANGED, CITY_ITEMS
from powerlist.demo.generate import generate_city
from powerlist.demo.names import SUB_ITEM_SETS, chinese_numeral
from powerlist.demo.reference import ARTICLES, DEPARTMENTS, LAWS
from powerlist.models import Department, PowerItem
from powerlist.summary import headline_figures, headline_table, successor_of
from tests.fixtures_demo import demo_city_engine

NUMERALS = {chinese_numeral(n): n for n in range(1, 1000)}


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def demo_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """The demo city loaded once per module, on SQLite and on PostgreSQL."""
    with demo_city_engine(request.param, tmp_path_factory.mktemp("demo"), request) as engine:
        yield engine


@pytest.fixture(scope="module")
def city():
    return generate_city()


def test_no_item_name_repeats_di(city) -> None:
    assert not [i["name"] for i in city.tables["power_items"] if "第第" in i["name"]]


def test_every_cited_article_exists_in_its_law(city) -> None:
    titles = {row["id"]: row["title"].strip("《》") for row in city.tables["legal_bases"]}
    for basis in city.tables["item_bases"]:
        match = re.fullmatch(r"第(.+)条", basis["articles"])
        assert match, basis
        title = titles[basis["basis_id"]]
        assert 1 <= NUMERALS[match.group(1)] <= ARTICLES[title], (title, basis["articles"])


def test_article_named_in_an_item_name_exists(city) -> None:
    for item in city.tables["power_items"]:
        match = re.search(r"《(.+?)》第(.+?)条", item["name"])
        if match:
            assert NUMERALS[match.group(2)] <= ARTICLES[match.group(1)], item["name"]


def test_citations_come_from_the_department_field(city) -> None:
    """Apart from the general laws every citation is a law of the owning department's field,
    or a planted defect: a repealed predecessor, the dog-keeping regulation, a city document."""
    specs = {d["id"]: s for d, s in _departments(city)}
    titles = {row["id"]: row["title"].strip("《》") for row in city.tables["legal_bases"]}
    items = {i["id"]: i for i in city.tables["power_items"]}
    general = {"中华人民共和国行政许可法", "中华人民共和国行政处罚法", "中华人民共和国行政强制法"}
    planted = {"中华人民共和国城市规划法", "城市房屋拆迁管理条例", "中华人民共和国食品卫生法",
               "包头市养犬管理条例"}  # fmt: skip
    for basis in city.tables["item_bases"]:
        title = titles[basis["basis_id"]]
        spec = specs[items[basis["item_id"]]["department_id"]]
        assert title in spec.laws or title in general or title in planted, (spec.name, title)


def test_sub_items_and_accountability_fit_the_power_type(city) -> None:
    for item in city.tables["power_items"]:
        if item["sub_item"]:
            allowed = {s for group in SUB_ITEM_SETS.get(item["category"], ()) for s in group}
            assert item["sub_item"] in allowed, (item["category"], item["sub_item"])
        if item["category"] == "行政处罚" and item["accountability"]:
            assert "许可" not in item["accountability"].split("\n")[1]


def test_laws_table_levels_and_counts() -> None:
    levels = {law.title: law.level for law in LAWS}
    assert levels["信访工作条例"] == "党内法规"
    assert ARTICLES["中华人民共和国行政许可法"] == 83
    assert ARTICLES["中华人民共和国招标投标法"] == 68
    assert all(law.articles > 0 for law in LAWS)


def test_handling_stats_keep_their_invariants(city) -> None:
    for s in city.tables["handling_stats"]:
        assert s["on_time"] + s["overdue"] == s["completed"] <= s["received"]
        for column in ("returned", "complaints", "poor_ratings"):
            assert s[column] <= s["received"]
        assert s["good_ratings"] + s["poor_ratings"] <= s["ratings"] <= s["received"]
        assert s["poor_ratings_fixed"] <= s["poor_ratings"]


def test_successor_follows_mergers() -> None:
    assert successor_of({1: (None, True), 2: (1, False), 3: (2, False), 4: (None, True)}) == {
        1: 1, 2: 1, 3: 1, 4: 4,
    }  # fmt: skip


def test_headline_figures_equal_the_database(demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        figures = headline_figures(session)
        total = session.execute(select(func.count()).select_from(PowerItem)).scalar_one()
        by_status = dict(
            session.execute(select(PowerItem.status, func.count()).group_by(PowerItem.status)).all()
        )
        fgw = session.scalars(select(Department).where(Department.code == "fgw")).one()
        merged = session.scalars(select(Department.id).where(Department.merged_into_id == fgw.id))
        fgw_items = session.execute(
            select(func.count()).where(PowerItem.department_id.in_([fgw.id, *merged]))
        ).scalar_one()
    city = figures["city"]
    assert city["事项总数"] == total == CITY_ITEMS
    assert {s: city[s] for s in ("保留", "取消", "下放", "委托")} == {
        s: by_status.get(s, 0) for s in ("保留", "取消", "下放", "委托")
    }
    assert city["取消下放委托"] == sum(CITY_CHANGED.values()) == 891
    assert sum(v["事项总数"] for v in figures["by_department"].values()) == total
    assert sum(v["事项总数"] for v in figures["by_type"].values()) == total
    assert figures["by_department"][fgw.name]["事项总数"] == fgw_items  # merged 粮食局 included
    assert "粮食和物资储备局" not in " ".join(figures["by_department"])
    lines = headline_table(figures)
    assert lines[1].split()[:2] == ["全市", str(total)]


def _departments(city):
    specs = {s.code: s for s in DEPARTMENTS}
    return [(d, specs[d["code"]]) for d in city.tables["departments"]]
