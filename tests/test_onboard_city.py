"""A small city of two regions built from its own files only, into an empty database, then run.

包头市 (city departments) and 固阳县 (a county department) import their organisation list, laws,
power list, catalog, delegations, handling statistics, staff roster and training records; the
three jobs run city-wide and a review runs for 固阳县 alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine

from powerlist.db import session_scope
from powerlist.imports import import_file
from powerlist.jobs import get_job
from powerlist.regions import UnknownRegion, region_scope, region_scope_checked
from tests.fixtures_assessment import run_job
from tests.fixtures_sheets import flat_xlsx, settings_env

__all__ = ["settings_env"]

POWERLIST = str(Path(sys.executable).with_name("powerlist"))

FILES: list[tuple[str, list[str], list[list[Any]]]] = [
    (
        "departments",
        ["序号", "部门编码", "单位名称", "机构类别", "层级", "所属地区"],
        [
            [1, "sthjj", "包头市生态环境局", "政府工作部门", "市", "包头市"],
            [2, "lcj", "包头市林业和草原局", "政府工作部门", "市", "包头市"],
            [3, "gyjyj", "固阳县教育局", "政府工作部门", "旗县区", "固阳县"],
        ],
    ),
    (
        "laws",
        ["法规名称", "文号", "效力级别", "时效性", "制定机关", "公布日期", "施行日期"],
        [
            [
                "中华人民共和国环境保护法",
                "主席令第九号",
                "法律",
                "现行有效",
                "全国人大常委会",
                "2014-04-24",
                "2015-01-01",
            ],
            [
                "中华人民共和国森林法",
                "主席令第三十九号",
                "法律",
                "现行有效",
                "全国人大常委会",
                "2019-12-28",
                "2020-07-01",
            ],
            [
                "中华人民共和国教育法",
                "主席令第三十九号",
                "法律",
                "现行有效",
                "全国人大常委会",
                "1995-03-18",
                "1995-09-01",
            ],
        ],
    ),
    (
        "items",
        ["序号", "权力类型", "项目编码", "项目名称", "实施依据", "实施主体"],
        [
            [
                1,
                "行政处罚",
                "HB001",
                "对超标排放的处罚",
                "《中华人民共和国环境保护法》第五十九条",
                "包头市生态环境局",
            ],
            [
                2,
                "行政许可",
                "LC001",
                "林木采伐许可",
                "《中华人民共和国森林法》第五十六条",
                "包头市林业和草原局",
            ],
            [
                3,
                "行政检查",
                "JY001",
                "对学校办学的检查",
                "《中华人民共和国教育法》第二十五条",
                "固阳县教育局",
            ],
        ],
    ),
    (
        "catalog",
        ["事项编码", "事项名称", "权力类型", "实施部门", "调整方式", "决定文件", "决定日期"],
        [
            [
                "LC001",
                "林木采伐许可",
                "行政许可",
                "包头市林业和草原局",
                "下放",
                "内政发〔2025〕3号",
                "2025-06-01",
            ]
        ],
    ),
    (
        "delegations",
        ["事项编码", "委托部门", "承接单位", "所属旗县区", "单位类型", "方式", "起始日期"],
        [
            [
                "LC001",
                "包头市林业和草原局",
                "固阳县林业和草原局",
                "固阳县",
                "旗县区部门",
                "下放",
                "2025-07-01",
            ]
        ],
    ),
    (
        "handling",
        ["事项编码", "承接单位", "月份", "受理数", "办结数", "按时办结数", "超期数", "投诉数"],
        [["LC001", "固阳县林业和草原局", "2026-03", 10, 9, 9, 0, 0]],
    ),
    (
        "staff",
        ["工号", "姓名", "所在单位", "岗位", "执法证号", "邮箱", "在岗"],
        [
            ["GY001", "王林", "固阳县林业和草原局", "执法人员", "15020001", "wl@example.cn", "是"],
            ["GY002", "赵草", "固阳县林业和草原局", "负责人", "", "zc@example.cn", "是"],
        ],
    ),
    (
        "training",
        ["工号", "姓名", "培训项目", "完成日期", "学时", "培训内容"],
        [["GY001", "王林", "TR-DELEG", "2026-03-15", 8, "林木采伐许可承接培训"]],
    ),
]


def _build_city(engine: Engine, folder: Path) -> None:
    for kind, header, rows in FILES:
        path = flat_xlsx(folder / f"{kind}.xlsx", header, rows)
        with session_scope(engine) as session:
            result = import_file(session, kind, path, error_dir=folder / "errors")
        assert result.rows == len(rows), kind


def _workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.xlsx") if "parts" not in p.parts)


def test_a_two_region_city_from_its_own_files_runs_the_three_jobs(
    engine: Engine, tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    settings_env.setenv("POWERLIST_REVIEW_AS_OF", "2026-11-30")
    settings_env.setenv("POWERLIST_ASSESSMENT_AS_OF", "2026-06-30")
    _build_city(engine, tmp_path)
    reports = tmp_path / "reports"

    city = run_job(engine, get_job("yearly_review"), "2026", reports)
    assert city.status == "succeeded", city.error
    names = [p.name for p in _workbooks(city.folder)]
    assert any("生态环境局" in n for n in names) and any("固阳县教育局" in n for n in names)

    county = run_job(engine, get_job("yearly_review"), "2026", reports, region_scope("固阳县"))
    assert county.status == "succeeded", county.error
    books = _workbooks(county.folder)
    county_names = [p.name for p in books]
    assert any("固阳县教育局" in n for n in county_names)
    assert not any("生态环境局" in n or "林业和草原局" in n for n in county_names)
    assert "2026年度权责清单审核-固阳县汇总.xlsx" in county_names  # the region's own summary
    assert not any("全市汇总" in n for n in county_names)
    for book in books:
        openpyxl.load_workbook(book, read_only=True).close()

    assessed = run_job(engine, get_job("delegation_assessment"), "2026-Q2", reports)
    assert assessed.status == "succeeded", assessed.error
    assert _workbooks(assessed.folder)

    training = run_job(engine, get_job("training_reminders"), "2026-07-01", reports)
    assert training.status == "succeeded", training.error


def test_an_unknown_region_is_refused_before_a_run_exists(
    engine: Engine, tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    _build_city(engine, tmp_path)
    assert region_scope_checked(engine, "固阳县") == "region-固阳县"
    with pytest.raises(UnknownRegion) as caught:
        region_scope_checked(engine, "达茂旗")
    assert "没有所属地区为“达茂旗”" in str(caught.value) and "固阳县" in str(caught.value)


def test_the_run_command_refuses_an_unknown_region_with_exit_2(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    env = os.environ | {
        "POWERLIST_DATABASE_URL": database_url,
        "POWERLIST_REPORTS_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [POWERLIST, "run", "yearly_review", "--period", "2026", "--region", "达茂旗"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "没有所属地区为“达茂旗”" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_says_what_each_job_lacks_until_the_city_is_complete(
    engine: Engine, database_url: str, tmp_path: Path, settings_env: pytest.MonkeyPatch
) -> None:
    env = os.environ | {"POWERLIST_DATABASE_URL": database_url}

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [POWERLIST, "check", "--json"], env=env, capture_output=True, text=True,
            timeout=120, check=False,
        )  # fmt: skip

    for kind, header, rows in FILES[:1] + FILES[2:3]:  # departments and the list, no laws
        path = flat_xlsx(tmp_path / f"{kind}.xlsx", header, rows)
        with session_scope(engine) as session:
            import_file(session, kind, path, error_dir=tmp_path / "errors")
    partial = check()
    assert partial.returncode == 1, partial.stderr
    jobs = {job["job"]: job for job in json.loads(partial.stdout)}
    assert set(jobs) == {"yearly_review", "delegation_assessment", "training_reminders"}
    assert not jobs["yearly_review"]["ready"]
    assert any("效力级别是按名称推断的" in p for p in jobs["yearly_review"]["problems"])
    assert any("没有下放委托事项" in p for p in jobs["delegation_assessment"]["problems"])

    for kind, header, rows in FILES[1:2] + FILES[3:]:
        path = flat_xlsx(tmp_path / f"{kind}.xlsx", header, rows)
        with session_scope(engine) as session:
            import_file(session, kind, path, error_dir=tmp_path / "errors")
    complete = check()
    jobs = {job["job"]: job for job in json.loads(complete.stdout)}
    assert jobs["yearly_review"]["ready"], jobs  # the registry import confirmed the laws
    assert jobs["delegation_assessment"]["ready"], jobs
    assert jobs["training_reminders"]["ready"], jobs
    assert complete.returncode == 0, complete.stdout
