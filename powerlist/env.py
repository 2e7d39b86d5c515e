"""The two settings every database connection needs, read without pydantic.

`powerlist runs list` and `items list` must answer at once, and importing pydantic-settings
costs about 40 ms. These read POWERLIST_DATABASE_URL and POWERLIST_SQL_ECHO the way
powerlist.settings.Settings does (variable names in any case; the same default; the same
words for true and false); tests/test_env.py checks that both agree. A value Settings would
refuse is handed to Settings, so the user sees the same error either way.
"""

from __future__ import annotations

import os

DEFAULT_DATABASE_URL = "sqlite:///./var/powerlist.db"  # as in Settings (tests/test_env.py)
PREFIX = "POWERLIST_"
TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def _variable(name: str) -> str | None:
    """POWERLIST_<NAME> from the environment, its name matched in any case (as Settings does)."""
    wanted = (PREFIX + name).lower()
    found = None
    for key, value in os.environ.items():
        if key.lower() == wanted:
            found = value
    return found


def database_url() -> str:
    """The SQLAlchemy URL of the database (POWERLIST_DATABASE_URL)."""
    value = _variable("DATABASE_URL")
    return DEFAULT_DATABASE_URL if value is None else value


def sql_echo() -> bool:
    """Whether every SQL statement is logged (POWERLIST_SQL_ECHO, off by default)."""
    value = _variable("SQL_ECHO")
    if value is None:
        return False
    word = value.lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    from powerlist.settings import get_settings  # refuses the value with its usual message

    return get_settings().sql_echo
