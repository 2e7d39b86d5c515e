"""The review's rules on a tiny named world (SQLite and PostgreSQL) and on hand-built facts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from powerlist import db
from powerlist.models import DelegationAssessment, Finding, Report, Run
from powerlist.review.config import ReviewConfigError, load_config, parse_config
from powerlist.review.facts import BasisFacts, DepartmentFacts, ItemFacts
from powerlist.review.rules import stale_review
from tests.fixtures_review import AS_OF, at_as_of, build_world, run_job


def findings_by_item(engine: Engine, ids: dict[str, int]) -> dict[str, set[str]]:
    letters = {v: k for k, v in ids.items() if len(k) == 1}
    out: dict[str, set[str]] = defaultdict(set)
    with db.session_scope(engine) as s:
        for item_id, rule in s.execute(select(Finding.item_id, Finding.rule)):
            out[letters.get(item_id, "-") if item_id else "-"].add(rule)
    return dict(out)


def test_each_defect_is_found_on_its_item(engine: Engine, tmp_path: Path) -> None:
    ids = build_world(engine)
    with at_as_of():
        summary = run_job(engine, "2026", "all", tmp_path / "out")
    assert summary["units"] == ["sthjj", "lcj"]  # hbj was merged: its items go to sthjj
    found = findings_by_item(engine, ids)
    assert found == {
        "B": {"basis_repealed"},
        "C": {"basis_amended"},
        "D": {"basis_level_too_low"},
        "E": {"no_basis"},
        "A": {"duplicate_code"},
        "F": {"duplicate_code"},
        "G": {"missing_responsibility", "catalog_cancelled"},
        "H": {"stale_review"},
        "M": {"basis_not_yet_effective"},
        "N": {"basis_level_confirm"},
        "K": {"department_restructured"},
        "-": {"catalog_missing"},
    }
    assert summary["rules_without_data"] == ["poor_delegation"]
    with db.session_scope(engine) as s:
        severities = dict(s.execute(select(Finding.item_id, Finding.severity)).all())
        restructured = s.scalar(select(Finding.message).where(Finding.item_id == ids["K"]))
        repealed = s.scalar(select(Finding.message).where(Finding.item_id == ids["B"]))
    assert severities[ids["D"]] == "高"  # a normative document cannot create a licence
    assert severities[ids["N"]] == "中"  # a government rule may create limited penalties only
    assert "并入包头市生态环境局" in restructured and "2024-03-01" in restructured
    assert "《中华人民共和国城乡规划法》替代" in repealed


def test_rerun_replaces_findings_and_reports(engine: Engine, tmp_path: Path) -> None:
    build_world(engine)
    with at_as_of():
        first = run_job(engine, "2026", "all", tmp_path / "out")
        second = run_job(engine, "2026", "all", tmp_path / "out")
    assert first["findings"] == second["findings"] == 13
    assert first["run_id"] == second["run_id"]
    with db.session_scope(engine) as s:
        assert len(s.scalars(select(Finding)).all()) == 13
        reports = s.scalars(select(Report)).all()
        assert len(s.scalars(select(Run)).all()) == 1
    assert sorted(r.file_name for r in reports) == [
        "2026年度权责清单审核-全市汇总.xlsx",
        "2026年度权责清单审核-市林业和草原局.xlsx",
        "2026年度权责清单审核-市生态环境局.xlsx",
    ]
    workbooks = {p.name for p in (tmp_path / "out").iterdir() if p.suffix == ".xlsx"}
    assert workbooks == {r.file_name for r in reports}


def test_poorly_rated_delegation_uses_the_latest_yearly_assessment(
    engine: Engine, tmp_path: Path
) -> None:
    ids = build_world(engine)
    with at_as_of():
        run_id = run_job(engine, "2026", "sthjj", tmp_path / "out")["run_id"]
    with db.session_scope(engine) as s:
        s.add_all([
            DelegationAssessment(run_id=run_id, delegation_id=ids["delegation"], period="2025",
                                 score=52.0, grade="不合格", recommendation="收回"),
            DelegationAssessment(run_id=run_id, delegation_id=ids["delegation"], period="2026-Q3",
                                 score=95.0, grade="优秀", recommendation="继续"),
        ])  # fmt: skip
    with at_as_of():
        summary = run_job(engine, "2026", "sthjj", tmp_path / "out")
    assert summary["rules_without_data"] == []
    assert findings_by_item(engine, ids)["I"] == {"poor_delegation"}
    with db.session_scope(engine) as s:
        s.add(DelegationAssessment(run_id=run_id, delegation_id=ids["delegation"], period="2026",
                                   score=88.0, grade="良好", recommendation="继续"))  # fmt: skip
    with at_as_of():
        run_job(engine, "2026", "sthjj", tmp_path / "out")
    assert "I" not in findings_by_item(engine, ids)


def test_a_period_that_is_not_a_year_or_an_unknown_department_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    build_world(engine)
    with pytest.raises(ValueError, match="应为年份"):
        run_job(engine, "2026-Q3", "all", tmp_path / "out")
    with pytest.raises(ValueError, match="其事项在包头市生态环境局"):
        run_job(engine, "2026", "hbj", tmp_path / "out")
    with pytest.raises(ValueError, match="找不到部门编码“nope”"):
        run_job(engine, "2026", "nope", tmp_path / "out")


def _item(category: str, name: str, *levels: str, reviewed: date | None = None) -> ItemFacts:
    bases = tuple(
        BasisFacts(n, f"《依据{n}》", level, "现行有效", None, None, None, None, "第三条")
        for n, level in enumerate(levels)
    )
    return ItemFacts(1, "X1", name, None, category, "保留", "科", "责", "追", reviewed, bases)


def _department(*items: ItemFacts) -> DepartmentFacts:
    return DepartmentFacts(1, "d", "包头市某局", "市", True, None, None, items)


def test_stale_means_more_than_twelve_months() -> None:
    config = load_config()
    fresh = _department(_item("行政检查", "x", "法律", reviewed=date(2025, 11, 1)))
    old = _department(_item("行政检查", "x", "法律", reviewed=date(2025, 10, 31)))
    assert list(stale_review(fresh, config, AS_OF)) == []
    assert [f.rule for f in stale_review(old, config, AS_OF)] == ["stale_review"]


def test_bad_configuration_names_the_file_and_key() -> None:
    text = Path(__file__).parents[1].joinpath("powerlist/data/review.toml").read_text("utf-8")
    with pytest.raises(ReviewConfigError, match=r"my\.toml.*rules\.no_basis\.severity"):
        parse_config(
            text.replace('severity = "高"\naction = "取消"', 'severity = "严重"\naction = "取消"'),
            "my.toml",
        )
    with pytest.raises(ReviewConfigError, match=r"levels\.行政许可.*未知效力层级 省规章"):
        parse_config(
            text.replace('level = "地方政府规章"\nscope', 'level = "省规章"\nscope'), "my.toml"
        )
