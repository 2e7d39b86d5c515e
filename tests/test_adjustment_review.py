"""个别调整 (adjustment_review): a laws import that changes a law starts one run that writes a
workbook for exactly the departments whose items cite it, listing exactly those items."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select, update
from typer.testing import CliRunner

from powerlist import db
from powerlist.adjustment.trigger import catch_up, start_for_import
from powerlist.cli import app
from powerlist.cli.errors import run_app
from powerlist.excel import NOTES_SHEET
from powerlist.imports import import_file
from powerlist.models import (
    Department,
    ItemDecision,
    LawChange,
    LegalBasis,
    OutboxMessage,
    PowerItem,
    Report,
    Run,
)
from powerlist.review.decisions import import_decisions
from powerlist.review.verdicts import import_verdicts, write_verdict_workbook
from powerlist.runtime.runner import run_in_process, start_run
from powerlist.runtime.steps import limits_from
from powerlist.runtime.views import RunView
from powerlist.settings import get_settings
from tests.celery_harness import Cluster, run_of, wait_for
from tests.fixtures_review import build_world
from tests.sheet_table import table_rows
from tests.test_review_decisions import decide, fill

DAY = "2026-12-04"
HEADER = "法规名称,文号,效力级别,时效性,施行日期,修改日期,废止日期,替代法规\n"
REPEAL_DUST = "包头市扬尘管理办法,,规范性文件,已废止,,,2026-12-01,包头市扬尘污染防治条例\n"
NEW_DUST = "包头市扬尘污染防治条例,,地方性法规,现行有效,2026-12-01,,,\n"
AMEND_ENV = "中华人民共和国环境保护法,,法律,已修改,,2026-11-30,,\n"
POWERLIST = str(Path(sys.executable).with_name("powerlist"))
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def on_the_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("POWERLIST_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.delenv("POWERLIST_WEBHOOK_URL", raising=False)
    get_settings.cache_clear()
    with time_machine.travel(datetime(2026, 12, 4, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        yield
    get_settings.cache_clear()


def world(engine: Engine) -> dict[str, int]:
    ids = build_world(engine)
    with db.session_scope(engine) as s:
        s.execute(update(Department).values(contact_email=Department.code + "@baotou.gov.cn"))
    return ids


def laws_file(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def import_and_run(engine: Engine, path: Path) -> tuple[int | None, RunView | None]:
    """`powerlist import laws FILE` (in-process default): import, then the started run."""
    with db.session_scope(engine) as s:
        result = import_file(s, "laws", path)
    if result.import_id is None or not result.law_changes:
        return result.import_id, None
    started = start_for_import(engine, result.import_id, trigger="test")
    assert started is not None
    settings = get_settings()
    view = run_in_process(
        engine, started.claim, limits=limits_from(settings), reports_root=settings.reports_dir
    )
    assert view.status == "succeeded", view.error
    return result.import_id, view


def workbook_items(path: Path) -> set[str]:
    sheet = load_workbook(path, read_only=True)["审核事项"]
    rows = table_rows(sheet)
    at = rows[0].index("项目编码")
    return {row[at] for row in rows[1:] if row[at]}


def reports(engine: Engine, run_id: int) -> dict[str, Path]:
    with db.session_scope(engine) as s:
        return {
            code: Path(path)
            for code, path in s.execute(
                select(Department.code, Report.path)
                .join(Department, Report.department_id == Department.id)
                .where(Report.run_id == run_id)
            )
        }


def messages(engine: Engine) -> list[tuple[str, str]]:
    with db.session_scope(engine) as s:
        return sorted(
            (m.recipient, m.subject)
            for m in s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "adjustment"))
        )


def test_a_repeal_reviews_exactly_the_items_citing_the_law(engine: Engine, tmp_path: Path) -> None:
    world(engine)
    path = laws_file(tmp_path, "laws.csv", REPEAL_DUST, NEW_DUST)
    _, view = import_and_run(engine, path)
    assert view is not None and view.job == "adjustment_review" and view.period == DAY
    books = reports(engine, view.id)
    assert set(books) == {"sthjj"}  # only the environment bureau cites the repealed 办法
    assert books["sthjj"].name == "个别调整审核-2026-12-04-市生态环境局.xlsx"
    assert workbook_items(books["sthjj"]) == {"XK001"}
    book = load_workbook(books["sthjj"], read_only=True)
    change = table_rows(book["法规变动"])
    assert change[0][:5] == ("法律法规", "效力层级", "变动项目", "原值", "新值")
    assert {(r[2], r[3], r[4]) for r in change[1:]} == {
        ("时效性", "现行有效", "已废止"),
        ("废止日期", None, "2026-12-01"),
        ("替代法规", None, "《包头市扬尘污染防治条例》"),
    }
    assert {r[6] for r in change[1:]} == {"《包头市扬尘污染防治条例》"}  # successor linked
    assert {r[10] for r in change[1:]} == {"第十条"}
    review = table_rows(book["审核事项"])
    findings = review[1][review[0].index("审核发现")]
    assert "包头市扬尘管理办法》已于2026-12-01废止，已由《包头市扬尘污染防治条例》替代" in findings
    assert messages(engine) == [
        (
            "sthjj@baotou.gov.cn",
            "【个别调整审核】《包头市扬尘管理办法》变动，涉及包头市生态环境局1项事项",
        )
    ]
    assert view.summary is not None and view.summary["departments"] == 1


def test_the_same_file_twice_adds_nothing_and_a_second_change_runs_too(
    engine: Engine, tmp_path: Path
) -> None:
    world(engine)
    first = laws_file(tmp_path, "laws.csv", REPEAL_DUST, NEW_DUST)
    import_and_run(engine, first)
    again_id, again = import_and_run(engine, first)
    assert again is None and again_id is None
    same_content = laws_file(tmp_path, "laws-copy.csv", NEW_DUST, REPEAL_DUST)
    copy_id, copy = import_and_run(engine, same_content)  # another file, nothing new in it
    assert copy is None and copy_id is not None
    with db.session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(LawChange)) == 3
        assert s.scalar(select(func.count()).select_from(Run)) == 1
    assert len(messages(engine)) == 1

    _, second = import_and_run(engine, laws_file(tmp_path, "amend.csv", AMEND_ENV))
    assert second is not None and second.period == DAY and second.scope != "all"
    books = reports(engine, second.id)
    assert set(books) == {"sthjj", "lcj"}
    # 环境保护法: the bureau's items on the list, with the merged 环境保护局's CF101; not CF008
    assert workbook_items(books["sthjj"]) == {"CF001", "JC001", "CF006", "CF007", "CF009", "CF101"}
    assert workbook_items(books["lcj"]) == {"XK201"}
    assert [r for r, _ in messages(engine)] == [
        "lcj@baotou.gov.cn",
        "sthjj@baotou.gov.cn",
        "sthjj@baotou.gov.cn",
    ]
    with db.session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Run)) == 2


def test_by_hand_for_a_day_and_one_department(engine: Engine, tmp_path: Path) -> None:
    world(engine)
    import_and_run(engine, laws_file(tmp_path, "laws.csv", REPEAL_DUST, NEW_DUST))
    import_and_run(engine, laws_file(tmp_path, "amend.csv", AMEND_ENV))
    settings = get_settings()
    claim = start_run(engine, "adjustment-review", DAY, "sthjj", trigger="test")
    view = run_in_process(engine, claim, limits=limits_from(settings), reports_root=tmp_path / "m")
    assert view.status == "succeeded"
    books = reports(engine, view.id)
    assert set(books) == {"sthjj"}
    assert workbook_items(books["sthjj"]) == {
        "XK001",
        "CF001",
        "JC001",
        "CF006",
        "CF007",
        "CF009",
        "CF101",
    }
    with pytest.raises(ValueError, match="期间应为日期"):
        start_run(engine, "adjustment-review", "2026", "all", trigger="test")


def test_the_returned_workbook_applies_like_the_yearly_one(engine: Engine, tmp_path: Path) -> None:
    ids = world(engine)
    _, view = import_and_run(engine, laws_file(tmp_path, "laws.csv", REPEAL_DUST, NEW_DUST))
    assert view is not None
    book = reports(engine, view.id)["sthjj"]
    filled = fill(book, tmp_path / "back.xlsx", {"XK001": ("保留", "依据改为扬尘污染防治条例")})
    with db.session_scope(engine) as s:
        outcome = import_decisions(s, filled)
    assert (outcome.status, outcome.applied) == ("recorded", 1)
    with db.session_scope(engine) as s:
        decision = s.scalars(select(ItemDecision)).one()
        assert (decision.run_id, decision.item_id, decision.state) == (view.id, ids["D"], "待审核")
        before = s.get_one(PowerItem, ids["D"]).last_reviewed_on  # unchanged before 审核意见
        office = write_verdict_workbook(s, view.id, tmp_path / "office").path
    decided = decide(office, tmp_path / "审核意见.xlsx", {"XK001": ("同意", "")})
    with db.session_scope(engine) as s:
        assert import_verdicts(s, decided, actor="fzb").approved == 1
    with db.session_scope(engine) as s:
        assert s.get_one(PowerItem, ids["D"]).last_reviewed_on not in (None, before)


def test_catch_up_starts_a_change_set_whose_run_did_not_start(
    engine: Engine, tmp_path: Path
) -> None:
    world(engine)
    with db.session_scope(engine) as s:
        result = import_file(s, "laws", laws_file(tmp_path, "laws.csv", REPEAL_DUST))
    assert result.law_changes  # the process "died" before starting the run
    today = datetime(2026, 12, 4).date()
    with db.session_scope(engine) as s:
        started = catch_up(s, today)
    assert [(r.day.isoformat(), r.import_id) for r in started] == [(DAY, result.import_id)]
    with db.session_scope(engine) as s:
        assert catch_up(s, today) == []
        run = s.scalars(select(Run)).one()
        assert (run.job, run.period, run.trigger) == ("adjustment_review", DAY, "catch-up")
        assert s.scalar(select(func.count()).where(OutboxMessage.kind == "alert")) == 1


def test_a_law_without_citing_items_starts_no_department(engine: Engine, tmp_path: Path) -> None:
    world(engine)
    row = "中华人民共和国城乡规划法,,法律,已修改,,2026-11-01,,\n"
    _, view = import_and_run(engine, laws_file(tmp_path, "plan.csv", row))
    assert view is not None and view.summary is not None
    assert view.summary["departments"] == 0 and messages(engine) == []
    with db.session_scope(engine) as s:
        result = import_file(s, "laws", laws_file(tmp_path, "dust.csv", REPEAL_DUST))
    assert result.notes[-1] == (
        "《包头市扬尘管理办法》的替代法规《包头市扬尘污染防治条例》不在法律依据库中，未关联；"
        "请一并导入该法规"
    )
    with db.session_scope(engine) as s:
        assert s.scalar(select(LegalBasis.status).where(LegalBasis.title.like("%城乡规划法%"))) == (
            "已修改"
        )


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POWERLIST, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_the_cli_runs_it_here_and_queues_it_to_a_real_worker(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    engine = db.make_engine(postgres_url)
    world(engine)
    cluster = Cluster(postgres_url, redis_url, tmp_path)
    env = {**os.environ, **cluster.env}
    try:
        here = cli(env, "import", "laws", str(laws_file(tmp_path, "a.csv", REPEAL_DUST, NEW_DUST)))
        assert here.returncode == 0, here.stdout + here.stderr
        assert "法规变动：《包头市扬尘管理办法》 时效性 现行有效 → 已废止；废止日期" in here.stdout
        assert "个别调整审核-" in here.stdout and "市生态环境局.xlsx" in here.stdout
        cluster.worker("w1")
        queued = cli(
            env, "import", "laws", str(laws_file(tmp_path, "b.csv", AMEND_ENV)), "--queue",
            "--json",
        )  # fmt: skip
        assert queued.returncode == 0, queued.stdout + queued.stderr
        with db.session_scope(engine) as s:
            run_id = s.scalar(select(Run.id).where(Run.trigger == "import-queue"))
        assert run_id is not None
        view = wait_for(
            lambda: (v := run_of(engine, run_id)).finished and v, 120, "queued run", None
        )
    finally:
        cluster.stop_all()
    assert view.status == "succeeded", cluster.logs()
    assert set(reports(engine, run_id)) == {"sthjj", "lcj"}
    assert len(messages(engine)) == 3  # sthjj for the repeal; sthjj and lcj for the amendment


def test_the_yearly_review_names_items_already_handled(engine: Engine, tmp_path: Path) -> None:
    world(engine)
    _, view = import_and_run(engine, laws_file(tmp_path, "laws.csv", REPEAL_DUST, NEW_DUST))
    assert view is not None
    book = reports(engine, view.id)["sthjj"]
    filled = fill(book, tmp_path / "back.xlsx", {"XK001": ("取消", "依据已废止", "依据已废止")})
    with db.session_scope(engine) as s:
        import_decisions(s, filled)
    claim = start_run(engine, "yearly-review", "2026", "all", trigger="test")
    yearly = run_in_process(
        engine, claim, limits=limits_from(get_settings()), reports_root=tmp_path / "y"
    )
    assert yearly.status == "succeeded", yearly.error
    books = reports(engine, yearly.id)

    def notes(code: str) -> str:
        sheet = load_workbook(books[code], read_only=True)[NOTES_SHEET]
        return "\n".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)

    handled = "本年度已经个别调整审核处理的事项 1 项：XK001（2026-12-04 取消·待审核）"
    assert handled in notes("sthjj")
    assert "个别调整" not in notes("lcj")


def test_import_and_run_by_hand_from_the_command_line(
    database_url: str,
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world(engine)
    monkeypatch.setenv("POWERLIST_DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    path = laws_file(tmp_path, "amend.csv", AMEND_ENV)
    dry = runner.invoke(app, ["import", "laws", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "法规变动：《中华人民共和国环境保护法》 时效性" in dry.output
    with db.session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(LawChange)) == 0
        assert s.scalar(select(func.count()).select_from(Run)) == 0
    imported = runner.invoke(app, ["import", "laws", str(path), "--json"])
    assert imported.exit_code == 0, imported.output
    answer = json.loads(imported.output)
    assert answer["adjustment_run"]["status"] == "succeeded"
    assert answer["adjustment_run"]["departments"] == 2
    assert [(c["field"], c["old"], c["new"]) for c in answer["law_changes"]] == [
        ("时效性", "现行有效", "已修改"),
        ("修改日期", None, "2026-11-30"),
    ]
    assert len(answer["law_changes"][0]["items"]) == 8  # two CF001, the merged CF101, XK201
    by_hand = runner.invoke(
        app, ["run", "adjustment-review", "--period", DAY, "--department", "lcj"]
    )
    assert by_hand.exit_code == 0, by_hand.output
    with db.session_scope(engine) as s:
        run_id = s.scalar(select(Run.id).where(Run.scope == "lcj"))
    assert run_id is not None and set(reports(engine, run_id)) == {"lcj"}
    with pytest.raises(SystemExit) as wrong:  # the console script's own error path
        run_app(app, ["run", "adjustment-review", "--period", "2026"])
    assert wrong.value.code == 2
    assert "期间应为日期" in capsys.readouterr().err


def test_a_new_interpretation_reviews_the_items_of_the_law_it_interprets(
    engine: Engine, tmp_path: Path
) -> None:
    world(engine)
    header = "法规名称,效力级别,时效性,施行日期,所解释法规,备注\n"
    title = "全国人民代表大会常务委员会关于《中华人民共和国环境保护法》第十条的解释"
    row = f"{title},法律,现行有效,2026-12-01,中华人民共和国环境保护法,"
    path = tmp_path / "explain.csv"
    path.write_text(header + row + "\n", encoding="utf-8")
    _, view = import_and_run(engine, path)
    assert view is not None
    assert set(reports(engine, view.id)) == {"sthjj", "lcj"}
    book = load_workbook(reports(engine, view.id)["lcj"], read_only=True)
    change = table_rows(book["法规变动"])[1]
    assert change[:5] == ("《中华人民共和国环境保护法》", "法律", "新的解释", None, f"《{title}》")
    again = tmp_path / "explain-again.csv"  # the same interpretation in another file
    again.write_text(header + row + "人大常委会公告\n", encoding="utf-8")
    _, second = import_and_run(engine, again)
    assert second is None
