"""The real client prints our files: LibreOffice (headless, Noto CJK) turns one workbook of
each kind and the 审核报告 into PDF; from the PDF, body text is at least 6 pt and the longest
cell's text is all there. Also: a review workbook saved by LibreOffice keeps its identity
sheet hidden and its structure locked, and the upload path still reads it.

soffice and pdftotext missing is a failure, not a skip (.ci/run installs them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from powerlist import db
from powerlist.assessment.job import DELEGATION_ASSESSMENT
from powerlist.excel import METADATA_SHEET, Column, TableSheet, WorkbookInfo, build_workbook
from powerlist.excel.metadata import read_metadata
from powerlist.models import PowerItem
from powerlist.review.decisions import import_decisions
from powerlist.review.export import export_list
from powerlist.review.identity import identity_from_metadata
from powerlist.review.verdicts import write_verdict_workbook
from tests.fixtures_assessment import make_world
from tests.fixtures_assessment import run_job as run_assessment
from tests.fixtures_review import at_as_of, build_world
from tests.fixtures_review import run_job as run_review
from tests.printing import (
    calibri_font,
    convert,
    pages,
    raw_text,
    require,
    text_points,
    words,
)
from tests.test_review_decisions import WORKBOOK, fill

MIN_POINTS = 6.0
# A long 事项名称 (~340 characters): its row must grow so all of it prints.
LONG_NAME = (
    "对未依法取得排污许可证排放污染物、超过排放标准或者重点污染物排放总量控制指标排放"
    "污染物、通过暗管渗井渗坑灌注或者篡改伪造监测数据等逃避监管的方式排放污染物的行为"
    "实施按日连续处罚并责令改正或者责令限制生产停产整治，情节严重的报经有批准权的人民"
    "政府批准责令停业关闭，同时对直接负责的主管人员和其他直接责任人员依法给予处分，"
    "构成犯罪的依法移送司法机关追究刑事责任，并将处罚决定记入企业环境信用记录向社会公开"
)


# 部门意见 on three items, the first with a long reason, for the office's 审核意见 workbook.
PROPOSALS = {
    "CF004": ("取消", "该事项无法律法规依据，" * 12, "包府办发〔2026〕8号"),
    "CF003": ("取消", "与CF001重复", "包府办发〔2026〕8号"),
    "CF006": ("保留", ""),
}


@dataclass(frozen=True)
class Printed:
    """The files made by real runs and their PDFs, by kind."""

    sources: dict[str, Path]
    pdfs: dict[str, Path]
    folder: Path


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Printed]:
    """Run the yearly review, the assessment and the list export on tiny cities; print all."""
    folder = tmp_path_factory.mktemp("printing")
    review_url = f"sqlite:///{folder}/review.db"
    db.upgrade(review_url)
    engine = db.make_engine(review_url)
    build_world(engine)
    with db.session_scope(engine) as session:
        item = session.scalars(select(PowerItem).order_by(PowerItem.id)).first()
        assert item is not None
        item.name = LONG_NAME
    with at_as_of():
        review = run_review(engine, "2026", "all", folder / "review")
        filled = fill(folder / "review" / WORKBOOK, folder / "部门意见.xlsx", PROPOSALS,
                      {"青山区生态环境分局": ("收回", "年度评估不合格，承接能力不足")})  # fmt: skip
        with db.session_scope(engine) as session:
            assert import_decisions(session, filled, actor="liaison").applied == 4
            verdicts = write_verdict_workbook(session, review["run_id"], folder / "office")
        with db.session_scope(engine) as session:
            exported = export_list(session, 2026, folder / "export")
    engine.dispose()
    assessment_url = f"sqlite:///{folder}/assessment.db"
    db.upgrade(assessment_url)
    engine = db.make_engine(assessment_url)
    world = make_world(engine)
    world.staff("qingshan", credentialed=3, others=1)
    world.delegation("good")
    world.months("good", date(2026, 4, 1), 6, received=10)
    world.delegation("idle", unit="donghe", mode="委托", agreement=None)
    world.months("idle", date(2026, 4, 1), 6, received=0)
    with time_machine.travel(datetime(2026, 11, 26, 9, tzinfo=UTC), tick=False):
        finished = run_assessment(engine, DELEGATION_ASSESSMENT, "2026-Q3", folder / "assess")
    engine.dispose()
    assert finished.status == "succeeded", finished.error
    review_dir = folder / "review"
    assess = sorted(finished.folder.rglob("*.xlsx"))
    sources = {
        "审核工作簿（部门）": next(
            p for p in review_dir.glob("*.xlsx") if "生态环境局" in p.name and "汇总" not in p.name
        ),
        "审核汇总（全市）": review_dir / review["summary_file"],
        "审核报告": review_dir / review["report_file"],
        "审核意见（审核机关）": verdicts.path,
        "权责清单（公布）": exported.workbook.path,
        "评估（全市）": next(p for p in assess if "全市" in p.name),
        "评估（部门）": next(p for p in assess if p.parent.name == "departments"),
        "评估（承接单位）": next(p for p in assess if p.parent.name == "units"),
    }
    sources["超长文本（续）"] = _continued_workbook(folder / "continued.xlsx")
    pdfs = convert(list(sources.values()), folder / "pdf", folder / "profile")
    yield Printed(sources, dict(zip(sources, pdfs, strict=True)), folder)


# A 说明 of ~2,400 characters: taller than the tallest row, so the "(续)" rule splits it.
HUGE = "".join(
    f"第{n}条承接单位应当按照委托协议约定的范围和期限以委托部门名义实施行政处罚。"
    for n in range(70)
)


def _continued_workbook(target: Path) -> Path:
    """A report sheet with one cell far longer than a row can show."""
    sheet = TableSheet("说明事项", [Column("事项", 12), Column("说明", 60, wrap=True)],
                       [("甲", HUGE), ("乙", "短")])  # fmt: skip
    build_workbook(target, WorkbookInfo("打印测试", "2026年度", "包头市司法局"), [sheet])
    return target


def test_tools_are_installed() -> None:
    """The real client is there: the test must never pass by skipping it."""
    for tool in ("soffice", "pdftotext", "pdfinfo"):
        assert require(tool)
    # the print scale is computed for Carlito's column widths (fonts-crosextra-carlito)
    assert "Carlito" in calibri_font(), "apt-get install fonts-crosextra-carlito (see .ci/run)"


def test_body_text_prints_at_six_points_or_more(printed: Printed) -> None:
    for kind, pdf in printed.pdfs.items():
        found = words(pdf)
        assert found, f"{kind}: the PDF has no text"
        sizes = sorted(text_points(w) for w in found)
        smallest = sizes[len(sizes) // 50]  # the 2nd percentile: one odd glyph box aside
        assert smallest >= MIN_POINTS, f"{kind}: text prints at {smallest:.1f} pt"


def test_the_longest_cell_prints_whole(printed: Printed) -> None:
    for kind, source in printed.sources.items():
        if source.suffix != ".xlsx" or kind == "超长文本（续）":
            continue
        wb = load_workbook(source, read_only=True)
        longest = ""
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str) and len(value) > len(longest):
                        longest = value
        wb.close()
        text = raw_text(printed.pdfs[kind])
        assert "".join(longest.split()) in text, f"{kind}: {longest[:20]}… did not print whole"


def test_the_long_item_name_prints_whole_in_the_review_workbook(printed: Printed) -> None:
    assert LONG_NAME in raw_text(printed.pdfs["审核工作簿（部门）"])


def test_a_cell_taller_than_a_row_goes_on_in_continued_rows(printed: Printed) -> None:
    text = raw_text(printed.pdfs["超长文本（续）"])
    assert "（接下行）" in text and "（续）" in text
    # What prints between a part and its continuation is the page header and footer.
    joined = re.sub("（接下行）.*?（续）", "", text)
    assert HUGE in joined


def test_the_report_is_an_official_document(printed: Printed) -> None:
    text = raw_text(printed.pdfs["审核报告"])
    for part in ("市司法局文件", "市司法〔2026〕1号", "关于2026年度权责清单审核情况的报告",
                 "市人民政府：", "一、总体情况", "附件：1．", "2026年11月1日"):  # fmt: skip
        assert part in text, part
    assert pages(printed.pdfs["审核报告"]) >= 1


def test_each_department_gets_a_one_page_opinion_letter(printed: Printed) -> None:
    review_dir = printed.sources["审核报告"].parent
    letters = sorted(review_dir.glob("*审核意见书-*.docx"))
    assert len(letters) == 2  # 市生态环境局 and 市林业和草原局 (the merged 环境保护局 has none)
    (pdf,) = convert(
        [p for p in letters if "生态环境局" in p.name],
        printed.folder / "letters",
        printed.folder / "profile",
    )
    assert pages(pdf) == 1
    text = raw_text(pdf)
    for part in ("2026年度权责清单审核意见书", "包头市生态环境局：", "发现问题", "部门意见",
                 "2026年11月20日前"):  # fmt: skip
        assert part in text, part
    assert min(text_points(w) for w in words(pdf)) >= MIN_POINTS


def test_libreoffice_keeps_the_identity_sheet_hidden(printed: Printed) -> None:
    source = printed.sources["审核工作簿（部门）"]
    original = read_metadata(source)
    saved_dir = printed.folder / "saved"
    (saved,) = convert([source], saved_dir, printed.folder / "profile", to="xlsx")
    wb = load_workbook(source)
    assert wb.security is not None and wb.security.lockStructure  # as written: locked
    wb.close()
    wb = load_workbook(saved)
    # LibreOffice 7.4 writes the lock back empty (<workbookProtection/>): only the hidden
    # state survives its save, and that is what the upload needs.
    assert wb[METADATA_SHEET].sheet_state in {"hidden", "veryHidden"}
    wb.close()
    assert read_metadata(saved) == original
    assert identity_from_metadata(read_metadata(saved)) == identity_from_metadata(original)
