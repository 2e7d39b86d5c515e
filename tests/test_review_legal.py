"""Legal rules of the review on hand-built facts: 设定权 table, procedural-only bases, lawfulness
of delegations, 职责交叉; each failing case's message names its article."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from powerlist import db
from powerlist.models import Department, Finding, PowerItem, ReceivingUnit
from powerlist.power_types import power_types
from powerlist.review.config import load_config
from powerlist.review.facts import (
    BasisFacts,
    CatalogFacts,
    DelegationFacts,
    DepartmentFacts,
    HeldElsewhere,
    ItemFacts,
)
from powerlist.review.legal import (
    basis_level,
    delegation_lawfulness,
    overlapping_duties,
    procedural_basis_only,
)
from powerlist.review.listing import FINDING_KEYS
from powerlist.vocab import UnitKind, infer_unit_kind, unit_kind
from tests.fixtures_review import AS_OF, at_as_of, build_world, run_job

CONFIG = load_config()


def basis(title: str, level: str, issuer: str | None = None, n: int = 1) -> BasisFacts:
    return BasisFacts(n, title, level, "现行有效", None, None, None, None, "第十条", issuer)


def item(category: str, name: str, *bases: BasisFacts, sub: str | None = None) -> ItemFacts:
    return ItemFacts(
        1, "X1", name, sub, category, "保留", "科", "责", "追", date(2026, 1, 1), tuple(bases)
    )


def department(*items: ItemFacts, **extra: object) -> DepartmentFacts:
    return DepartmentFacts(1, "d", "包头市某局", "市", True, None, None, items, **extra)  # type: ignore[arg-type]


LAW = basis("中华人民共和国某法", "法律")
REGULATION = basis("某管理条例", "行政法规", "国务院")
LOCAL = basis("内蒙古自治区某条例", "地方性法规", "内蒙古自治区人大常委会")
MINISTRY = basis("某部门办法", "部门规章", "某部")
PROVINCE_RULE = basis("内蒙古自治区某办法", "地方政府规章", "内蒙古自治区人民政府")
CITY_RULE = basis("包头市城市供热管理办法", "地方政府规章", "包头市人民政府")
UNKNOWN_RULE = basis("某某管理办法", "地方政府规章")
DOCUMENT = basis("包头市某实施细则", "规范性文件", "包头市人民政府办公室")
DECISION = basis("国务院关于某事项的决定", "国务院决定", "国务院")


def test_the_table_covers_all_eleven_power_types_with_an_article() -> None:
    configured = {spec.category for spec in CONFIG.levels}
    eleven = {t for t in power_types().names if t != "公共服务"}
    assert len(eleven) == 11 and eleven <= configured
    for spec in CONFIG.levels:
        assert "第" in spec.law or "〔" in spec.law or "法律未" in spec.law, spec.name
        assert all(limit.law for limit in spec.limits)


@pytest.mark.parametrize(
    ("category", "name", "cited", "rule", "severity", "article"),
    [
        ("行政许可", "某许可", DOCUMENT, "basis_level_too_low", "高", "第十四条至第十七条"),
        ("行政许可", "某许可", CITY_RULE, "basis_level_too_low", "高", "设区的市地方政府规章"),
        ("行政许可", "某许可", PROVINCE_RULE, "basis_level_confirm", "低", "第十五条第一款"),
        ("行政许可", "某许可", UNKNOWN_RULE, "basis_level_confirm", "中", "无法判断制定机关"),
        ("行政许可", "某许可", DECISION, None, None, None),
        ("行政许可", "某许可", LOCAL, None, None, None),
        ("行政处罚", "对某行为处以罚款", REGULATION, None, None, None),
        ("行政处罚", "对某行为的行政拘留", REGULATION, "basis_level_too_low", "高", "第十一条"),
        ("行政处罚", "对某行为吊销营业执照", LOCAL, "basis_level_too_low", "高", "第十二条"),
        ("行政处罚", "对某行为吊销许可证", LOCAL, "basis_level_confirm", "中", "第十二条"),
        ("行政处罚", "对某违法行为的处罚", LOCAL, None, None, None),
        ("行政处罚", "对某行为处以罚款", MINISTRY, None, None, None),
        ("行政处罚", "对某行为没收违法所得", MINISTRY, "basis_level_too_low", "高", "第十三条"),
        ("行政处罚", "对某违法行为的处罚", CITY_RULE, "basis_level_confirm", "中", "第十四条"),
        (
            "行政处罚",
            "对某违法行为的处罚",
            DOCUMENT,
            "basis_level_too_low",
            "高",
            "第十条至第十六条",
        ),
        ("行政强制", "查封场所设施", LOCAL, None, None, None),
        ("行政强制", "冻结存款", LOCAL, "basis_level_too_low", "高", "第十条第三款"),
        ("行政强制", "某强制措施", LOCAL, "basis_level_confirm", "中", "第十条第三款"),
        ("行政强制", "扣押财物", CITY_RULE, "basis_level_too_low", "高", "行政强制法》第十条"),
        ("行政强制", "扣押财物", REGULATION, None, None, None),
        ("行政强制", "代履行", REGULATION, "basis_level_too_low", "高", "第十三条"),
        ("行政强制", "代履行", LAW, None, None, None),
        ("行政检查", "对某单位的检查", DOCUMENT, "basis_level_too_low", "高", "国办发〔2024〕54号"),
        ("行政检查", "对某单位的检查", CITY_RULE, None, None, None),
        ("行政征收", "某费征收", DOCUMENT, "basis_level_too_low", "高", "立法法》第十一条"),
        ("行政征收", "某费征收", CITY_RULE, "basis_level_confirm", "中", "第九十三条第六款"),
        ("行政征收", "某费征收", LOCAL, None, None, None),
        ("行政备案", "某事项备案", DOCUMENT, "basis_level_confirm", "中", "国办发〔2018〕37号"),
        ("行政备案", "某事项备案", MINISTRY, None, None, None),
        ("行政给付", "某补贴发放", DOCUMENT, None, None, None),
        ("行政确认", "某资格确认", DOCUMENT, None, None, None),
    ],
)
def test_level_table(
    category: str,
    name: str,
    cited: BasisFacts,
    rule: str | None,
    severity: str | None,
    article: str | None,
) -> None:
    found = list(basis_level(department(item(category, name, cited)), CONFIG, AS_OF))
    if rule is None:
        assert found == []
        return
    assert [(f.rule, f.severity) for f in found] == [(rule, severity)]
    assert article in found[0].message


def test_a_full_level_next_to_a_low_one_passes() -> None:
    licence = item("行政许可", "某许可", DOCUMENT, basis("某条例", "行政法规", n=2))
    assert list(basis_level(department(licence), CONFIG, AS_OF)) == []


def test_only_procedural_laws_cited_means_no_creating_basis() -> None:
    penalty_law = basis("《中华人民共和国行政处罚法》", "法律")
    only = item("行政处罚", "对某违法行为的处罚", penalty_law)
    found = list(procedural_basis_only(department(only), CONFIG, AS_OF))
    assert [(f.rule, f.severity) for f in found] == [("procedural_basis_only", "高")]
    assert "行政处罚法第十条至第十四条" in found[0].message
    assert list(basis_level(department(only), CONFIG, AS_OF)) == []  # said once, not twice

    with_source = item("行政处罚", "对某违法行为的处罚", penalty_law, REGULATION)
    assert list(procedural_basis_only(department(with_source), CONFIG, AS_OF)) == []


@pytest.mark.parametrize(
    ("category", "name", "title"),
    [
        ("行政强制", "加处罚款", "中华人民共和国行政强制法"),  # §45 sets it itself
        ("行政强制", "代履行", "中华人民共和国行政强制法"),  # §50
        ("其他行政权力", "撤销行政许可", "中华人民共和国行政许可法"),  # §69
        ("行政裁决", "行政复议", "中华人民共和国行政复议法"),
    ],
)
def test_powers_a_procedural_law_creates_itself_pass(category: str, name: str, title: str) -> None:
    facts = department(item(category, name, basis(title, "法律")))
    assert list(procedural_basis_only(facts, CONFIG, AS_OF)) == []
    assert list(basis_level(facts, CONFIG, AS_OF)) == []


def delegation(
    mode: str,
    kind: UnitKind,
    *,
    agreement: str | None = "委托书〔2025〕1号",
    decision: str | None = None,
    revoked: date | None = None,
) -> DelegationFacts:
    return DelegationFacts(
        7, 1, mode, "某单位", "青山区", date(2024, 1, 1), revoked, agreement, kind.value, decision
    )


def lawfulness(category: str, name: str, *delegations: DelegationFacts) -> list[tuple[str, str]]:
    facts = department(item(category, name, LAW), delegations=delegations)
    found = list(delegation_lawfulness(facts, CONFIG, AS_OF))
    return [(f.rule, f.severity, f.message) for f in found]  # type: ignore[misc]


def test_coercive_powers_cannot_be_entrusted() -> None:
    (found,) = lawfulness("行政强制", "查封场所", delegation("委托", UnitKind.TOWNSHIP))
    assert found[:2] == ("delegation_unlawful", "高")
    assert "行政强制法第十七条" in found[2] and "不得委托" in found[2]
    assert (
        lawfulness("行政强制", "查封场所", delegation("下放", UnitKind.ADMINISTRATIVE_ORGAN)) == []
    )
    revoked = delegation("委托", UnitKind.TOWNSHIP, revoked=date(2026, 3, 1))
    assert lawfulness("行政强制", "查封场所", revoked) == []


def test_licences_may_be_entrusted_only_to_administrative_organs() -> None:
    for kind in (UnitKind.PUBLIC_INSTITUTION, UnitKind.SOCIAL_ORGANISATION):
        (found,) = lawfulness("行政许可", "某许可", delegation("委托", kind))
        assert found[:2] == ("delegation_unlawful", "高")
        assert "行政许可法第二十四条" in found[2]
    for kind in (UnitKind.ADMINISTRATIVE_ORGAN, UnitKind.TOWNSHIP, UnitKind.SUBDISTRICT):
        assert lawfulness("行政许可", "某许可", delegation("委托", kind)) == []


def test_an_entrustment_needs_a_written_agreement() -> None:
    (found,) = lawfulness(
        "行政处罚", "某处罚", delegation("委托", UnitKind.TOWNSHIP, agreement=None)
    )
    assert found[:2] == ("entrustment_without_agreement", "中")
    assert "行政处罚法第二十条第二款" in found[2]
    assert lawfulness("行政处罚", "某处罚", delegation("委托", UnitKind.TOWNSHIP)) == []
    (other,) = lawfulness(
        "行政检查", "某检查", delegation("委托", UnitKind.TOWNSHIP, agreement=" ")
    )
    assert other[:2] == ("entrustment_without_agreement", "低")


def test_penalties_entrusted_to_a_social_organisation_are_questioned() -> None:
    (found,) = lawfulness("行政处罚", "某处罚", delegation("委托", UnitKind.SOCIAL_ORGANISATION))
    assert found[:2] == ("delegation_unlawful", "中") and "行政处罚法第二十一条" in found[2]


def test_penalty_power_delegated_to_townships_needs_a_decision_document() -> None:
    bare = delegation("下放", UnitKind.SUBDISTRICT, agreement=None)
    (found,) = lawfulness("行政处罚", "某处罚", bare)
    assert found[0] == "delegation_without_decision"
    assert "行政处罚法》第二十四条" in found[2]
    documented = delegation("下放", UnitKind.TOWNSHIP, agreement=None, decision="内政发〔2024〕3号")
    assert lawfulness("行政处罚", "某处罚", documented) == []
    to_bureau = delegation("下放", UnitKind.ADMINISTRATIVE_ORGAN, agreement=None)
    assert lawfulness("行政处罚", "某处罚", to_bureau) == []


def test_overlapping_duties_by_normalised_name_and_sub_item_or_catalog_code() -> None:
    own = item("行政检查", "对 排污单位（企业）的检查", LAW, sub="日常检查")
    other = HeldElsewhere("包头市水务局", "SW01", "对排污单位(企业)的检查", "日常检查")
    (found,) = overlapping_duties(department(own, held_elsewhere=(other,)), CONFIG, AS_OF)
    assert found.rule == "overlapping_duty" and "包头市水务局" in found.message
    assert "中办发〔2015〕21号" in found.message

    other_sub = HeldElsewhere("包头市水务局", "SW01", "对排污单位(企业)的检查", "专项检查")
    assert (
        list(overlapping_duties(department(own, held_elsewhere=(other_sub,)), CONFIG, AS_OF)) == []
    )

    same_code = HeldElsewhere("包头市水务局", "X1", "另一个名称", "日常检查")
    assert (
        list(overlapping_duties(department(own, held_elsewhere=(same_code,)), CONFIG, AS_OF)) == []
    )
    entry = CatalogFacts("X1", "某检查", "行政检查", None, "保留", None, None, None)
    facts = department(own, held_elsewhere=(same_code,), catalog=(entry,))
    assert [f.rule for f in overlapping_duties(facts, CONFIG, AS_OF)] == ["overlapping_duty"]


def test_overlap_is_found_in_both_workbooks_naming_the_other(
    engine: Engine, tmp_path: Path
) -> None:
    ids = build_world(engine)
    with db.session_scope(engine) as s:
        s.add(PowerItem(code="JC900", name="林木采伐许可", category="行政许可", status="保留",
                        department_id=ids["sthjj"], unit="科", version=1))  # fmt: skip
    with at_as_of():
        run_job(engine, "2026", "all", tmp_path / "out")
    with db.session_scope(engine) as s:
        rows = s.execute(
            select(Department.code, Finding.message)
            .join(Department, Finding.department_id == Department.id)
            .where(Finding.rule == "overlapping_duty")
        ).all()
    assert sorted(code for code, _ in rows) == ["lcj", "sthjj"]
    messages = dict(rows)
    assert "包头市林业和草原局" in messages["sthjj"] and "包头市生态环境局" in messages["lcj"]


def test_an_overlap_through_a_predecessor_of_another_level_is_found(
    engine: Engine, tmp_path: Path
) -> None:
    ids = build_world(engine)
    with db.session_scope(engine) as s:  # 环境保护局 (merged into 生态环境局) was a county one
        s.scalars(select(Department).where(Department.code == "hbj")).one().level = "旗县区"
        s.add(PowerItem(code="JC901", name="林木采伐许可", category="行政许可", status="保留",
                        department_id=ids["hbj"], unit="科", version=1))  # fmt: skip
    with at_as_of():
        run_job(engine, "2026", "all", tmp_path / "out")
    with db.session_scope(engine) as s:
        codes = s.scalars(
            select(Department.code)
            .join(Finding, Finding.department_id == Department.id)
            .where(Finding.rule == "overlapping_duty")
        ).all()
    assert "sthjj" in codes


def test_a_forced_rerun_sees_an_overlap_added_since_the_first_run(
    engine: Engine, tmp_path: Path
) -> None:
    from powerlist.runtime.runner import run_in_process, start_run
    from powerlist.runtime.steps import Limits

    def overlaps() -> list[str]:
        with at_as_of():
            claim = start_run(engine, "yearly_review", "2026", "all", trigger="test", force=True)
            view = run_in_process(engine, claim, limits=Limits(), reports_root=tmp_path)
        assert view.status == "succeeded"
        with db.session_scope(engine) as s:
            return sorted(s.scalars(
                select(Department.code)
                .join(Finding, Finding.department_id == Department.id)
                .where(Finding.rule == "overlapping_duty")
            ))  # fmt: skip

    ids = build_world(engine)
    assert overlaps() == []  # this process now holds the first run's index of peer items
    with db.session_scope(engine) as s:
        s.add(PowerItem(code="JC900", name="林木采伐许可", category="行政许可", status="保留",
                        department_id=ids["sthjj"], unit="科", version=1))  # fmt: skip
    assert overlaps() == ["lcj", "sthjj"]


def test_unit_kind_is_a_closed_vocabulary() -> None:
    assert unit_kind("旗县区部门") is UnitKind.ADMINISTRATIVE_ORGAN
    assert unit_kind("苏木乡镇街道", "昆区少先路街道办事处") is UnitKind.SUBDISTRICT
    assert unit_kind("苏木乡镇街道", "九原区哈林格尔镇人民政府") is UnitKind.TOWNSHIP
    assert unit_kind("事业单位") is UnitKind.PUBLIC_INSTITUTION
    with pytest.raises(ValueError, match="单位类型“承接单位”无效"):
        unit_kind("承接单位")
    assert infer_unit_kind("昆都仑区市场监督管理局") is UnitKind.ADMINISTRATIVE_ORGAN
    assert infer_unit_kind("青山区政务服务中心") is None
    unit = ReceivingUnit(code="u", name="东河区某镇人民政府", district="东河区", kind="乡镇")
    assert unit.kind == "苏木乡镇"
    with pytest.raises(ValueError, match="单位类型"):
        ReceivingUnit(code="v", name="某协会", district="东河区", kind="协会")


def test_review_findings_cli_lists_exactly_the_interface_keys(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from powerlist.cli import app
    from powerlist.cli.errors import run_app
    from powerlist.settings import get_settings

    ids = build_world(engine)
    assert ids
    with at_as_of():
        run_job(engine, "2026", "all", tmp_path / "out")
    monkeypatch.setenv("POWERLIST_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    runner = CliRunner()
    result = runner.invoke(app, ["review", "findings", "--year", "2026", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all(tuple(row) == FINDING_KEYS for row in rows)
    assert all("（" in row["message"] for row in rows)
    lacking = [row for row in rows if row["rule"] == "catalog_missing"]
    assert [row["code"] for row in lacking] == ["XK009"]  # the catalog item the list lacks
    one = runner.invoke(
        app, ["review", "findings", "--year", "2026", "--department", "lcj", "--json"]
    )
    assert {row["department"] for row in json.loads(one.stdout)} <= {"包头市林业和草原局"}
    capsys.readouterr()
    for argv, said in [
        (["review", "findings", "--year", "2025"], "尚未运行年度审核"),
        (["review", "findings", "--year", "2026", "--department", "zz"], "找不到部门“zz”"),
    ]:
        with pytest.raises(SystemExit) as refused:  # the console script's own error path
            run_app(app, argv)
        assert refused.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("错误：") and said in err and err.count("\n") == 1, err
    monkeypatch.undo()
    get_settings.cache_clear()


def test_the_table_refuses_a_limit_without_its_article_or_with_an_unknown_scope() -> None:
    from powerlist.review.config import ReviewConfigError, parse_config

    text = Path(__file__).parents[1].joinpath("powerlist/data/review.toml").read_text("utf-8")
    no_law = text.replace('law = "《中华人民共和国行政许可法》第十五条第一款"\n', "")
    with pytest.raises(ReviewConfigError, match=r"levels\.行政许可\.limits\.law.*须写明"):
        parse_config(no_law, "my.toml")
    with pytest.raises(ReviewConfigError, match=r"scope.*省级 或 设区的市"):
        parse_config(text.replace('scope = "省级"', 'scope = "盟市"'), "my.toml")
