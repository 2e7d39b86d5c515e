"""powerlist.env reads the database URL and SQL echo as powerlist.settings.Settings does.

The list commands connect through powerlist.env to skip importing pydantic; a user who sets
POWERLIST_DATABASE_URL (in any case) must reach the same database from every command.
"""

from __future__ import annotations

import pytest

from powerlist import env
from powerlist.errors import SettingsError
from powerlist.settings import Settings


def _clear(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.lower() in ("powerlist_database_url", "powerlist_sql_echo"):
            monkeypatch.delenv(key)


@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"POWERLIST_DATABASE_URL": "postgresql://u@db/powerlist"},
        {"powerlist_database_url": "sqlite:////srv/lower.db"},
        {"PowerList_Database_Url": "sqlite:////srv/mixed.db", "POWERLIST_SQL_ECHO": "yes"},
        {"POWERLIST_SQL_ECHO": "0"},
        {"POWERLIST_SQL_ECHO": "On"},
        {"POWERLIST_SQL_ECHO": "F"},
        {"POWERLIST_DATABASE_URL": ""},
    ],
)
def test_env_agrees_with_settings(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str]
) -> None:
    _clear(monkeypatch)
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert env.database_url() == settings.database_url
    assert env.sql_echo() is settings.sql_echo


@pytest.mark.parametrize("value", ["maybe", " on "])
def test_a_bad_echo_is_refused_as_settings_refuses_it(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    from powerlist.settings import get_settings

    _clear(monkeypatch)
    monkeypatch.setenv("POWERLIST_SQL_ECHO", value)
    get_settings.cache_clear()
    try:
        with pytest.raises(SettingsError, match="POWERLIST_SQL_ECHO"):
            env.sql_echo()
    finally:
        monkeypatch.delenv("POWERLIST_SQL_ECHO")
        get_settings.cache_clear()
