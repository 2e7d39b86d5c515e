"""Power types (权力类型): the configured set and the mapping of variant names onto it.

Published lists name the same type in several ways (行政强制措施 / 行政强制执行 → 行政强制,
其他权力 → 其他行政权力); importers and generators use `normalize_power_type` so the
database holds only configured names.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from powerlist.settings import get_settings


class UnknownPowerType(ValueError):
    """A type name that is neither a configured type nor one of its variants."""


@dataclass(frozen=True)
class PowerType:
    """One configured power type: its name, code prefix and accepted variant names."""

    name: str
    code: str
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class PowerTypes:
    """The configured power types with a lookup from any accepted spelling to the name."""

    types: tuple[PowerType, ...]
    _lookup: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for power_type in self.types:
            for spelling in (power_type.name, *power_type.variants):
                key = _fold(spelling)
                existing = self._lookup.get(key)
                if existing is not None and existing != power_type.name:
                    raise ValueError(
                        f"variant {spelling!r} maps to {existing} and {power_type.name}"
                    )
                self._lookup[key] = power_type.name

    @property
    def names(self) -> list[str]:
        """Configured type names in their configured order."""
        return [t.name for t in self.types]

    def code_of(self, name: str) -> str:
        """The two-letter code prefix of a configured type."""
        for power_type in self.types:
            if power_type.name == name:
                return power_type.code
        raise UnknownPowerType(name)

    def normalize(self, raw: str) -> str:
        """Map a published spelling onto its configured type name, or raise UnknownPowerType."""
        name = self._lookup.get(_fold(raw))
        if name is None:
            allowed = "、".join(self.names)
            raise UnknownPowerType(f"未知的权力类型“{raw.strip()}”（可用：{allowed}）")
        return name


def _fold(text: str) -> str:
    """Fold full-width characters and strip all whitespace, so 'ﾠ行政许可 ' matches."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def parse_power_types(text: str) -> PowerTypes:
    """Parse a power-type TOML document (see powerlist/data/power_types.toml)."""
    data = tomllib.loads(text)
    entries = data.get("types")
    if not isinstance(entries, list) or not entries:
        raise ValueError("power types file needs at least one [[types]] entry")
    types = tuple(
        PowerType(name=e["name"], code=e["code"], variants=tuple(e.get("variants", [])))
        for e in entries
    )
    return PowerTypes(types=types)


@lru_cache(maxsize=4)
def _load(path: Path | None) -> PowerTypes:
    if path is None:
        text = resources.files("powerlist.data").joinpath("power_types.toml").read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    return parse_power_types(text)


def power_types() -> PowerTypes:
    """The configured power types (POWERLIST_POWER_TYPES_FILE, else the built-in default)."""
    return _load(get_settings().power_types_file)


def normalize_power_type(raw: str) -> str:
    """Map a published type spelling onto the configured name (raises UnknownPowerType)."""
    return power_types().normalize(raw)
