"""Every refusal of the CLI: one Chinese line, exit 2, no traceback, no run, file or folder left.

Run as a user runs it: the installed `powerlist` script in a subprocess, in a scratch folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from powerlist import db
from powerlist.api.health import last_successes
from powerlist.models import Run
from tests.fixtures_runtime import add_departments

POWERLIST = str(Path(sys.executable).with_name("powerlist"))
ROOT = Path(__file__).resolve().parent.parent


def _cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POWERLIST, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def world(sqlite_url: str, tmp_path: Path) -> dict[str, str]:
    """A migrated SQLite database with three departments, and a reports folder inside tmp_path."""
    engine = db.make_engine(sqlite_url)
    add_departments(engine)
    engine.dispose()
    (tmp_path / "work").mkdir()
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "POWERLIST_DATABASE_URL": sqlite_url,
        "POWERLIST_REPORTS_DIR": str(tmp_path / "work" / "reports"),
        "POWERLIST_EXTRA_JOB_MODULES": "tests.jobs_for_tests",
    }


def _refused(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit 2, one line on stderr starting with 错误：, nothing on stdout, no traceback."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def _runs(env: dict[str, str]) -> int:
    engine = db.make_engine(env["POWERLIST_DATABASE_URL"])
    with db.session_scope(engine) as session:
        count = session.scalar(select(func.count()).select_from(Run))
    engine.dispose()
    return int(count or 0)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if ".db" not in p.name)


def test_unknown_job_names_the_jobs_in_chinese(world: dict[str, str], tmp_path: Path) -> None:
    result = _cli(world, tmp_path, "run", "foo", "--period", "2026")
    _refused(result, "没有任务“foo”", "yearly-review（年度权责清单审核）")
    assert "unknown" not in result.stderr and _runs(world) == 0


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["run", "yearly-review", "--period", "2026-13"], ["2026-13"]),
        (["run", "yearly-review", "--period", "2026-Q3"], ["年度审核的期间应为年份"]),
        (["run", "training-reminders", "--period", "2026-02-30"], ["不存在的日期"]),
    ],
)
def test_a_period_that_does_not_fit_is_refused_before_a_run(
    world: dict[str, str], tmp_path: Path, args: list[str], fragments: list[str]
) -> None:
    _refused(_cli(world, tmp_path, *args), *fragments)
    assert _runs(world) == 0


@pytest.mark.parametrize("scope", ["不存在局", "../../../escaped", "/tmp/escaped-abs", "D0%"])
def test_a_department_that_does_not_exist_leaves_no_run_and_no_folder(
    world: dict[str, str], tmp_path: Path, scope: str
) -> None:
    before = _files(tmp_path)
    result = _cli(world, tmp_path / "work", "run", "yearly-review", "--period", "2026",
                  "--department", scope)  # fmt: skip
    _refused(result, "找不到部门", "powerlist departments list")
    assert _runs(world) == 0
    assert _files(tmp_path) == before
    assert not Path("/tmp/escaped-abs").exists()
    assert not (tmp_path / "work" / "escaped").exists()


def test_a_department_name_runs_under_its_code(world: dict[str, str], tmp_path: Path) -> None:
    result = _cli(world, tmp_path, "run", "test_reports", "--period", "2026",
                  "--department", "市生态环境局")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "运行 #1：测试报表，2026年，D02（第 1 次）"
    assert (tmp_path / "work" / "reports" / "test_reports" / "2026" / "D02" / "D02.xlsx").exists()
    shown = _cli(world, tmp_path, "runs", "show", "1")
    result_line = next(line for line in shown.stdout.splitlines() if line.startswith("结果："))
    assert "{" not in result_line and "'" not in result_line


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["import", "item", "x.xlsx"], ["没有“item”这种导入内容", "items、laws"]),
        (["import", "items", "nope.xlsx"], ["参数 FILE", "找不到“nope.xlsx”"]),
        (["import", "items", "."], ["是文件夹"]),
        (["decisions", "import", "nope.xlsx"], ["找不到“nope.xlsx”"]),
        (["frobnicate"], ["没有命令“frobnicate”", "run、", "powerlist --help"]),
        (["run", "yearly-review"], ["缺少选项 --period", "powerlist run --help"]),
        (["run", "yearly-review", "--period", "2026", "--bogus"], ["没有选项 --bogus"]),
        (["runs", "show", "abc"], ["RUN_ID", "不是整数"]),
        (["runs", "show", "42"], ["没有运行 #42", "powerlist runs list"]),
        (["runs", "list", "--job", "yearly-reveiw"], ["没有任务“yearly-reveiw”"]),
        (["runs", "list", "--limit", "0"], ["选项 --limit 的值应不小于 1"]),
        (["demo", "--scale", "town"], ["选项 --scale", "“town”无效", "可选 city、province"]),
        (["list", "export", "--year", "2030"], ["2030年还没有完成的年度审核", "run yearly-review"]),
        (
            ["assessment", "list", "--period", "2026", "--recommendation", "撤回"],
            ["建议只能是 继续、整改、收回", "撤回"],
        ),
        (["items", "list", "--department", "不存在局"], ["找不到部门“不存在局”"]),
    ],
)
def test_bad_input_is_one_chinese_line(
    world: dict[str, str], tmp_path: Path, args: list[str], fragments: list[str]
) -> None:
    before = _files(tmp_path)
    _refused(_cli(world, tmp_path, *args), *fragments)
    assert _files(tmp_path) == before and _runs(world) == 0


def test_a_read_command_never_creates_a_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POWERLIST_")}
    for args in (["items", "list"], ["runs", "list"], ["departments", "list"],
                 ["run", "yearly-review", "--period", "2026"]):  # fmt: skip
        result = _cli(env, tmp_path, *args)
        _refused(result, f"找不到数据库 {tmp_path}/var/powerlist.db", "powerlist db upgrade",
                 "make demo")  # fmt: skip
    assert list(tmp_path.iterdir()) == []
    created = _cli(env, tmp_path, "db", "upgrade")
    assert created.returncode == 0 and (tmp_path / "var" / "powerlist.db").is_file()
    assert _cli(env, tmp_path, "runs", "list").returncode == 0


def test_an_empty_database_file_says_to_migrate(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()
    env = {**os.environ, "POWERLIST_DATABASE_URL": f"sqlite:///{tmp_path}/empty.db"}
    _refused(_cli(env, tmp_path, "departments", "list"), "还没有表结构", "powerlist db upgrade")


def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(
    world: dict[str, str], tmp_path: Path
) -> None:
    env = {**world, "POWERLIST_EXTRA_JOB_MODULES": "tests.jobs_that_crash"}
    plain = _cli(env, tmp_path, "runs", "list", "--job", "yearly-review")  # loads the plug-ins
    assert plain.returncode == 1
    assert plain.stderr.startswith("错误：内部错误（RuntimeError）") and "--debug" in plain.stderr
    assert "Traceback" not in plain.stderr and len(plain.stderr.splitlines()) == 1
    debug = _cli(env, tmp_path, "--debug", "runs", "list", "--job", "yearly-review")
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr


@pytest.mark.parametrize(
    ("variables", "fragments"),
    [
        ({"POWERLIST_SMTP_PORT": "abc"}, ["POWERLIST_SMTP_PORT 的值“abc”无效：应为整数"]),
        (
            {"POWERLIST_TASK_TIME_LIMIT": "10", "POWERLIST_TASK_SOFT_TIME_LIMIT": "20"},
            ["POWERLIST_TASK_SOFT_TIME_LIMIT（20 秒）应小于 POWERLIST_TASK_TIME_LIMIT（10 秒）"],
        ),
        (
            {"POWERLIST_API_RUN_MODE": "x"},
            ["POWERLIST_API_RUN_MODE 的值“x”无效：可选 queue、in_process"],
        ),
    ],
)
def test_a_bad_setting_is_one_chinese_line_naming_the_variable(
    world: dict[str, str], tmp_path: Path, variables: dict[str, str], fragments: list[str]
) -> None:
    _refused(_cli({**world, **variables}, tmp_path, "schedules", "list"), "设置有误：", *fragments,
             "请改正环境变量后重试")  # fmt: skip


def test_reminders_on_a_saturday_are_skipped_not_a_success(
    world: dict[str, str], tmp_path: Path
) -> None:
    result = _cli(world, tmp_path, "run", "training-reminders", "--period", "2026-11-07")
    assert result.returncode == 0, result.stderr
    assert "运行 #1 跳过：非工作日" in result.stdout
    engine = db.make_engine(world["POWERLIST_DATABASE_URL"])
    with db.session_scope(engine) as session:
        run = session.scalars(select(Run)).one()
        assert run.status == "skipped" and run.error is None
        assert last_successes(session, ["training_reminders"]) == {"training_reminders": None}
    engine.dispose()
    shown = _cli(world, tmp_path, "runs", "show", "1")
    assert "状态：已跳过" in shown.stdout and "跳过 非工作日" in shown.stdout


@pytest.mark.parametrize(
    ("click_says", "we_say"),
    [
        ("'abc' is not a valid int.", " 的值不是整数：请填写数字"),
        ("'x' is not a valid float.", " 的值不是数字"),
        ("0 is not in the range x>=1.", " 的值应不小于 1"),
        ("9 is not in the range x<5.", " 的值应小于 5"),
        ("9 is not in the range 1<=x<=5.", " 的值应在 1 到 5 之间"),
        ("'x' does not match the formats '%Y-%m-%d'.", " 的值不是日期：请按 2026-11-02 填写"),
    ],
)
def test_clicks_value_errors_read_in_chinese(click_says: str, we_say: str) -> None:
    from powerlist.cli.errors import _bad_value

    assert _bad_value(click_says) == we_say
