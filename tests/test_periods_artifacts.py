"""Periods parse the way every door spells them; artifacts appear whole or not at all."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from powerlist.artifacts import TEMP_PREFIX, remove_stale_temps, sha256_of, write_atomic
from powerlist.periods import BadPeriod, PeriodKind, parse_period


@pytest.mark.parametrize(
    ("text", "start", "end", "kind"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31), PeriodKind.YEAR),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), PeriodKind.QUARTER),
        ("2024-q1", date(2024, 1, 1), date(2024, 3, 31), PeriodKind.QUARTER),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), PeriodKind.MONTH),
        ("2026-10-08", date(2026, 10, 8), date(2026, 10, 8), PeriodKind.DAY),
    ],
)
def test_periods_parse(text: str, start: date, end: date, kind: PeriodKind) -> None:
    period = parse_period(text)
    assert (period.start, period.end, period.kind) == (start, end, kind)


def test_labels_are_canonical_and_neighbours_follow() -> None:
    q1 = parse_period("2026-q1")
    assert q1.label == "2026-Q1"
    assert q1.previous().label == "2025-Q4"
    assert parse_period("2025-12").next().label == "2026-01"
    assert date(2026, 2, 28) in q1 and date(2026, 4, 1) not in q1
    assert parse_period("2026").days == 365


@pytest.mark.parametrize("text", ["26", "2026-Q5", "2026-13", "2026-02-30", "last year"])
def test_bad_periods_say_what_is_accepted(text: str) -> None:
    with pytest.raises(BadPeriod):
        parse_period(text)


def test_atomic_write_records_checksum(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "2026年度权责清单审核-市生态环境局.xlsx"
    artifact = write_atomic(target, lambda p: p.write_bytes(b"workbook"))
    assert target.read_bytes() == b"workbook"
    assert artifact.sha256 == sha256_of(target) and artifact.bytes == 8
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old")

    def broken(path: Path) -> None:
        path.write_bytes(b"half")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        write_atomic(target, broken)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["report.xlsx"]


def test_stale_temps_from_killed_writers_are_removed(tmp_path: Path) -> None:
    (tmp_path / f"{TEMP_PREFIX}abc.xlsx").write_bytes(b"partial")
    (tmp_path / "kept.xlsx").write_bytes(b"whole")
    assert remove_stale_temps(tmp_path) == 1
    assert os.listdir(tmp_path) == ["kept.xlsx"]
