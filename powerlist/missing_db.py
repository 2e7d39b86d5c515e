"""Whether a database that is not there is refused instead of created (the CLI refuses).

Apart from powerlist.db so the CLI can switch it on before any command runs without loading
SQLAlchemy and the settings at start-up (`powerlist --help` must answer at once).
"""

from __future__ import annotations

_refuse = False


def refuse_missing_databases() -> None:
    """From now on, `db.default_engine` refuses a database that does not exist instead of
    creating it.

    The CLI turns this on: a read command in a folder without a database must say where it
    looked, not leave an empty ./var/powerlist.db behind. `db upgrade` and `demo` create the
    database through the migrations, before they ask for the default engine.
    """
    global _refuse
    _refuse = True


def refusing_missing_databases() -> bool:
    """Whether `refuse_missing_databases` was called in this process."""
    return _refuse
