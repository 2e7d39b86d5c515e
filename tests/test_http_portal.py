"""Portal pages through TestClient: sign-in cookie, who sees which page, escaping of data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from powerlist import db
from powerlist.api import create_app
from powerlist.api.deps import COOKIE_NAME
from powerlist.models import Department, Run
from powerlist.portal.report_list import ReportFilter, report_page
from powerlist.review.verdicts import import_verdicts, write_verdict_workbook
from powerlist.tokens import Caller, revoke_token
from tests.fixtures_http import HttpWorld, fill_review, http_env, make_http_world
from tests.test_review_decisions import decide

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

__all__ = ["http_env"]


@pytest.fixture
def world(sqlite_url: str, http_env: Path) -> Iterator[HttpWorld]:
    engine = db.make_engine(sqlite_url)
    yield make_http_world(engine, http_env)
    engine.dispose()


@pytest.fixture
def client(world: HttpWorld) -> Iterator[TestClient]:
    with TestClient(create_app(world.engine)) as client:
        yield client


def sign_in(client: TestClient, token: str) -> None:
    answer = client.post("/portal/login", data={"token": token}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/portal/"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_sign_in_sets_an_http_only_cookie_and_shows_own_reports(
    client: TestClient, world: HttpWorld
) -> None:
    assert client.get("/portal/", follow_redirects=False).headers["location"] == "/portal/login"
    sign_in(client, world.tokens["sthjj"])
    page = client.get("/portal/").text
    assert "2026年度权责清单审核-市生态环境局.xlsx" in page
    assert "市林业和草原局.xlsx" not in page and "全市审核汇总" not in page
    assert f"/portal/reports/{world.reports['sthjj']}/download" in page
    download = client.get(f"/portal/reports/{world.reports['sthjj']}/download")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert client.get(f"/portal/reports/{world.reports['lcj']}/download").status_code == 404


@pytest.mark.parametrize("who", ["expired", "revoked"])
def test_expired_or_revoked_tokens_cannot_sign_in(
    client: TestClient, world: HttpWorld, who: str
) -> None:
    answer = client.post("/portal/login", data={"token": world.tokens[who]})
    assert answer.status_code == 200 and "令牌无效、已过期或已吊销" in answer.text
    assert COOKIE_NAME not in client.cookies


def test_a_revoked_token_loses_its_session(client: TestClient, world: HttpWorld) -> None:
    sign_in(client, world.tokens["lcj"])
    assert "林业和草原局" in client.get("/portal/").text
    with db.session_scope(world.engine) as s:
        revoke_token(s, 2)
    assert client.get("/portal/", follow_redirects=False).status_code == 303


def test_the_run_page_is_for_administrators_only(client: TestClient, world: HttpWorld) -> None:
    sign_in(client, world.tokens["sthjj"])
    assert client.get("/portal/runs").status_code == 404
    refused = client.post("/portal/runs", data={"job": "yearly_review", "period": "2026"})
    assert refused.status_code == 404
    client.post("/portal/logout")
    sign_in(client, world.tokens["admin"])
    page = client.get("/portal/runs")
    assert page.status_code == 200 and "发起运行" in page.text and 'data-run="1"' in page.text
    bad = client.post("/portal/runs", data={"job": "yearly_review", "period": "2026-Q1"})
    assert "未发起" in bad.text


def test_data_is_escaped_in_pages(client: TestClient, world: HttpWorld) -> None:
    with db.session_scope(world.engine) as s:
        department = s.get(Department, world.ids["sthjj"])
        assert department is not None
        department.name = "<script>alert(1)</script>局"
    sign_in(client, world.tokens["sthjj"])
    page = client.get("/portal/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;局" in page


def test_labels_are_chinese_and_the_admin_list_filters_and_pages(
    client: TestClient, world: HttpWorld
) -> None:
    sign_in(client, world.tokens["admin"])
    page = client.get("/portal/").text
    assert "2026年 · 年度权责清单审核" in page and "2026 年度" not in page
    assert ">部门审核工作簿<" in page and ">全市审核汇总<" in page
    assert ">review_department<" not in page and ">yearly_review<" not in page
    assert 'id="report-count">共 3 个' in page
    summary = client.get("/portal/", params={"kind": "review_summary"}).text
    assert 'id="report-count">共 1 个' in summary and "全市审核汇总" in summary
    assert f"/portal/reports/{world.reports['summary']}/download" in summary
    assert f"/portal/reports/{world.reports['sthjj']}/download" not in summary
    one = client.get("/portal/", params={"department": "lcj", "job": "yearly_review"}).text
    assert f"/portal/reports/{world.reports['lcj']}/download" in one
    assert 'id="report-count">共 1 个' in one
    none = client.get("/portal/", params={"period": "2031"}).text
    assert "没有符合条件的报表" in none


def test_the_report_list_is_paged(world: HttpWorld) -> None:
    with db.session_scope(world.engine) as session:
        admin = Caller(token_id=0, is_admin=True, department_id=None, department_code=None,
                       department_name=None)  # fmt: skip
        pages = [
            report_page(session, admin, ReportFilter(), page, per_page=2) for page in (1, 2, 9)
        ]
    assert [(p.total, p.pages, p.page, len(p.views)) for p in pages] == [
        (3, 2, 1, 2), (3, 2, 2, 1), (3, 2, 2, 1)
    ]  # fmt: skip
    assert {v.id for v in pages[0].views + pages[1].views} == set(world.reports.values())
    assert ReportFilter(job="yearly_review").query_string(2) == "job=yearly_review&page=2"


def test_a_failed_run_shows_one_line_without_server_paths(
    client: TestClient, world: HttpWorld
) -> None:
    error = (
        "plan: ValueError: 找不到部门编码“x9”\n"
        "Traceback (most recent call last):\n"
        f'  File "{world.reports_dir}/../powerlist/runtime/steps.py", line 12, in run\n'
        "    job.plan(session, context)\n"
        "ValueError: 找不到部门编码“x9”"
    )
    with db.session_scope(world.engine) as s:
        s.add(Run(job="delegation_assessment", period="2026-Q3", scope="sthjj", status="failed",
                  trigger="test", error=error))  # fmt: skip
    sign_in(client, world.tokens["admin"])
    page = client.get("/portal/runs").text
    assert "计划步骤：找不到部门编码“x9”" in page
    assert "Traceback" not in page and str(world.reports_dir) not in page
    assert "steps.py" not in page and "ValueError" not in page
    assert "2026年第三季度" in page and "下放委托事项效能评估" in page
    assert "包头市生态环境局" in page  # the scope by its department's name


def test_an_unknown_department_in_the_run_form_is_refused_in_chinese(
    client: TestClient, world: HttpWorld
) -> None:
    sign_in(client, world.tokens["admin"])
    page = client.post("/portal/runs", data={"job": "yearly_review", "period": "2025",
                                             "department": "../../escaped"}).text  # fmt: skip
    assert "未发起：找不到部门“../../escaped”" in page
    assert not (world.reports_dir.parent / "escaped").exists()


def test_another_departments_workbook_is_refused_in_chinese(
    client: TestClient, world: HttpWorld
) -> None:
    sign_in(client, world.tokens["admin"])
    theirs = client.get(f"/portal/reports/{world.reports['lcj']}/download").content
    client.post("/portal/logout")
    sign_in(client, world.tokens["sthjj"])
    files = {
        "file": (
            "林草局.xlsx",
            theirs,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    }
    answer = client.post("/portal/upload", files=files)
    assert answer.status_code == 404
    assert "这不是发给本部门的审核工作簿" in answer.text and "Not Found" not in answer.text


def test_a_department_sees_the_state_of_each_of_its_proposals(
    client: TestClient, world: HttpWorld, tmp_path: Path
) -> None:
    sign_in(client, world.tokens["sthjj"])
    workbook = tmp_path / "mine.xlsx"
    workbook.write_bytes(client.get(f"/portal/reports/{world.reports['sthjj']}/download").content)
    filled = fill_review(workbook, tmp_path / "filled.xlsx", {
        "CF004": ("取消", "无法律依据", "包府办发〔2026〕8号"), "CF006": ("保留", ""),
        "CF002": ("保留", ""),
    })  # fmt: skip
    files = {"file": ("filled.xlsx", filled.read_bytes(), XLSX)}
    answer = client.post("/portal/upload", files=files)
    assert answer.status_code == 200 and "已提交：包头市生态环境局" in answer.text
    with db.session_scope(world.engine) as s:
        office = write_verdict_workbook(s, world.run_id, tmp_path).path
    decided = decide(office, tmp_path / "decided.xlsx", {
        "CF004": ("同意", ""), "CF006": ("退回修改", "请说明保留依据"),
    })  # fmt: skip
    with db.session_scope(world.engine) as s:
        import_verdicts(s, decided, actor="fzb")
    page = client.get("/portal/").text
    table = page[page.index('id="proposals"') :]
    rows = {
        code: table[table.index(code) :].split("</tr>")[0] for code in ("CF004", "CF006", "CF002")
    }
    assert "<td>同意</td>" in rows["CF004"]
    assert "<td>退回</td>" in rows["CF006"] and "请说明保留依据" in rows["CF006"]
    assert "<td>待审核</td>" in rows["CF002"]
