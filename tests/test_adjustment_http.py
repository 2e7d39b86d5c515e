"""The laws import over HTTP starts the 个别调整 run; its workbook comes back through the same
upload as the yearly review's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from powerlist import db
from powerlist.api.app import create_app
from powerlist.models import Report, Run
from tests.fixtures_http import HttpWorld, fill_review, http_env, make_http_world
from tests.test_adjustment_review import HEADER, NEW_DUST, REPEAL_DUST

__all__ = ["http_env"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(engine: Engine, http_env: Path) -> HttpWorld:
    return make_http_world(engine, http_env)


@pytest.fixture
def client(world: HttpWorld) -> Iterator[TestClient]:
    with (
        time_machine.travel(datetime(2026, 12, 4, 10, tzinfo=ZoneInfo("Asia/Shanghai"))),
        TestClient(create_app(world.engine)) as client,
    ):
        yield client


def post_laws(client: TestClient, world: HttpWorld, who: str, body: str):
    files = {"file": ("法律依据库.csv", body.encode("utf-8"), "text/csv")}
    return client.post("/api/imports/laws", files=files, headers=world.auth(who))


def test_an_admin_import_starts_the_run_and_the_department_returns_its_workbook(
    client: TestClient, world: HttpWorld, tmp_path: Path
) -> None:
    refused = post_laws(client, world, "sthjj", HEADER + REPEAL_DUST)
    assert refused.status_code == 403
    answer = post_laws(client, world, "admin", HEADER + REPEAL_DUST + NEW_DUST)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "imported" and body["adjustment_run"] is not None
    assert body["law_changes"][0]["items"] == [
        {"code": "XK001", "name": "建筑垃圾处置许可", "department": "包头市生态环境局"}
    ]
    again = post_laws(client, world, "admin", HEADER + REPEAL_DUST + NEW_DUST).json()
    assert again["status"] == "already_imported" and again["adjustment_run"] is None
    with db.session_scope(world.engine) as s:
        run = s.get_one(Run, body["adjustment_run"])
        assert (run.job, run.period, run.status) == ("adjustment_review", "2026-12-04", "succeeded")
        report = s.scalars(select(Report).where(Report.run_id == run.id)).one()
        path = Path(report.path)
    listed = client.get("/api/reports", headers=world.auth("sthjj")).json()
    assert [r["file_name"] for r in listed if r["kind"] == "adjustment_department"] == [path.name]
    lcj_listed = client.get("/api/reports", headers=world.auth("lcj")).json()
    assert all(r["kind"] != "adjustment_department" for r in lcj_listed)
    cancel = ("取消", "依据已废止", "依据已废止")
    filled = fill_review(path, tmp_path / "back.xlsx", {"XK001": cancel})
    files = {"file": ("back.xlsx", filled.read_bytes(), XLSX)}
    lcj = client.post("/api/uploads/review", files=files, headers=world.auth("lcj"))
    assert lcj.status_code == 404
    upload = client.post("/api/uploads/review", files=files, headers=world.auth("sthjj"))
    assert upload.status_code == 200, upload.text
    assert (upload.json()["status"], upload.json()["recorded"]) == ("recorded", 1)
