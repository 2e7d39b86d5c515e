"""Lookups several import kinds share: departments, receiving units and items by code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.imports.text import BadValue, clean
from powerlist.listing import DepartmentNotFound, find_department
from powerlist.models import Department, ReceivingUnit


def choice(options: tuple[str, ...], what: str) -> Callable[[Any], str | None]:
    """A parser accepting only one of `options` (the message lists them)."""

    def parse(value: Any) -> str | None:
        text = clean(value)
        if text is None or text in options:
            return text
        raise BadValue(f"“{text}”不是有效的{what}（可选：{'、'.join(options)}）")

    parse.options = options  # type: ignore[attr-defined]  # the templates' drop-downs
    return parse


class Departments:
    """Department lookup by name or code, cached; unknown names give the user a clear message."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[str, Department | str] = {}

    def find(self, name_or_code: str) -> Department | str:
        """The department, or the error message saying it was not found."""
        if name_or_code not in self.cache:
            try:
                found = find_department(self.session, name_or_code)
                self.cache[name_or_code] = self.session.get_one(Department, found.id)
            except DepartmentNotFound as exc:
                self.cache[name_or_code] = str(exc)
        return self.cache[name_or_code]


class Units:
    """Receiving units (承接单位) by name or code."""

    def __init__(self, session: Session) -> None:
        units = session.scalars(select(ReceivingUnit)).all()
        self.by_key = {u.name: u for u in units} | {u.code: u for u in units}

    def find(self, name_or_code: str) -> ReceivingUnit | None:
        """The unit with this name or code, or None."""
        return self.by_key.get(name_or_code)
