"""The demo city: Baotou's figures, deterministic from a seed, with every planted defect class.

Defects are counted with SQL against the loaded database, independently of the generator's
own bookkeeping, so a generator that stops planting a defect fails here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, and_, func, select, text

from powerlist import db
from powerlist.demo.generate import AS_OF, generate_city, generate_province
from powerlist.demo.load import DatabaseNotEmpty, load_demo
from powerlist.models import (
    Delegation,
    Department,
    HandlingStat,
    ItemBasis,
    LegalBasis,
    PowerItem,
    TrainingRecord,
    UpperCatalogEntry,
)
from powerlist.summary import dataset_summary
from tests.fixtures_demo import demo_city_engine


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def demo_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """The demo city loaded once per module, on SQLite and on PostgreSQL."""
    with demo_city_engine(request.param, tmp_path_factory.mktemp("demo"), request) as engine:
        yield engine


def scalar(engine: Engine, query: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())  # type: ignore[call-overload]


def test_summary_matches_the_baotou_figures(demo_engine: Engine) -> None:
    with db.session_scope(demo_engine) as session:
        summary = dataset_summary(session)
    assert summary["departments_active"] == 51
    assert summary["items"] == 6834
    assert summary["items_cancelled_delegated_entrusted"] == 891
    assert set(summary["items_by_status"]) == {"保留", "取消", "下放", "委托"}
    assert len(summary["items_by_type"]) == 12
    assert summary["items_by_type"]["行政处罚"] > summary["items_by_type"]["行政许可"]
    assert summary["delegations"] > 891 - 310  # each delegated item reaches one or more units
    assert summary["staff"] > 1000


def test_every_department_has_its_real_name(demo_engine: Engine) -> None:
    with demo_engine.connect() as connection:
        names = set(connection.execute(select(Department.name)).scalars())
    assert {"包头市生态环境局", "包头市市场监督管理局", "包头市公安局"} <= names
    with demo_engine.connect() as connection:
        units = set(connection.execute(text("SELECT district FROM receiving_units")).scalars())
    assert units == {
        "昆都仑区", "青山区", "东河区", "九原区", "石拐区", "白云鄂博矿区",
        "土默特右旗", "固阳县", "达尔罕茂明安联合旗", "稀土高新区",
    }  # fmt: skip


def test_items_without_any_legal_basis(demo_engine: Engine) -> None:
    cited = select(ItemBasis.item_id)
    assert scalar(demo_engine, select(func.count()).where(PowerItem.id.not_in(cited))) == 95


@pytest.mark.parametrize(("status", "expected"), [("已废止", 28), ("尚未生效", 6)])
def test_items_citing_a_basis_not_in_force(demo_engine: Engine, status: str, expected: int) -> None:
    query = (
        select(func.count(func.distinct(ItemBasis.item_id)))
        .join(LegalBasis, ItemBasis.basis_id == LegalBasis.id)
        .where(LegalBasis.status == status)
    )
    assert scalar(demo_engine, query) == expected


def test_strong_powers_resting_only_on_normative_documents(demo_engine: Engine) -> None:
    strong = PowerItem.category.in_(["行政许可", "行政处罚", "行政强制"])
    higher = (
        select(ItemBasis.item_id)
        .join(LegalBasis, ItemBasis.basis_id == LegalBasis.id)
        .where(LegalBasis.level != "规范性文件")
    )
    query = select(func.count()).where(strong, PowerItem.id.in_(select(ItemBasis.item_id)),
                                       PowerItem.id.not_in(higher))  # fmt: skip
    assert scalar(demo_engine, query) == 40


def test_items_reviewed_before_their_basis_was_amended(demo_engine: Engine) -> None:
    query = (
        select(func.count(func.distinct(PowerItem.id)))
        .join(ItemBasis, ItemBasis.item_id == PowerItem.id)
        .join(LegalBasis, ItemBasis.basis_id == LegalBasis.id)
        .where(LegalBasis.status == "已修改", PowerItem.last_reviewed_on < LegalBasis.amended_on)
    )
    assert scalar(demo_engine, query) >= 60


def test_stale_reviews_and_missing_responsibilities(demo_engine: Engine) -> None:
    year_ago = AS_OF - timedelta(days=365)
    stale = select(func.count()).where(PowerItem.last_reviewed_on < year_ago)
    assert scalar(demo_engine, stale) >= 540
    missing = select(func.count()).where(
        (PowerItem.responsibilities.is_(None)) | (PowerItem.accountability.is_(None))
    )
    assert scalar(demo_engine, missing) == 110


@pytest.mark.parametrize("column", ["code", "name"])
def test_duplicate_codes_and_names_within_a_department(demo_engine: Engine, column: str) -> None:
    groups = (
        select(PowerItem.department_id)
        .where(PowerItem.sub_item.is_(None))
        .group_by(PowerItem.department_id, getattr(PowerItem, column))
        .having(func.count() > 1)
        .subquery()
    )
    assert scalar(demo_engine, select(func.count()).select_from(groups)) == 12


def test_merged_departments_still_hold_items(demo_engine: Engine) -> None:
    query = (
        select(func.count())
        .select_from(PowerItem)
        .join(Department, PowerItem.department_id == Department.id)
        .where(Department.active.is_(False), Department.merged_into_id.is_not(None))
    )
    assert scalar(demo_engine, query) > 0
    merged = select(func.count()).where(Department.active.is_(False))
    assert scalar(demo_engine, merged) == 2


def test_catalog_decisions_the_list_has_not_followed(demo_engine: Engine) -> None:
    still_held = (
        select(func.count())
        .select_from(UpperCatalogEntry)
        .join(PowerItem, and_(PowerItem.code == UpperCatalogEntry.code, PowerItem.status == "保留"))
    )
    assert scalar(demo_engine, still_held.where(UpperCatalogEntry.decision == "取消")) == 30
    assert scalar(demo_engine, still_held.where(UpperCatalogEntry.decision == "下放")) == 20
    missing = select(func.count()).where(
        UpperCatalogEntry.decision == "保留", UpperCatalogEntry.code.not_in(select(PowerItem.code))
    )
    assert scalar(demo_engine, missing) == 15


def test_zero_case_and_poorly_handled_delegations(demo_engine: Engine) -> None:
    totals = (
        select(
            HandlingStat.delegation_id,
            func.sum(HandlingStat.received).label("received"),
            func.sum(HandlingStat.overdue).label("overdue"),
            func.sum(HandlingStat.complaints).label("complaints"),
        )
        .group_by(HandlingStat.delegation_id)
        .subquery()
    )
    zero = select(func.count()).select_from(totals).where(totals.c.received == 0)
    assert scalar(demo_engine, zero) > 100
    poor = select(func.count()).select_from(totals).where(totals.c.complaints > 5)
    assert scalar(demo_engine, poor) > 50
    unsigned = select(func.count()).where(Delegation.mode == "委托", Delegation.agreement.is_(None))
    assert scalar(demo_engine, unsigned) > 0


def test_overdue_training(demo_engine: Engine) -> None:
    query = text(
        "SELECT COUNT(*) FROM (SELECT r.staff_id, MAX(r.completed_on) AS last "
        "FROM training_records r JOIN training_requirements q ON q.id = r.requirement_id "
        "WHERE q.code = 'TR-DELEG' GROUP BY r.staff_id) t WHERE t.last < :cutoff"
    )
    with demo_engine.connect() as connection:
        overdue = connection.execute(query, {"cutoff": AS_OF - timedelta(days=366)}).scalar_one()
    assert overdue > 200


def test_the_same_seed_builds_the_same_city() -> None:
    first, second = generate_city(7), generate_city(7)
    assert {t: len(r) for t, r in first.tables.items()} == {
        t: len(r) for t, r in second.tables.items()
    }
    assert first.tables["power_items"][:50] == second.tables["power_items"][:50]
    assert first.tables["staff"][-5:] == second.tables["staff"][-5:]
    other = generate_city(8)
    assert other.tables["power_items"][:50] != first.tables["power_items"][:50]
    assert len(other.tables["power_items"]) == 6834


def test_loading_into_a_database_with_data_is_refused(demo_engine: Engine) -> None:
    with pytest.raises(DatabaseNotEmpty, match="--reset"):
        load_demo(demo_engine, [generate_city(2026)])


def test_province_scale_builds_thousands_of_departments_chunk_by_chunk() -> None:
    chunks = list(generate_province(2026, items=24_000))
    departments = sum(len(c.tables.get("departments", [])) for c in chunks)
    items = [i for c in chunks for i in c.tables.get("power_items", [])]
    assert departments == 12 * (53 + 9 * 22)  # 12 cities: municipal + county departments
    assert len(items) == 24_000
    assert len({i["id"] for i in items}) == 24_000  # ids continue across chunks
    assert sum(c.planted["no_basis"] for c in chunks) > 12
    # each city is its own government: 职责交叉 peers are one city's (or one 旗县区's)
    # departments, never every municipal department of the province
    rows = [d for c in chunks for d in c.tables.get("departments", [])]
    groups = Counter((d["level"], d["region"]) for d in rows)
    assert all(d["region"] for d in rows)
    assert len(groups) == 12 + 12 * 9 and max(groups.values()) == 53
    assert all(d["region"] is None for d in generate_city(2026).tables["departments"])


def test_loading_leaves_fresh_planner_statistics(demo_engine: Engine) -> None:
    """ANALYZE runs after the load, so the first job's queries get good plans at once."""
    if demo_engine.dialect.name != "postgresql":
        return  # SQLite plans from its indexes without statistics
    with demo_engine.connect() as connection:
        estimate = connection.execute(
            text("SELECT reltuples FROM pg_class WHERE relname = 'training_records'")
        ).scalar_one()
    count = scalar(demo_engine, select(func.count()).select_from(TrainingRecord))
    assert count > 1000 and abs(estimate - count) <= 0.05 * count
