"""The Chinese words a person sees for the runtime's identifiers: jobs, report kinds, statuses,
periods (2026年 / 2026年第三季度 / 2026年11月2日) and a run's error in one line."""

from __future__ import annotations

import re

from powerlist.periods import BadPeriod, parse_period

REPORT_KIND_ZH = {
    "review_department": "部门审核工作簿",
    "review_summary": "全市审核汇总",
    "adjustment_department": "个别调整审核工作簿",
    "delegation_department": "下放委托部门评估表",
    "delegation_unit": "承接单位评估表",
    "delegation_city": "全市效能评估汇总",
    "training_city": "全市培训考试汇总",
    "training_roster": "承接单位人员台账",
}
STATUS_ZH = {
    "queued": "排队中",
    "running": "运行中",
    "succeeded": "成功",
    "failed": "失败",
    "partial": "部分完成",
    "skipped": "已跳过",
}
STEP_ZH = {"plan": "计划步骤", "finish": "汇总步骤"}
QUARTER_ZH = {1: "一", 2: "二", 3: "三", 4: "四"}


def job_title(name: str) -> str:
    """The job's Chinese title (年度权责清单审核…) from the registry; the name if unknown."""
    from powerlist.jobs import all_jobs

    spec = all_jobs().get(name.replace("-", "_"))
    return spec.title if spec is not None else name


def job_titles() -> dict[str, str]:
    """Every registered job's Chinese title by name, for choice lists."""
    from powerlist.jobs import all_jobs

    return {name: spec.title for name, spec in sorted(all_jobs().items())}


def period_zh(label: str) -> str:
    """2026 → 2026年, 2026-Q3 → 2026年第三季度, 2026-07 → 2026年7月, 2026-11-02 → 2026年11月2日."""
    try:
        period = parse_period(label)
    except BadPeriod:
        return label
    start = period.start
    if period.kind == "year":
        return f"{start.year}年"
    if period.kind == "quarter":
        return f"{start.year}年第{QUARTER_ZH[(start.month - 1) // 3 + 1]}季度"
    if period.kind == "month":
        return f"{start.year}年{start.month}月"
    return f"{start.year}年{start.month}月{start.day}日"


def scope_zh(scope: str) -> str:
    """A run's scope as a person reads it: all → 全市, region-固阳县 → 固阳县, else the code."""
    from powerlist.regions import scope_region

    if scope == "all":
        return "全市"
    return scope_region(scope) or scope


def report_kind_zh(kind: str) -> str:
    """A report kind's Chinese name (部门审核工作簿…), the kind itself if unknown."""
    return REPORT_KIND_ZH.get(kind, kind)


_PATH = re.compile(r"(?:[A-Za-z]:)?(?:/[\w.\-@+~\u4e00-\u9fff]+){2,}/?")


def error_lines(error: str | None) -> list[str]:
    """A stored run error's lines for people: no traceback frames, no exception class names,
    no server paths (a file is named by its last part)."""
    lines: list[str] = []
    unit = ""  # "D03: Traceback …": the unit the next exception line belongs to
    for raw in (error or "").splitlines():
        if "Traceback (most recent call last)" in raw:
            unit = raw.split("Traceback", 1)[0].strip()
            continue
        if not raw.strip() or raw[:1].isspace():
            continue  # traceback frames and source lines are indented
        if raw.startswith(("During handling", "The above exception")):
            continue
        line = hide_paths(_EXCEPTION.sub("", raw.strip()))
        if unit:
            line, unit = f"{unit} {line}", ""
        for step, name in STEP_ZH.items():
            if line.startswith(f"{step}: "):
                line = f"{name}：{line.removeprefix(f'{step}: ')}"
        if not any(seen.endswith(line) for seen in lines):  # "plan: X" already says "X"
            lines.append(line)
    return lines


def error_summary(error: str | None) -> str:
    """A stored run error as one line: the first meaningful line, and how many more there are."""
    lines = error_lines(error)
    if not lines:
        return ""
    more = f"（另有 {len(lines) - 1} 条）" if len(lines) > 1 else ""
    return lines[0][:300] + more


_EXCEPTION = re.compile(r"\b(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Refused|Lost): ")


def hide_paths(text: str) -> str:
    """Replace server paths in `text` by their last part (…/file.xlsx)."""
    return _PATH.sub(lambda m: "…/" + m.group(0).rstrip("/").rsplit("/", 1)[-1], text)
