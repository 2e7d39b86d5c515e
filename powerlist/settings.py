"""One settings object, read from POWERLIST_* environment variables with safe defaults."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./var/powerlist.db"


class Settings(BaseSettings):
    """Configuration for every process (CLI, workers, beat, HTTP app)."""

    model_config = SettingsConfigDict(env_prefix="POWERLIST_", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL. Default: a SQLite file under ./var/.",
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
    review_as_of: date | None = Field(
        None,
        description="Reference date of the yearly review (stale reviews, laws in force). "
        "Default: today, or the last day of the reviewed year if that is earlier.",
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return Settings()
