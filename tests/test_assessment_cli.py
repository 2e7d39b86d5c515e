"""`powerlist assessment …` as a user runs it: the installed script in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import time_machine

from powerlist import db
from powerlist.assessment.job import DELEGATION_ASSESSMENT
from powerlist.data import __file__ as data_init
from tests.fixtures_assessment import make_world, run_job

POWERLIST = str(Path(sys.executable).with_name("powerlist"))


def powerlist(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POWERLIST, *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_config_accepts_the_default_and_names_the_bad_key(tmp_path: Path) -> None:
    ok = powerlist("assessment", "check-config")
    assert ok.returncode == 0
    assert "grades: 优秀≥90、良好≥80、合格≥60" in ok.stdout
    bad = tmp_path / "bad.toml"
    default = Path(data_init).parent / "assessment.toml"
    text = default.read_text(encoding="utf-8").replace("on_time = 30 ", "on_time = 40 ")
    bad.write_text(text, encoding="utf-8")
    result = powerlist("assessment", "check-config", str(bad))
    assert result.returncode == 2
    assert f"{bad}: weights: must sum to 100, they sum to 110" in result.stderr
    via_env = powerlist("assessment", "check-config", POWERLIST_ASSESSMENT_FILE=str(bad))
    assert via_env.returncode == 2 and "must sum to 100" in via_env.stderr


def test_list_shows_stored_results_filtered_by_recommendation(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = db.make_engine(sqlite_url)
    world = make_world(engine)
    world.staff("qingshan", credentialed=3)
    world.delegation("good")
    world.months("good", date(2026, 7, 1), 3, received=5)
    world.delegation("idle")
    world.months("idle", date(2026, 7, 1), 3, received=0)
    with time_machine.travel(datetime(2026, 11, 26, tzinfo=UTC), tick=False):
        run_job(engine, DELEGATION_ASSESSMENT, "2026-Q3", tmp_path)
    result = powerlist(
        "assessment", "list", "--period", "2026-q3", "--recommendation", "整改", "--json",
        POWERLIST_DATABASE_URL=sqlite_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert (row["item_code"], row["score"], row["grade"]) == ("XK-idle", None, None)
    assert "零办件" in row["reasons"]
    table = powerlist(
        "assessment", "list", "--period", "2026-Q3", POWERLIST_DATABASE_URL=sqlite_url
    )
    assert "XK-good" in table.stdout and "优秀" in table.stdout
    wrong = powerlist(
        "assessment", "list", "--period", "2026-13", POWERLIST_DATABASE_URL=sqlite_url
    )
    assert wrong.returncode == 2 and "不存在的日期" in wrong.stderr


def test_run_refuses_a_bad_configuration_or_period_before_creating_a_run(
    sqlite_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[weights]\non_time = 100\n", encoding="utf-8")
    env = {
        "POWERLIST_DATABASE_URL": sqlite_url,
        "POWERLIST_REPORTS_DIR": str(tmp_path / "reports"),
    }
    command = ("run", "delegation-assessment", "--period")
    result = powerlist(*command, "2026", **env, POWERLIST_ASSESSMENT_FILE=str(bad))
    assert result.returncode == 2
    assert "weights.complaints: missing" in result.stderr
    monthly = powerlist(*command, "2026-07", **env)
    assert monthly.returncode == 2 and "年度（2026）或季度（2026-Q3）" in monthly.stderr
    listed = powerlist("runs", "list", "--json", **env)
    assert json.loads(listed.stdout) == []
