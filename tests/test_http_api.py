"""The HTTP API through FastAPI's TestClient on SQLite and PostgreSQL: reports, downloads,
runs, uploads and tokens, with every refusal the issue lists."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from powerlist import db
from powerlist.api import create_app
from powerlist.api.report_access import content_disposition
from powerlist.models import AuditEvent, Base, PowerItem, Report
from powerlist.settings import get_settings
from tests.fixtures_http import HttpWorld, fill_review, http_env, make_http_world
from tests.test_review_decisions import decide

__all__ = ["http_env"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(engine: Engine, http_env: Path) -> HttpWorld:
    return make_http_world(engine, http_env)


@pytest.fixture
def client(world: HttpWorld) -> Iterator[TestClient]:
    with TestClient(create_app(world.engine)) as client:
        yield client


def audit_actions(engine: Engine) -> list[tuple[str, str]]:
    with db.session_scope(engine) as s:
        return [(a.action, a.actor) for a in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_a_department_lists_only_its_own_reports(client: TestClient, world: HttpWorld) -> None:
    mine = client.get("/api/reports", headers=world.auth("sthjj")).json()
    assert [r["id"] for r in mine] == [world.reports["sthjj"]]
    assert mine[0]["department"] == "sthjj" and mine[0]["period"] == "2026"
    every = client.get("/api/reports", headers=world.auth("admin")).json()
    assert {r["id"] for r in every} == set(world.reports.values())


def test_download_has_safe_headers_and_opens_in_openpyxl(
    client: TestClient, world: HttpWorld, tmp_path: Path
) -> None:
    answer = client.get(
        f"/api/reports/{world.reports['sthjj']}/download", headers=world.auth("sthjj")
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == XLSX
    assert answer.headers["x-content-type-options"] == "nosniff"
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    fallback = disposition.split('filename="')[1].split('"')[0]
    assert fallback.isascii() and fallback.endswith(".xlsx")
    utf8 = disposition.split("filename*=UTF-8''")[1]
    assert unquote(utf8) == "2026年度权责清单审核-市生态环境局.xlsx"
    with db.session_scope(world.engine) as s:
        report = s.get(Report, world.reports["sthjj"])
        assert report is not None
        assert hashlib.sha256(answer.content).hexdigest() == report.sha256
    saved = tmp_path / "downloaded.xlsx"
    saved.write_bytes(answer.content)
    assert "审核事项" in load_workbook(saved).sheetnames
    assert ("download_report", "token#1:dept:sthjj") in audit_actions(world.engine)


def test_another_departments_report_answers_like_a_missing_one(
    client: TestClient, world: HttpWorld
) -> None:
    theirs = client.get(
        f"/api/reports/{world.reports['sthjj']}/download", headers=world.auth("lcj")
    )
    missing = client.get("/api/reports/987654/download", headers=world.auth("lcj"))
    summary = client.get(
        f"/api/reports/{world.reports['summary']}/download", headers=world.auth("lcj")
    )
    assert theirs.status_code == missing.status_code == summary.status_code == 404
    assert theirs.content == missing.content == summary.content
    assert not any(action == "download_report" for action, _ in audit_actions(world.engine))


@pytest.mark.parametrize(
    "payload",
    [
        "../../../../etc/passwd",
        "..%2f..%2f..%2fetc%2fpasswd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "%2e%2e/%2e%2e/powerlist.db",
        "..%5c..%5cwin.ini",
        "1%2f..%2f..%2fpowerlist.db",
    ],
)
def test_traversal_payloads_never_reach_a_file(
    client: TestClient, world: HttpWorld, payload: str
) -> None:
    answer = client.get(f"/api/reports/{payload}/download", headers=world.auth("admin"))
    assert answer.status_code in (404, 422)
    assert b"root:" not in answer.content and b"SQLite" not in answer.content
    assert answer.headers.get("content-disposition") is None


def test_a_file_altered_or_outside_the_reports_folder_is_not_served(
    client: TestClient, world: HttpWorld, tmp_path: Path
) -> None:
    with db.session_scope(world.engine) as s:
        report = s.get(Report, world.reports["sthjj"])
        assert report is not None
        Path(report.path).write_bytes(Path(report.path).read_bytes() + b"tampered")
        outside = s.get(Report, world.reports["lcj"])
        assert outside is not None
        secret = tmp_path / "secret.xlsx"
        secret.write_bytes(b"not yours")
        outside.path = str(world.reports_dir / ".." / "secret.xlsx")
        outside.sha256 = hashlib.sha256(b"not yours").hexdigest()
    for key in ("sthjj", "lcj"):
        answer = client.get(
            f"/api/reports/{world.reports[key]}/download", headers=world.auth("admin")
        )
        assert answer.status_code == 404


@pytest.mark.parametrize("who", ["expired", "revoked", "none", "forged"])
def test_expired_revoked_or_unknown_tokens_are_refused(
    client: TestClient, world: HttpWorld, who: str
) -> None:
    special = {"none": {}, "forged": {"Authorization": "Bearer pl_" + "A" * 43}}
    headers = special[who] if who in special else world.auth(who)
    for path in ("/api/reports", "/api/runs", f"/api/reports/{world.reports['sthjj']}/download"):
        assert client.get(path, headers=headers).status_code == 401


def test_a_database_dump_holds_no_plaintext_token(client: TestClient, world: HttpWorld) -> None:
    client.get("/api/reports", headers=world.auth("sthjj"))  # last_used_at is written
    dump = []
    with world.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            dump.extend(repr(tuple(row)) for row in connection.execute(table.select()))
    text = "\n".join(dump)
    for token in world.tokens.values():
        assert token not in text and token[10:] not in text
        assert hashlib.sha256(token.encode()).hexdigest() in text


def test_only_administrators_trigger_city_wide_runs(client: TestClient, world: HttpWorld) -> None:
    body = {"job": "yearly_review", "period": "2026", "force": True}
    refused = client.post("/api/runs", json=body, headers=world.auth("sthjj"))
    assert refused.status_code == 403
    other = client.post(
        "/api/runs", json={**body, "department": "lcj"}, headers=world.auth("sthjj")
    )
    assert other.status_code == 403
    answer = client.post("/api/runs", json=body, headers=world.auth("admin"))
    assert answer.status_code == 202
    run_id = answer.json()["id"]
    assert run_id == world.run_id and answer.json()["generation"] == 2
    shown = client.get(f"/api/runs/{run_id}", headers=world.auth("admin")).json()
    assert shown["status"] == "succeeded" and shown["done"] == shown["total"] > 0
    assert shown["steps"][0]["step"] == "plan"
    listed = client.get("/api/runs", headers=world.auth("sthjj")).json()
    assert [r["id"] for r in listed] == [run_id]
    assert ("trigger_run", "token#3:admin") in audit_actions(world.engine)


def test_bad_run_parameters_are_refused_before_anything_is_written(
    client: TestClient, world: HttpWorld
) -> None:
    for body in (
        {"job": "yearly_review", "period": "2026-Q3"},
        {"job": "no_such_job", "period": "2026"},
        {"job": "yearly_review", "period": "../2026"},
        {"job": "yearly_review"},
    ):
        assert client.post("/api/runs", json=body, headers=world.auth("admin")).status_code == 422
    assert [r["id"] for r in client.get("/api/runs", headers=world.auth("admin")).json()] == [
        world.run_id
    ]


@pytest.mark.parametrize("department", ["../../../escaped", "/tmp/escaped-api", "不存在局"])
def test_an_unknown_or_path_like_department_is_422_and_no_run(
    client: TestClient, world: HttpWorld, department: str
) -> None:
    body = {"job": "yearly_review", "period": "2025", "department": department}
    answer = client.post("/api/runs", json=body, headers=world.auth("admin"))
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith(f"找不到部门“{department}”")
    assert [r["id"] for r in client.get("/api/runs", headers=world.auth("admin")).json()] == [
        world.run_id
    ]
    assert not (world.reports_dir / "escaped").exists()
    assert not (world.reports_dir.parent / "escaped").exists()
    assert not Path("/tmp/escaped-api").exists()


def test_a_department_name_is_run_under_its_code(client: TestClient, world: HttpWorld) -> None:
    body = {"job": "yearly_review", "period": "2025", "department": "市生态环境局"}
    answer = client.post("/api/runs", json=body, headers=world.auth("admin"))
    assert answer.status_code == 202 and answer.json()["scope"] == "sthjj"


def test_a_department_cannot_see_another_departments_run(
    client: TestClient, world: HttpWorld
) -> None:
    body = {"job": "yearly_review", "period": "2025", "department": "lcj"}
    run_id = client.post("/api/runs", json=body, headers=world.auth("admin")).json()["id"]
    assert client.get(f"/api/runs/{run_id}", headers=world.auth("lcj")).status_code == 200
    assert client.get(f"/api/runs/{run_id}", headers=world.auth("sthjj")).status_code == 404
    assert client.get("/api/runs/424242", headers=world.auth("sthjj")).status_code == 404


def _download(client: TestClient, world: HttpWorld, tmp_path: Path) -> Path:
    answer = client.get(
        f"/api/reports/{world.reports['sthjj']}/download", headers=world.auth("sthjj")
    )
    path = tmp_path / "sthjj.xlsx"
    path.write_bytes(answer.content)
    return path


def _upload(client: TestClient, world: HttpWorld, who: str, name: str, data: bytes):
    files = {"file": (name, data, XLSX)}
    return client.post("/api/uploads/review", files=files, headers=world.auth(who))


def test_upload_records_proposals_and_the_office_approves_over_http(
    client: TestClient, world: HttpWorld, tmp_path: Path
) -> None:
    filled = fill_review(
        _download(client, world, tmp_path), tmp_path / "filled.xlsx",
        {"CF004": ("取消", "无法律依据", "包府办发〔2026〕8号"), "CF006": ("保留", "")},
    )  # fmt: skip
    answer = _upload(client, world, "sthjj", "2026年度审核-已填写.xlsx", filled.read_bytes())
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["status"], body["recorded"], body["department"]) == (
        "recorded", 2, "包头市生态环境局",
    )  # fmt: skip
    assert {(d["code"], d["decision"], d["state"]) for d in body["decisions"]} == {
        ("CF004", "取消", "待审核"), ("CF006", "保留", "待审核"),
    }  # fmt: skip
    with db.session_scope(world.engine) as s:
        assert s.get(PowerItem, world.ids["E"]).status == "保留"  # type: ignore[union-attr]
    actions = audit_actions(world.engine)
    assert ("upload_review_workbook", "token#1:dept:sthjj") in actions
    assert ("import_proposals", "token#1:dept:sthjj") in actions
    again = _upload(client, world, "sthjj", "again.xlsx", filled.read_bytes())
    assert again.json()["status"] == "already_imported"
    url = f"/api/runs/{world.run_id}/verdicts-workbook"
    assert client.get(url, headers=world.auth("sthjj")).status_code == 404
    office = client.get(url, headers=world.auth("admin"))
    assert (
        office.status_code == 200 and "filename*=UTF-8''" in office.headers["content-disposition"]
    )
    (tmp_path / "office.xlsx").write_bytes(office.content)
    decided = decide(tmp_path / "office.xlsx", tmp_path / "decided.xlsx", {
        "CF004": ("同意", ""), "CF006": ("退回修改", "请说明保留依据"),
    })  # fmt: skip
    files = {"file": ("审核意见.xlsx", decided.read_bytes(), XLSX)}
    refused = client.post("/api/uploads/verdicts", files=files, headers=world.auth("sthjj"))
    assert refused.status_code == 404
    applied = client.post("/api/uploads/verdicts", files=files, headers=world.auth("admin"))
    assert applied.status_code == 200, applied.text
    assert (applied.json()["approved"], applied.json()["returned"]) == (1, 1)
    with db.session_scope(world.engine) as s:
        assert s.get(PowerItem, world.ids["E"]).status == "取消"  # type: ignore[union-attr]


def test_upload_with_bad_rows_lists_them_and_writes_nothing(
    client: TestClient, world: HttpWorld, tmp_path: Path
) -> None:
    filled = fill_review(
        _download(client, world, tmp_path), tmp_path / "bad.xlsx",
        {"CF004": ("取消", "", "文件"), "CF006": ("作废", "")},
    )  # fmt: skip
    answer = _upload(client, world, "sthjj", "bad.xlsx", filled.read_bytes())
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert len(problems) == 2 and all("行" in p for p in problems)
    with db.session_scope(world.engine) as s:
        assert s.get(PowerItem, world.ids["E"]).status == "保留"  # type: ignore[union-attr]


def test_another_departments_workbook_is_refused_like_a_missing_object(
    client: TestClient, world: HttpWorld, tmp_path: Path
) -> None:
    filled = fill_review(
        _download(client, world, tmp_path), tmp_path / "f.xlsx", {"CF004": ("取消", "无依据")}
    )
    answer = _upload(client, world, "lcj", "f.xlsx", filled.read_bytes())
    assert answer.status_code == 404
    with db.session_scope(world.engine) as s:
        assert s.get(PowerItem, world.ids["E"]).status == "保留"  # type: ignore[union-attr]


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"MZ\x90\x00 this is not a workbook", 415),
        (_zip_bomb(), 415),
        (b"PK\x03\x04 truncated zip", 415),
    ],
    ids=["not-xlsx", "zip-bomb", "damaged"],
)
def test_hostile_uploads_are_refused(
    client: TestClient, world: HttpWorld, data: bytes, status: int
) -> None:
    answer = _upload(client, world, "sthjj", "../../etc/审核.xlsx", data)
    assert answer.status_code == status
    assert answer.json()["status"] == "refused"
    assert not list(world.reports_dir.parent.glob("**/审核.xlsx"))


def test_an_oversize_upload_is_refused_before_it_is_read(
    client: TestClient, world: HttpWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERLIST_IMPORT_MAX_BYTES", "100000")
    get_settings.cache_clear()
    answer = _upload(client, world, "sthjj", "big.xlsx", b"PK\x03\x04" + b"x" * 300_000)
    assert answer.status_code == 413
    assert "上限" in answer.json()["problems"][0]


def test_health_reports_database_broker_workers_and_last_success(
    client: TestClient, world: HttpWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.post(
        "/api/runs", json={"job": "yearly_review", "period": "2026", "force": True},
        headers=world.auth("admin"),
    )  # fmt: skip
    monkeypatch.setenv("POWERLIST_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("POWERLIST_HEALTH_TIMEOUT", "0.5")
    get_settings.cache_clear()
    answer = client.get("/api/health", headers=world.auth("admin"))
    assert answer.status_code == 503
    body = answer.json()
    assert body["database"] == {"ok": True}
    assert body["broker"]["ok"] is False and body["workers"]["ok"] is False
    assert body["last_success"]["yearly_review"]["run_id"] == world.run_id
    assert body["last_success"]["delegation_assessment"] is None


def test_openapi_is_published(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/runs", "/api/reports", "/api/reports/{report_id}/download",
            "/api/uploads/review", "/api/health"} <= set(spec["paths"])  # fmt: skip
    upload = spec["paths"]["/api/uploads/review"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["required"] == ["file"]
    assert client.get("/docs").status_code == 200


def test_a_department_may_trigger_a_run_of_its_own_scope(
    client: TestClient, world: HttpWorld
) -> None:
    body = {"job": "yearly_review", "period": "2026", "department": "sthjj"}
    answer = client.post("/api/runs", json=body, headers=world.auth("sthjj"))
    assert answer.status_code == 202, answer.text
    run = client.get(f"/api/runs/{answer.json()['id']}", headers=world.auth("sthjj")).json()
    assert (run["scope"], run["status"]) == ("sthjj", "succeeded")
    assert client.get(f"/api/runs/{run['id']}", headers=world.auth("lcj")).status_code == 404


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ("2026年度权责清单审核-市生态环境局.xlsx", "2026_-.xlsx"),
        ('a"b\r\nSet-Cookie: x=1.xlsx', "a_b_Set-Cookie_x_1.xlsx"),
        ("汇总", "report"),
    ],
)
def test_content_disposition_cannot_be_broken_by_a_file_name(name: str, fallback: str) -> None:
    header = content_disposition(name)
    assert "\r" not in header and "\n" not in header and header.count('"') == 2
    assert header.split('filename="')[1].split('"')[0] == fallback
    assert unquote(header.split("filename*=UTF-8''")[1]) == name


def test_request_validation_errors_are_chinese(client: TestClient, world: HttpWorld) -> None:
    admin = world.auth("admin")
    missing = client.post("/api/runs", json={"job": "yearly_review"}, headers=admin)
    assert missing.status_code == 422
    assert [e["msg"] for e in missing.json()["detail"]] == ["period：缺少此项"]
    too_long = client.post(
        "/api/runs", json={"job": "yearly_review", "period": "2" * 40}, headers=admin
    )
    assert [e["msg"] for e in too_long.json()["detail"]] == ["period：过长：最多 32 个字符"]
    unknown = client.post("/api/runs", json={"job": "nope", "period": "2026"}, headers=admin)
    assert unknown.status_code == 422 and unknown.json()["detail"].startswith("没有任务“nope”")
