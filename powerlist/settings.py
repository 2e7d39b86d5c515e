"""One settings object, read from POWERLIST_* environment variables with safe defaults."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from powerlist.errors import SettingsError

DEFAULT_DATABASE_URL = "sqlite:///./var/powerlist.db"  # powerlist.env reads it the same way


class Settings(BaseSettings):
    """Configuration for every process (CLI, workers, beat, HTTP app)."""

    model_config = SettingsConfigDict(env_prefix="POWERLIST_", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL. Default: a SQLite file under ./var/.",
    )
    city: str = Field(
        "包头市", description="The city (所属地区) of departments created without a region."
    )
    broker_url: str = Field("redis://localhost:6379/0", description="Celery broker (Redis).")
    reports_dir: Path = Field(Path("./var/reports"), description="Where workbooks are written.")
    timezone: str = Field("Asia/Shanghai", description="Timezone of schedules and periods.")
    power_types_file: Path | None = Field(
        None,
        description="TOML file replacing the default power types and their variant names.",
    )
    assessment_file: Path | None = Field(
        None,
        description="TOML file replacing the delegation assessment's weights, targets and grades.",
    )
    sql_echo: bool = Field(False, description="Log every SQL statement (debugging only).")
    workday_overrides: Path | None = Field(
        None,
        description="TOML file of holidays and 调休 working days per year, read instead of "
        "the packaged powerlist/data/workday_overrides.toml.",
    )
    training_file: Path | None = Field(
        None, description="TOML file replacing powerlist/data/training.toml (requirements, stages)."
    )
    smtp_host: str = Field("localhost", description="SMTP server for e-mail reminders.")
    smtp_port: int = Field(25, description="SMTP port.")
    smtp_sender: str = Field("powerlist@localhost", description="From address of e-mails.")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_user: str | None = Field(None, description="SMTP login (none: no authentication).")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    webhook_url: str | None = Field(
        None,
        description="Group robot (企业微信/钉钉) that receives escalations and alerts as JSON.",
    )
    alert_email: str | None = Field(None, description="E-mail address that receives alerts.")
    outbox_max_attempts: int = Field(6, description="Delivery attempts before a message fails.")
    outbox_backoff_seconds: float = Field(
        60.0, description="First retry delay; doubled on each further attempt (capped at 6 h)."
    )
    review_as_of: date | None = Field(
        None,
        description="Reference date of the yearly review (stale reviews, laws in force). "
        "Default: today, or the last day of the reviewed year if that is earlier.",
    )
    proposal_due_working_days: int = Field(
        20, ge=1, description="Working days after a review run for departments' 部门意见."
    )
    verdict_due_working_days: int = Field(
        10, ge=1, description="Working days after the 部门意见 due date for the 审核意见."
    )
    assessment_as_of: date | None = Field(
        None,
        description="Reference date of the delegation assessment: months that ended before it "
        "are assessed. Default: today (in POWERLIST_TIMEZONE).",
    )
    import_max_bytes: int = Field(
        20 * 1024 * 1024, description="Largest spreadsheet or CSV file accepted for import."
    )
    import_max_uncompressed_bytes: int = Field(
        256 * 1024 * 1024,
        description="Largest total declared uncompressed size of an .xlsx (zip-bomb guard).",
    )
    import_max_ratio: int = Field(
        100, description="Largest compression ratio of any large member of an .xlsx."
    )
    import_max_rows: int = Field(200_000, description="Most data rows read from one sheet.")
    import_max_columns: int = Field(100, description="Most columns read from one sheet.")

    # --- runtime: Celery workers, beat and the run ledger -------------------------------
    result_backend_url: str | None = Field(
        None, description="Celery result backend; default: the broker. Status lives in SQL."
    )
    queue_reports: str = Field("reports", description="Queue for long report work.")
    queue_reminders: str = Field("reminders", description="Queue for short reminder work.")
    task_soft_time_limit: int = Field(1500, description="Seconds before a step is asked to stop.")
    task_time_limit: int = Field(1800, description="Seconds before a step's process is killed.")
    visibility_timeout: int = Field(
        3600, description="Redis redelivery timeout; must exceed task_time_limit."
    )
    unacked_restore_interval: int = Field(
        30, description="Seconds between sweeps that requeue messages of dead workers."
    )
    check_timeouts: bool = Field(
        True, description="Refuse a visibility_timeout not above task_time_limit."
    )
    max_attempts: int = Field(3, ge=1, description="Starts allowed per run step.")
    heartbeat_seconds: float = Field(10.0, gt=0, description="How often a step heartbeats.")
    lease_seconds: float = Field(
        120.0, gt=0, description="A step or run silent this long is reaped and re-queued."
    )
    retry_backoff_max: float = Field(60.0, ge=0, description="Longest wait before a retry.")
    extra_job_modules: str = Field(
        "", description="Comma-separated modules that register extra jobs (plug-ins, tests)."
    )
    schedule_file: Path | None = Field(
        None, description="Beat schedule TOML; default: schedules/powerlist.toml."
    )

    # --- retention (保存期限) of personal data: days kept, 0 = forever --------------------
    retention_outbox_days: int = Field(
        400, ge=0, description="Days a sent or failed outbox message (address, text) is kept."
    )
    retention_reminders_days: int = Field(
        400, ge=0, description="Days the record of a sent reminder stage is kept."
    )
    retention_audit_days: int = Field(
        1825, ge=0, description="Days an audit event (download, upload, trigger) is kept."
    )
    retention_staff_days: int = Field(
        1095,
        ge=0,
        description="Days a person no longer 在岗 is kept (with reminders, training, exams).",
    )
    retention_roster_files_days: int = Field(
        400, ge=0, description="Days a training roster or city table workbook is kept."
    )
    retention_report_files_days: int = Field(
        1825, ge=0, description="Days any other report workbook (review, assessment) is kept."
    )
    retention_import_errors_days: int = Field(
        30, ge=0, description="Days the error workbook of a refused import (its rows) is kept."
    )

    # --- HTTP API and portal (powerlist serve) -------------------------------------------
    api_run_mode: Literal["queue", "in_process"] = Field(
        "queue",
        description="How runs triggered over HTTP execute: sent to the workers (queue), or in "
        "the API process after the response (in_process; the demo without workers).",
    )
    health_timeout: float = Field(
        1.0, gt=0, description="Seconds the health check waits for the broker and workers."
    )
    cookie_secure: bool = Field(
        False, description="Mark the portal's sign-in cookie Secure (set behind HTTPS)."
    )

    # --- the yearly 审核报告 (official document, GB/T 9704) -----------------------------
    review_report_issuer: str = Field(
        "市司法局", description="发文机关 of the 审核报告: its 版头, 落款 and the office it names."
    )
    review_report_number: str = Field(
        "市司法〔{year}〕1号",
        description="文号 of the 审核报告; {year} is replaced by the reviewed year.",
    )
    review_report_recipients: str = Field("市人民政府", description="主送机关 of the 审核报告.")
    review_return_working_days: int = Field(
        15, ge=1, description="Working days a department has to return its 部门意见 (审核意见书)."
    )

    def queue_for(self, logical: str) -> str:
        """The configured name of a logical queue: "reports" (long work) or "reminders"."""
        return self.queue_reports if logical == "reports" else self.queue_reminders

    @model_validator(mode="after")
    def _timeouts_are_safe(self) -> Settings:
        if self.task_soft_time_limit >= self.task_time_limit:
            raise ValueError(
                f"POWERLIST_TASK_SOFT_TIME_LIMIT（{self.task_soft_time_limit} 秒）应小于 "
                f"POWERLIST_TASK_TIME_LIMIT（{self.task_time_limit} 秒）"
            )
        if self.check_timeouts and self.visibility_timeout <= self.task_time_limit:
            raise ValueError(
                f"POWERLIST_VISIBILITY_TIMEOUT（{self.visibility_timeout} 秒）应大于 "
                f"POWERLIST_TASK_TIME_LIMIT（{self.task_time_limit} 秒），否则运行中的步骤会被"
                "重复投递"
            )
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment; a value they refuse
    is a SettingsError naming the variable in Chinese (the CLI's one line, exit 2)."""
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(settings_problem(error)) from error


def settings_problem(error: ValidationError) -> str:
    """What is wrong with the environment, one Chinese line: each refused variable and why."""
    problems = []
    for found in error.errors():
        where = "".join(str(part) for part in found["loc"][:1])
        reason = _reason(found["type"], found.get("ctx") or {}, found["msg"])
        if where:
            shown = str(found.get("input", ""))[:60]
            problems.append(f"环境变量 POWERLIST_{where.upper()} 的值“{shown}”无效：{reason}")
        else:  # a rule across variables: its message names them
            problems.append(str(found.get("ctx", {}).get("error", reason)))
    return "设置有误：" + "；".join(problems) + "；请改正环境变量后重试"


def _reason(kind: str, ctx: dict[str, object], english: str) -> str:
    """Pydantic's error kind in Chinese; an unknown kind keeps pydantic's English words."""
    bounds = {"greater_than_equal": ("ge", "不小于"), "greater_than": ("gt", "大于"),
              "less_than_equal": ("le", "不大于"), "less_than": ("lt", "小于")}  # fmt: skip
    if kind in bounds:
        key, word = bounds[kind]
        return f"应{word} {ctx.get(key)}"
    return {
        "int_parsing": "应为整数",
        "int_from_float": "应为整数",
        "float_parsing": "应为数字",
        "bool_parsing": "应为 true 或 false",
        "date_from_datetime_parsing": "应为日期，如 2026-11-01",
        "date_parsing": "应为日期，如 2026-11-01",
        "literal_error": "可选 " + "、".join(re.findall(r"'([^']*)'", str(ctx.get("expected")))),
        "missing": "必须填写",
    }.get(kind, english)
