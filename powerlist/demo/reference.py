"""Reference data for the demo city, read from powerlist/data/baotou.toml.

Department names are the real names of Baotou's municipal departments; the laws are real
Chinese laws and regulations (see the data file for what their dates are good for).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class DepartmentSpec:
    """A municipal department: name, pinyin code, relative size of its list, subject nouns."""

    name: str
    code: str
    weight: int
    nouns: tuple[str, ...]
    laws: tuple[str, ...]
    unit_suffix: str  # name of the counterpart bureau at district level
    types: tuple[str, ...] = ()  # the only power types its items have; () for all
    names: dict[str, tuple[str, ...]] | None = None  # real names of the types few departments hold


@dataclass(frozen=True)
class LawSpec:
    """A law or regulation of the demo's legal-basis registry (法律依据库)."""

    title: str
    level: str
    issuer: str
    promulgated: date
    effective: date
    status: str
    articles: int  # number of articles (条) of the text, from the official text
    amended: date | None = None
    repealed: date | None = None


def _load() -> dict[str, Any]:
    text = resources.files("powerlist.data").joinpath("baotou.toml").read_text("utf-8")
    return tomllib.loads(text)


_DATA = _load()

LAWS: tuple[LawSpec, ...] = tuple(LawSpec(**law) for law in _DATA["laws"])
DEPARTMENTS: tuple[DepartmentSpec, ...] = tuple(
    DepartmentSpec(
        name=d["name"],
        code=d["code"],
        weight=d["weight"],
        nouns=tuple(d["nouns"]),
        laws=tuple(d["laws"]),
        unit_suffix=d["unit_suffix"],
        types=tuple(d.get("types", ())),
        names={k: tuple(v) for k, v in d.get("names", {}).items()},
    )
    for d in _DATA["departments"]
)
ARTICLES: dict[str, int] = {law.title: law.articles for law in LAWS}
"""Article count of each law of the demo's registry, by title without 《》."""
GENERAL_LAWS: tuple[str, ...] = tuple(_DATA["general_laws"])
LOW_LEVEL_DOCUMENTS: tuple[str, ...] = tuple(_DATA["low_level_documents"])
REPEALED_LAWS: tuple[str, ...] = tuple(_DATA["repealed_laws"])
MERGED_DEPARTMENTS: dict[str, tuple[str, str]] = {
    code: (successor, since) for code, (successor, since) in _DATA["merged_departments"].items()
}
DISTRICTS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _DATA["districts"].items()}
SURNAMES: str = _DATA["surnames"]
GIVEN: str = _DATA["given_names"]
