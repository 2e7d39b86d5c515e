"""`powerlist run`, `powerlist runs …`, `powerlist schedules list`: manual runs and the ledger."""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from powerlist.cli.errors import fail
from powerlist.cli.output import print_json, print_table
from powerlist.labels import STATUS_ZH, error_lines, job_title, period_zh, scope_zh

if TYPE_CHECKING:
    from powerlist.runtime.ledger import Claim
    from powerlist.runtime.views import RunView

runs_app = typer.Typer(help="The run ledger (运行台账): status and progress.", no_args_is_help=True)
schedules_app = typer.Typer(help="The beat schedule (定时任务).", no_args_is_help=True)

EXIT_CODES = {"succeeded": 0, "failed": 1, "partial": 3, "skipped": 0}


def register(app: typer.Typer) -> None:
    """Add `run`, `runs` and `schedules` to the main CLI."""
    app.command("run")(run)
    app.add_typer(runs_app, name="runs")
    app.add_typer(schedules_app, name="schedules")


def run(
    job: str = typer.Argument(
        ...,
        help="yearly-review（年度权责清单审核，期间为年份）、delegation-assessment（下放委托事项"
        "效能评估，年度或季度）、training-reminders（培训考试提醒，某个工作日）",
    ),
    period: str = typer.Option(..., "--period", help="2026, 2026-Q3, 2026-07 or 2026-07-15."),
    department: str | None = typer.Option(
        None,
        "--department",
        help="One department (部门) by code or name, e.g. sthjj or 市生态环境局; "
        "for training-reminders one receiving unit (承接单位). Default: all.",
    ),
    region: str | None = typer.Option(None, "--region", help="One region (所属地区): 固阳县."),
    queue: bool = typer.Option(False, "--queue", help="Send to the workers instead of here."),
    wait: bool = typer.Option(False, "--wait", help="With --queue: wait and show progress."),
    force: bool = typer.Option(False, "--force", help="Re-run a finished key, replacing outputs."),
) -> None:
    """Run a job for a period (and one department): in this process, or queued to workers."""
    from powerlist.db import default_engine
    from powerlist.regions import region_scope
    from powerlist.runtime.ledger import RunBusy
    from powerlist.runtime.runner import run_in_process, start_run
    from powerlist.runtime.steps import limits_from
    from powerlist.settings import get_settings

    if region and department:
        fail("--region 与 --department 只能选一个")
    scope = region_scope(region) if region else (department or "all")
    engine = default_engine()
    try:
        claim = start_run(engine, job, period, scope, trigger=_trigger(queue), force=force)
    except RunBusy as error:
        fail(f"{error}：请等它结束后再加 --force 重跑")
    view = _view(claim.run_id)
    if view.finished and not claim.created:
        typer.echo(f"运行 #{view.id} 已结束（{STATUS_ZH[view.status]}）；如需重跑请加 --force")
        raise typer.Exit(EXIT_CODES[view.status])
    typer.echo(
        f"运行 #{view.id}：{job_title(view.job)}，{period_zh(view.period)}，"
        f"{scope_zh(view.scope)}（第 {claim.generation} 次）"
    )
    if queue:
        _send(claim, view.job)
        if not wait:
            typer.echo(f"已排队；查看进度：powerlist runs show {view.id}")
            return
        final = _watch(claim.run_id)
    else:
        settings = get_settings()
        with _Progress() as progress:
            final = run_in_process(
                engine,
                claim,
                limits=limits_from(settings),
                reports_root=settings.reports_dir,
                on_progress=progress.update,
            )
    _print_outcome(final)
    raise typer.Exit(EXIT_CODES.get(final.status, 1))


def _trigger(queue: bool) -> str:
    import getpass

    return f"cli{'-queue' if queue else ''}:{getpass.getuser()}"


def _send(claim: Claim, job: str) -> None:
    from powerlist.db import default_engine
    from tasks.dispatch import BrokerDown, send_first_step  # the Celery edge

    try:
        send_first_step(default_engine(), claim.run_id, claim.generation, job)
    except BrokerDown as error:
        typer.echo(f"错误：{error}（运行 #{claim.run_id} 已标记为失败）", err=True)
        raise typer.Exit(1) from error


def _watch(run_id: int) -> RunView:
    with _Progress() as progress:
        while True:
            view = _view(run_id)
            progress.update(view)
            if view.finished:
                return view
            time.sleep(0.5)


def _view(run_id: int) -> RunView:
    from powerlist.db import reading
    from powerlist.runtime.views import get_run

    with reading() as connection:
        view = get_run(connection, run_id)
    if view is None:
        fail(f"没有运行 #{run_id}：用 powerlist runs list 查看已有的运行")
    return view


class _Progress:
    """A live bar on a terminal (done/total, elapsed, current department); plain lines otherwise."""

    def __init__(self) -> None:
        self.live = sys.stdout.isatty()
        self.bar: Any = None
        self.task: Any = None
        self.last: tuple[int, int, str | None, str] | None = None

    def __enter__(self) -> _Progress:
        if self.live:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[current]}"),
            )
            self.bar.start()
            self.task = self.bar.add_task("进度", total=None, current="")
        return self

    def update(self, view: RunView) -> None:
        """Show the run's progress if it changed."""
        state = (view.done, view.total, view.current, view.status)
        if state == self.last:
            return
        self.last = state
        if self.bar is not None:
            total = view.total or None
            current = view.current or STATUS_ZH.get(view.status, view.status)
            self.bar.update(self.task, completed=view.done, total=total, current=current)
        else:
            typer.echo(
                f"进度 {view.done}/{view.total}  {view.elapsed_seconds:.1f}s  "
                f"{STATUS_ZH.get(view.status, view.status)}  {view.current or ''}".rstrip()
            )

    def __exit__(self, *_: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_outcome(view: RunView) -> None:
    from powerlist.db import reading
    from powerlist.runtime.views import run_report_files

    if view.status == "skipped":
        reason = (view.summary or {}).get("skipped", "")
        typer.echo(f"运行 #{view.id} 跳过：{reason}（已记为“已跳过”，不计为成功）")
        return
    typer.echo(
        f"运行 #{view.id} {STATUS_ZH.get(view.status, view.status)}：{view.done}/{view.total}，"
        f"尝试 {view.attempts} 次，用时 {view.elapsed_seconds:.1f}s"
    )
    for line in error_lines(view.error):  # the stored traceback: runs show --json
        typer.echo(line, err=True)
    with reading() as connection:
        files = run_report_files(connection, view.id)
    if files:
        folders = sorted({str(Path(f).parent) for f in files})
        typer.echo(f"工作簿 {len(files)} 个，位于：{'、'.join(folders)}")


def _row(view: RunView) -> dict[str, Any]:
    return {
        "id": view.id,
        "job": job_title(view.job),
        "period": period_zh(view.period),
        "scope": scope_zh(view.scope),
        "status": STATUS_ZH.get(view.status, view.status),
        "progress": f"{view.done}/{view.total}",
        "attempts": view.attempts,
        "trigger": view.trigger,
        "created": view.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        "elapsed": f"{view.elapsed_seconds:.1f}s",
    }


@runs_app.command("list")
def runs_list(
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
    limit: int = typer.Option(50, "--limit", min=1, help="How many runs, newest first."),
    job: str | None = typer.Option(None, "--job", help="Only runs of this job."),
) -> None:
    """The newest runs with status and progress."""
    from powerlist.db import reading
    from powerlist.runtime.views import list_runs

    if job:
        from powerlist.runtime.runner import checked_job  # loads the job registry: only for --job

        job = checked_job(job).name
    with reading() as connection:
        views = list_runs(connection, limit=limit, job=job)
    if as_json:
        print_json([v.as_json() for v in views])
        return
    columns = [
        ("id", "编号"),
        ("job", "任务"),
        ("period", "期间"),
        ("scope", "范围"),
        ("status", "状态"),
        ("progress", "进度"),
        ("attempts", "尝试"),
        ("trigger", "触发"),
        ("created", "创建时间"),
        ("elapsed", "用时"),
    ]
    print_table([_row(v) for v in views], columns)


@runs_app.command("show")
def runs_show(
    run_id: int = typer.Argument(..., help="Run number."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """One run: status, progress, attempts, timings, trigger, error and its steps."""
    from powerlist.db import reading
    from powerlist.runtime.views import run_steps

    view = _view(run_id)
    with reading() as connection:
        steps = run_steps(connection, run_id)
    if as_json:
        data = view.as_json()
        data["steps"] = [vars(s) for s in steps]
        print_json(data)
        return
    for label, value in [
        ("运行", f"#{view.id}（第 {view.generation} 次）"),
        ("任务", f"{job_title(view.job)}，{period_zh(view.period)}，{scope_zh(view.scope)}"),
        ("状态", STATUS_ZH.get(view.status, view.status)),
        ("进度", f"{view.done}/{view.total} {view.current or ''}".rstrip()),
        ("尝试", view.attempts),
        ("触发", view.trigger),
        ("创建", _time(view.created_at)),
        ("开始", _time(view.started_at)),
        ("心跳", _time(view.heartbeat_at)),
        ("结束", _time(view.finished_at)),
        ("用时", f"{view.elapsed_seconds:.1f}s"),
        ("结果", summary_line(view.summary)),
        ("错误", "；".join(error_lines(view.error))),
    ]:
        typer.echo(f"{label}：{value}")
    rows = [{"step": s.step, "status": s.status, "attempts": s.attempts} for s in steps]
    print_table(rows, [("step", "步骤"), ("status", "状态"), ("attempts", "尝试")])


SUMMARY_ZH = {
    "skipped": "跳过",
    "day": "日期",
    "working_day": "工作日",
    "departments": "部门",
    "items": "事项",
    "findings": "问题",
    "workbooks": "工作簿",
    "delegations": "下放委托事项",
    "unit_workbooks": "承接单位工作簿",
    "grades": "等次",
    "recommendations": "建议",
    "zero_case": "零办件",
    "units": "承接单位",
    "reminders": "提醒",
    "escalations": "督办",
    "messages": "消息",
    "delivered": "已发送",
}


def summary_line(summary: dict[str, Any] | None) -> str:
    """A run's stored summary as one readable line (Chinese names where known, no braces)."""
    if not summary:
        return ""
    parts = []
    for key, value in summary.items():
        label = SUMMARY_ZH.get(key, key)
        if isinstance(value, dict):
            inner = "、".join(f"{k} {v}" for k, v in value.items())
            parts.append(f"{label}（{inner}）" if inner else f"{label} 0")
        elif isinstance(value, bool):
            parts.append(f"{label} {'是' if value else '否'}")
        elif isinstance(value, list):
            parts.append(f"{label} {'、'.join(map(str, value))}")
        else:
            parts.append(f"{label} {value}")
    return "；".join(parts)


def _time(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else ""


@schedules_app.command("list")
def schedules_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Each schedule entry and its next three real runs (Asia/Shanghai; working days only)."""
    from powerlist.models import utcnow
    from powerlist.settings import get_settings
    from schedules.loader import ScheduleError, load_schedule

    try:
        schedule = load_schedule(timezone=get_settings().timezone)
    except ScheduleError as error:
        fail(str(error))
    now = utcnow().astimezone(schedule.zone)
    rows = [_entry_row(e, now) for e in schedule.entries]
    if as_json:
        print_json(rows)
        return
    typer.echo(f"{schedule.path}（{schedule.timezone}）")
    for row in rows:
        period = f"  期间 {row['period']}" if row["period"] else ""
        runs_on = "仅工作日" if row["runs_on"] == "working_day" else "每天"
        typer.echo(
            f"\n{row['name']}  {row['task']}  {row['when']}  队列 {row['queue']}{period}  {runs_on}"
        )
        if row["description"]:
            typer.echo(f"  {row['description']}")
        for fire in row["next"]:
            if fire["at"] is None:
                typer.echo(f"  之后：{fire['note']}")
                continue
            derived = f"  → 期间 {fire['period']}" if fire["period"] else ""
            typer.echo(f"  下次 {fire['at']}{derived}")


def _entry_row(entry: Any, now: datetime) -> dict[str, Any]:
    from powerlist.runtime.upcoming import upcoming_runs
    from powerlist.runtime.workdays_hook import working_day_check

    return {
        "name": entry.name,
        "task": entry.task,
        "when": entry.when(),
        "queue": entry.queue,
        "period": str(entry.period) if entry.period else "",
        "runs_on": entry.runs_on,
        "description": entry.description,
        "next": [
            {
                "at": run.at.strftime("%Y-%m-%d %H:%M") if run.at else None,
                "period": run.period,
                **({"note": run.note} if run.note else {}),
            }
            for run in upcoming_runs(entry, now, 3, working_day_check())
        ],
    }
