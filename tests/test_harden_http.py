"""Hardening of the HTTP surface (issue 24): ids beyond the database's range, parallel uploads
of one workbook, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from powerlist import db
from powerlist.api import create_app
from powerlist.api.deps import COOKIE_NAME
from powerlist.models import ImportRecord
from tests.fixtures_http import HttpWorld, fill_review, http_env, make_http_world
from tests.sheet_table import header_of

__all__ = ["http_env"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HUGE = "99999999999999999999999"


@pytest.fixture
def world(engine: Engine, http_env: Path) -> HttpWorld:
    return make_http_world(engine, http_env)


@pytest.fixture
def client(world: HttpWorld) -> Iterator[TestClient]:
    with TestClient(create_app(world.engine), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(
    "path",
    [
        f"/api/reports/{HUGE}/download",
        f"/api/runs/{HUGE}",
        "/api/runs/9223372036854775808",
        "/api/runs/2147483648",
        "/api/reports/-1/download",
        f"/api/runs/{HUGE}/verdicts-workbook",
    ],
)
def test_ids_beyond_the_databases_range_are_refused_not_500(
    client: TestClient, world: HttpWorld, path: str
) -> None:
    answer = client.get(path, headers=world.auth("admin"))
    assert answer.status_code in (404, 422), answer.text


@pytest.mark.parametrize("report_id", [HUGE, "2147483648", "0"])
def test_portal_download_of_a_huge_id_is_refused_not_500(
    client: TestClient, world: HttpWorld, report_id: str
) -> None:
    client.cookies.set(COOKIE_NAME, world.tokens["admin"])
    answer = client.get(f"/portal/reports/{report_id}/download")
    assert answer.status_code in (404, 422), answer.text


def test_parallel_uploads_of_one_workbook_answer_already_imported(
    client: TestClient, world: HttpWorld, tmp_path: Path
) -> None:
    source = tmp_path / "sthjj.xlsx"
    source.write_bytes(
        client.get(
            f"/api/reports/{world.reports['sthjj']}/download", headers=world.auth("sthjj")
        ).content
    )
    data = fill_review(
        source, tmp_path / "filled.xlsx", {"CF004": ("取消", "无法律依据", "包府办发〔2026〕8号")}
    )
    body = data.read_bytes()
    start = threading.Barrier(5)
    answers: list[tuple[int, str]] = []

    def upload() -> None:
        start.wait()
        answer = client.post(
            "/api/uploads/review",
            files={"file": ("filled.xlsx", body, XLSX)},
            headers=world.auth("sthjj"),
        )
        answers.append((answer.status_code, answer.json().get("status", answer.text)))

    threads = [threading.Thread(target=upload) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [(200, "already_imported")] * 4 + [(200, "recorded")], answers
    with db.session_scope(world.engine) as s:
        assert s.scalar(select(func.count()).select_from(ImportRecord)) >= 1


CROSS_SITE = [
    {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    {"Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "null"},
]


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_a_cross_site_post_with_the_portal_cookie_is_refused(
    client: TestClient, world: HttpWorld, headers: dict[str, str]
) -> None:
    client.cookies.set(COOKIE_NAME, world.tokens["admin"])
    form = {"job": "yearly_review", "period": "2026", "force": "1"}
    answer = client.post("/portal/runs", data=form, headers=headers, follow_redirects=False)
    assert answer.status_code == 403
    assert "跨站" in answer.json()["problems"][0]
    with db.session_scope(world.engine) as s:
        from powerlist.models import Run

        assert s.scalar(select(func.count()).select_from(Run)) == 1  # only the world's own run


def test_login_csrf_is_refused_and_a_same_origin_login_works(
    client: TestClient, world: HttpWorld
) -> None:
    token = {"token": world.tokens["sthjj"]}
    forged = client.post("/portal/login", data=token, headers=CROSS_SITE[0],
                         follow_redirects=False)  # fmt: skip
    assert forged.status_code == 403 and COOKIE_NAME not in forged.cookies
    own = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    answer = client.post("/portal/login", data=token, headers=own, follow_redirects=False)
    assert answer.status_code == 303 and COOKIE_NAME in answer.cookies


def test_a_cross_site_upload_riding_on_the_cookie_is_refused(
    client: TestClient, world: HttpWorld
) -> None:
    client.cookies.set(COOKIE_NAME, world.tokens["sthjj"])
    answer = client.post(
        "/api/uploads/review",
        files={"file": ("x.xlsx", b"PK\x03\x04", XLSX)},
        headers={"Origin": "https://evil.example"},
    )
    assert answer.status_code == 403


def test_portal_pages_forbid_framing_and_carry_a_csp_with_a_nonce(
    client: TestClient, world: HttpWorld
) -> None:
    client.cookies.set(COOKIE_NAME, world.tokens["admin"])
    for path in ("/portal/login", "/portal/", "/portal/runs"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "same-origin"
        policy = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
        assert "unsafe-inline" not in policy
        nonce = policy.split("'nonce-")[1].split("'")[0]
        assert f'<style nonce="{nonce}">' in answer.text
    api = client.get("/api/reports", headers=world.auth("admin"))
    assert api.headers["x-frame-options"] == "DENY"


def test_health_without_an_admin_token_says_only_up_or_down(
    client: TestClient, world: HttpWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERLIST_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("POWERLIST_HEALTH_TIMEOUT", "0.3")
    from powerlist.settings import get_settings

    get_settings.cache_clear()
    for headers in ({}, world.auth("sthjj")):
        answer = client.get("/api/health", headers=headers)
        assert answer.status_code == 503
        assert answer.json() == {"status": "degraded"}
    detailed = client.get("/api/health", headers=world.auth("admin")).json()
    assert detailed["broker"]["ok"] is False and "database" in detailed


def _review_with_rows(
    client: TestClient, world: HttpWorld, tmp_path: Path, rows: int, decision: str
) -> bytes:
    from openpyxl import load_workbook

    source = tmp_path / "sthjj.xlsx"
    source.write_bytes(
        client.get(
            f"/api/reports/{world.reports['sthjj']}/download", headers=world.auth("sthjj")
        ).content
    )
    book = load_workbook(source)
    sheet = book["审核事项"]
    header = header_of(sheet)
    for n in range(rows):
        line = [None] * len(header)
        line[header.index("项目编码")] = f"X{n:06d}"
        line[header.index("部门意见")] = decision
        sheet.append(line)
    target = tmp_path / "pasted.xlsx"
    book.save(target)
    return target.read_bytes()


def test_a_review_workbook_with_rows_far_beyond_its_items_is_refused_early(
    client: TestClient, world: HttpWorld, tmp_path: Path
) -> None:
    from powerlist.review.decisions import ROW_MARGIN

    body = _review_with_rows(client, world, tmp_path, ROW_MARGIN + 500, "保留")
    answer = client.post(
        "/api/uploads/review", files={"file": ("p.xlsx", body, XLSX)}, headers=world.auth("sthjj")
    )
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert len(problems) == 1 and "行数过多" in problems[0], problems[:3]


def test_the_problems_listed_are_the_first_200_and_a_count(
    client: TestClient, world: HttpWorld, tmp_path: Path
) -> None:
    body = _review_with_rows(client, world, tmp_path, 700, "作废")
    answer = client.post(
        "/api/uploads/review", files={"file": ("p.xlsx", body, XLSX)}, headers=world.auth("sthjj")
    )
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert len(problems) == 201 and "另有" in problems[-1], problems[-2:]
    assert all("行" in p for p in problems[:200])


@pytest.mark.parametrize(
    ("path", "who"), [("/api/uploads/review", "sthjj"), ("/api/imports/laws", "admin")]
)
def test_the_upload_cap_holds_while_streaming_under_a_lying_content_length(
    client: TestClient, world: HttpWorld, monkeypatch: pytest.MonkeyPatch, path: str, who: str
) -> None:
    import httpx

    from powerlist.settings import get_settings

    monkeypatch.setenv("POWERLIST_IMPORT_MAX_BYTES", "100000")
    get_settings.cache_clear()
    boundary = "harden"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.xlsx"\r\n'
            f"Content-Type: {XLSX}\r\n\r\n"
        ).encode()
        + b"PK\x03\x04"
        + b"x" * 300_000
        + f"\r\n--{boundary}--\r\n".encode()
    )
    form_type = {"content-type": f"multipart/form-data; boundary={boundary}"}
    request = client.build_request(
        "POST", path, content=body, headers={**world.auth(who), **form_type}
    )
    request.headers["content-length"] = "1000"  # claims a small file
    answer = client.send(request)
    assert answer.status_code == 413, answer.text
    assert "文件过大" in answer.json()["problems"][0]
    chunked = client.post(path, content=iter([body]), headers={**world.auth(who), **form_type})
    assert chunked.status_code == 411, chunked.text  # the form parser would read it all first
    assert isinstance(chunked, httpx.Response)
