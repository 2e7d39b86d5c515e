"""Importing delegations: 单位类型 is validated against the closed vocabulary, and the 下放
decision document (下放决定文号) is stored for the lawfulness rule."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from powerlist.db import session_scope
from powerlist.models import Delegation, ReceivingUnit
from tests.fixtures_sheets import MARKET, flat_xlsx, published_list_xlsx, settings_env, world
from tests.test_sheets_import_kinds import _import, _rejected

__all__ = ["settings_env", "world"]

HEADERS = ["事项编码", "子项", "委托部门", "承接单位", "所属旗县区", "单位类型", "方式", "起始日期",
           "下放决定文号"]  # fmt: skip


def test_unit_kind_is_validated_and_the_decision_document_kept(
    world: Engine, tmp_path: Path, settings_env: object
) -> None:
    _import(world, "items", published_list_xlsx(tmp_path / "清单.xlsx"))
    bad = [
        ["3302170003", "", MARKET, "东河区某协会", "东河区", "协会", "委托", "2025-01-01", ""],
        ["3302170003", "", MARKET, "东河区政务服务中心", "东河区", "", "委托", "2025-01-01", ""],
    ]
    errors = _rejected(world, "delegations", flat_xlsx(tmp_path / "错.xlsx", HEADERS, bad))
    assert [(e.column, e.message) for e in errors] == [
        ("F 单位类型", "单位类型“协会”无效，应为行政机关、苏木乡镇、街道、事业单位、社会组织之一"),
        ("F 单位类型", "新承接单位“东河区政务服务中心”请填写“单位类型”"
         "（行政机关、苏木乡镇、街道、事业单位、社会组织）"),
    ]  # fmt: skip

    good = [
        ["3302170003", "", MARKET, "东河区政务服务中心", "东河区", "事业单位", "委托",
         "2025-01-01", ""],
        ["3302170003", "", MARKET, "东河区河东街道办事处", "东河区", "苏木乡镇街道", "下放",
         "2025-02-01", "内政发〔2024〕3号"],
    ]  # fmt: skip
    _import(world, "delegations", flat_xlsx(tmp_path / "好.xlsx", HEADERS, good))
    with session_scope(world) as session:
        kinds = dict(session.execute(select(ReceivingUnit.name, ReceivingUnit.kind)).all())
        documents = set(session.scalars(select(Delegation.decision_document)))
    assert kinds["东河区政务服务中心"] == "事业单位"
    assert kinds["东河区河东街道办事处"] == "街道"
    assert "内政发〔2024〕3号" in documents
