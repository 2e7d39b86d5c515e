"""The 审核意见书 stamped from the prepared base holds exactly what python-docx writes for it."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

from docx import Document

from powerlist.review.config import load_config
from powerlist.review.official_report import (
    ReportFacts,
    build_opinion_letter,
    write_opinion_letter,
)
from powerlist.review.workbooks import DepartmentTally

FACTS = ReportFacts(
    year=2026,
    as_of=date(2026, 11, 1),
    signed_on=date(2026, 12, 4),
    tallies=(),
    summary_file="2026年度权责清单审核汇总.xlsx",
    issuer="包头市司法局",
    number="包司发〔{year}〕1号",
    recipients="市人民政府",
)


def _tally(name: str, by_rule: dict[str, int]) -> DepartmentTally:
    return DepartmentTally(
        code="x",
        name=name,
        items=120,
        items_with_findings=sum(by_rule.values()),
        by_rule=by_rule,
        by_severity={},
        returned=False,
        file_name=f"2026年度权责清单审核-{name}.xlsx",
    )


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_stamped_letters_equal_python_docx_part_by_part(tmp_path: Path) -> None:
    config = load_config()
    rule = next(iter(config.rules))
    for index, tally in enumerate(
        [_tally("市生态环境局", {rule: 3}), _tally("市林草局", {}), _tally("市教育局", {rule: 1})]
    ):
        stamped, reference = tmp_path / f"s{index}.docx", tmp_path / f"r{index}.docx"
        write_opinion_letter(stamped, FACTS, tally, date(2026, 12, 18), config)
        build_opinion_letter(FACTS, tally, date(2026, 12, 18), config).save(str(reference))
        assert _parts(stamped) == _parts(reference)
        texts = [p.text for p in Document(str(stamped)).paragraphs]
        assert f"{tally.name}：" in texts
        assert len(Document(str(stamped)).sections[0].footer.paragraphs[0].runs) == 3
