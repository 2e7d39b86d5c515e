"""The review from the command line: demo, run yearly-review, decisions import/review/approve,
list export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from tests.sheet_table import table_rows
from tests.test_review_decisions import decide, fill

POWERLIST = str(Path(sys.executable).with_name("powerlist"))


def run(*args: str, home: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POWERLIST_DATABASE_URL": f"sqlite:///{home}/cli.db",
           "POWERLIST_REPORTS_DIR": str(home / "reports"),
           "POWERLIST_REVIEW_AS_OF": "2026-11-01"}  # fmt: skip
    return subprocess.run(
        [POWERLIST, *args], env=env, capture_output=True, text=True, check=check, timeout=300
    )


def test_demo_review_then_decisions_then_export(tmp_path: Path) -> None:
    run("demo", home=tmp_path)
    review = run("run", "yearly-review", "--period", "2026", home=tmp_path)
    assert "工作簿 52 个" in review.stdout
    folder = tmp_path / "reports" / "yearly_review" / "2026" / "all"
    assert len(list(folder.glob("*.xlsx"))) == 52
    source = folder / "2026年度权责清单审核-市生态环境局.xlsx"
    sheet = load_workbook(source, read_only=True)["审核事项"]
    code = table_rows(sheet)[1][1]

    bad = fill(source, tmp_path / "bad.xlsx", {code: ("取消", "")})
    refused = run("decisions", "import", str(bad), home=tmp_path, check=False)
    assert refused.returncode == 2
    assert "第3行“说明/理由”列：部门意见为取消时必须填写理由" in refused.stderr

    good = fill(
        source, tmp_path / "good.xlsx", {code: ("取消", "上级已取消", "内政发〔2025〕12号")}
    )
    recorded = json.loads(run("decisions", "import", str(good), "--json", home=tmp_path).stdout)
    assert (recorded["status"], recorded["recorded"]) == ("recorded", 1)
    again = run("decisions", "import", str(good), home=tmp_path)
    assert "已导入过" in again.stdout

    office = json.loads(
        run("decisions", "review", "--year", "2026", "--json", home=tmp_path).stdout
    )
    assert office["pending"] == 1
    decided = decide(Path(office["file"]), tmp_path / "verdicts.xlsx", {code: ("同意", "")})
    approved = run("decisions", "approve", str(decided), home=tmp_path)
    assert "同意 1 条" in approved.stdout

    exported = json.loads(run("list", "export", "--year", "2026", "--json", home=tmp_path).stdout)
    assert Path(exported["file"]).exists()
    assert exported["changes_取消"] == 1
    assert exported["in_force"] == 6834 - 311
