"""Mistakes a person can fix (用户错误): one Chinese line saying what is wrong and what to do.

Domain code raises `UserError` (or a subclass) for bad input; every door turns it into its own
answer: the CLI prints `错误：…` and exits 2, the HTTP API answers 422 with the same text.
"""

from __future__ import annotations


class UserError(ValueError):
    """Bad input from a person: the message is one Chinese line with what to do next.

    A ValueError, so callers that already refuse ValueError keep refusing it.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DatabaseMissing(UserError):
    """The configured database does not exist (or has no schema): nothing to read yet."""


class SettingsError(UserError):
    """A POWERLIST_* environment variable holds a value the settings refuse."""
