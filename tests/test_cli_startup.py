"""The command line starts fast: it loads a command's stack only when that command runs.

Each check runs in a fresh interpreter and reads its sys.modules, so an eager import added back
to a command module (or to what the list commands use) fails here, not only in the benchmark.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from powerlist.cli import assessment_cmd, imports_cmd

# Stacks a start-up or a list command must not pay for: workers, HTTP, workbooks, migrations,
# the jobs' own code and the calendar of working days.
HEAVY = (
    "celery",
    "kombu",
    "redis",
    "fastapi",
    "starlette",
    "uvicorn",
    "openpyxl",
    "xlsxwriter",
    "docx",
    "chinese_calendar",
    "alembic",
    "tasks",
    "powerlist.review",
    "powerlist.assessment",
    "powerlist.training",
    "powerlist.imports",
    "powerlist.jobs",
    "powerlist.excel",
    "powerlist.api",
)

PROBE = """
import json, sys
sys.argv = ["powerlist", *json.loads(sys.argv[1])]
try:
    if len(sys.argv) > 1:
        from powerlist.cli import main
        main()
    else:
        import powerlist.cli
finally:
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(sorted(sys.modules), f)
"""


def loaded_modules(tmp_path: Path, argv: list[str], env: dict[str, str]) -> set[str]:
    """The modules a fresh `powerlist ARGV` (no ARGV: `import powerlist.cli`) has loaded."""
    out = tmp_path / "modules.json"
    code = PROBE.replace("OUT", repr(str(out)))
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(argv)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.is_file(), done.stderr
    return set(json.loads(out.read_text(encoding="utf-8")))


def heavy_in(modules: set[str]) -> list[str]:
    """The HEAVY packages (or their submodules) among `modules`."""
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a CLI process on a fresh, migrated SQLite database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POWERLIST_")}
    env["POWERLIST_DATABASE_URL"] = f"sqlite:///{tmp_path}/start.db"
    env["POWERLIST_REPORTS_DIR"] = str(tmp_path / "reports")
    upgraded = subprocess.run(
        [sys.executable, "-c", "from powerlist.cli import main; main()", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert upgraded.returncode == 0, upgraded.stderr
    return env


def test_importing_the_cli_loads_no_command_stack(tmp_path: Path) -> None:
    modules = loaded_modules(tmp_path, [], dict(os.environ))
    assert "powerlist.cli.runtime_cmd" in modules  # the probe saw the whole CLI
    assert heavy_in(modules) == []
    assert "powerlist.db" not in modules and "sqlalchemy" not in modules


def test_help_loads_no_command_stack(tmp_path: Path) -> None:
    modules = loaded_modules(tmp_path, ["--help"], dict(os.environ))
    assert "typer.rich_utils" in modules  # the help was drawn
    assert heavy_in(modules) == []
    assert "sqlalchemy" not in modules and "powerlist.settings" not in modules


@pytest.mark.parametrize(
    "argv",
    [
        ["runs", "list", "--json"],
        ["items", "list", "--department", "市生态环境局", "--json"],
        ["departments", "list"],
    ],
)
def test_list_commands_load_only_the_database(
    tmp_path: Path, cli_env: dict[str, str], argv: list[str]
) -> None:
    modules = loaded_modules(tmp_path, argv, cli_env)
    assert "powerlist.tables" in modules  # the command did reach the database
    assert heavy_in(modules) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["runs", "list", "--json"],
        ["runs", "show", "1", "--json"],
        ["items", "list", "--department", "市生态环境局", "--json"],
    ],
)
def test_list_commands_read_without_the_orm_or_pydantic(
    tmp_path: Path, cli_env: dict[str, str], argv: list[str]
) -> None:
    # issue 23: these answer within 1.5× a bare `import typer, sqlalchemy`; the ORM with every
    # model (~0.1 s) and pydantic (Typer 0.29's coercion, pydantic-settings) would break that.
    modules = loaded_modules(tmp_path, argv, cli_env)
    assert "sqlalchemy.engine" in modules
    slow = ("sqlalchemy.orm", "powerlist.models", "pydantic", "pydantic_settings")
    assert sorted(m for m in modules if m.split(".")[0] in slow or m.startswith(slow)) == []


def test_the_probe_sees_a_heavy_import(tmp_path: Path, cli_env: dict[str, str]) -> None:
    # `assessment list` needs the assessment: the guard must notice it loaded.
    modules = loaded_modules(tmp_path, ["assessment", "list", "--period", "2026"], cli_env)
    assert "powerlist.assessment" in heavy_in(modules)


def test_names_spelled_in_the_cli_match_the_domain() -> None:
    from powerlist.assessment.config import RECOMMENDATIONS
    from powerlist.assessment.scoring import REVOKED
    from powerlist.imports import KINDS

    assert tuple(KINDS) == imports_cmd.KINDS
    assert (*RECOMMENDATIONS, REVOKED) == assessment_cmd.LISTED
