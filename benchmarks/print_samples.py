"""`make print-samples`: print one demo file of each kind with LibreOffice and picture it.

    .venv/bin/python -m benchmarks.print_samples [--out docs/printing] [--keep FOLDER]

Builds the Baotou demo in a scratch SQLite file, runs the delegation assessment and the
yearly review, records a few 部门意见 of 市生态环境局 (so the office's 审核意见 workbook has
rows), exports the adjusted list, converts one file of each kind to PDF in one `soffice`
call, writes one page of each as PNG into `--out`, and prints the table of docs/printing.md
(pages, smallest and median text size). Needs soffice, pdftotext and pdftoppm.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from benchmarks.measure import AS_OF, say
from benchmarks.steps import load_city, run_job
from tests.printing import convert, pages, require, text_points, words

DEPARTMENT = "市生态环境局"
DEPARTMENT_CODE = "sthjj"
# a long text, so the sample shows the "(续)" rule
HUGE = "".join(
    f"第{n}条承接单位应当按照委托协议约定的范围和期限以委托部门名义实施行政处罚。"
    for n in range(70)
)


@dataclass(frozen=True)
class Sample:
    """One kind of printed file: its label in docs/printing.md, picture name, file, and the
    text of the page to picture (the first page that shows it; the first page when empty)."""

    kind: str
    picture: str
    source: Path
    page_text: str = ""


def build(folder: Path) -> list[Sample]:
    """Make the demo's files in `folder`; return one sample of each kind."""
    url = f"sqlite:///{folder}/demo.db"
    os.environ["POWERLIST_REVIEW_AS_OF"] = AS_OF
    os.environ["POWERLIST_ASSESSMENT_AS_OF"] = AS_OF
    os.environ["POWERLIST_DATABASE_URL"] = url
    say("print-samples: loading the demo city")
    load_city(url)
    reports = folder / "reports"
    for job in ("delegation_assessment", "yearly_review"):
        say(f"print-samples: running {job}")
        done = run_job(url, job, "2026", str(reports))
        if done["status"] != "succeeded":
            raise SystemExit(f"{job} ended {done['status']}")
    review = reports / "yearly_review" / "2026" / "all"
    assess = reports / "delegation_assessment" / "2026" / "all"
    verdicts, adjusted = _round(url, review / f"2026年度权责清单审核-{DEPARTMENT}.xlsx", folder)
    units = sorted((assess / "units").glob("*.xlsx"), key=lambda p: p.stat().st_size)
    return [
        Sample("审核工作簿（部门）, returned form", "review-department",
               review / f"2026年度权责清单审核-{DEPARTMENT}.xlsx", "审核事项"),
        Sample("审核汇总（全市） with chart", "review-summary",
               review / "2026年度权责清单审核-全市汇总.xlsx", "部门汇总"),
        Sample("审核报告 (.docx)", "review-report", review / "2026年度权责清单审核报告.docx"),
        Sample("审核意见书 (.docx, one department)", "opinion-letter",
               review / f"2026年度权责清单审核意见书-{DEPARTMENT}.docx"),
        Sample("审核意见（审核机关）, returned form", "verdicts", verdicts, "审核意见"),
        Sample("权责清单（动态调整后）", "published-list", adjusted, "权责清单"),
        Sample("效能评估（全市）", "assessment-city",
               next(assess.glob("city-*.xlsx")), "部门等次分布"),
        Sample("效能评估（部门）", "assessment-department",
               next((assess / "departments").glob(f"{DEPARTMENT_CODE}-*.xlsx")), "评估结果"),
        Sample("效能评估（承接单位）, the largest", "assessment-unit", units[-1], "评估结果"),
        Sample('a 2,400-character cell under the "(续)" rule', "continued-rows",
               _continued(folder / "continued.xlsx"), "说明事项"),
    ]  # fmt: skip


def _round(url: str, workbook: Path, folder: Path) -> tuple[Path, Path]:
    """Record 部门意见 on the department's first three items, write the office's 审核意见
    workbook for the round, and export the adjusted list."""
    from powerlist import db
    from powerlist.review.decisions import import_decisions
    from powerlist.review.export import export_list
    from powerlist.review.verdicts import latest_round, write_verdict_workbook

    filled = folder / workbook.name  # the same name: the upload matches it to its department
    _fill(workbook, filled)
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as session:
            import_decisions(session, filled, actor="print-samples")
        with db.session_scope(engine) as session:
            run_id = latest_round(session, 2026)
            assert run_id is not None
            verdicts = write_verdict_workbook(session, run_id, folder / "office").path
        with db.session_scope(engine) as session:
            adjusted = export_list(session, 2026, folder / "export").workbook.path
    finally:
        engine.dispose()
    return verdicts, adjusted


def _fill(source: Path, target: Path) -> None:
    """Fill 部门意见 on three items as a department would."""
    book = load_workbook(source)
    sheet = book["审核事项"]
    header_row = next(
        r for r in range(1, 6) if "部门意见" in [c.value for c in sheet[r]]
    )  # the header row, under a title row if there is one
    header = [c.value for c in sheet[header_row]]
    at = {name: header.index(name) + 1 for name in ("部门意见", "说明/理由", "依据/文件")}
    choices = (
        ("保留", "该事项法律依据有效，仍由本部门实施，已按审核发现核对实施依据条款。", None),
        ("取消", "上位法已删除该行政权力，依法取消。", "包府办发〔2026〕8号"),
        ("保留", "已与承接单位沟通，继续实施并加强指导。", None),
    )
    for row, (decision, reason, document) in enumerate(choices, start=header_row + 1):
        sheet.cell(row, at["部门意见"], decision)
        sheet.cell(row, at["说明/理由"], reason)
        sheet.cell(row, at["依据/文件"], document)
    book.save(target)


def _continued(target: Path) -> Path:
    from powerlist.excel import Column, TableSheet, WorkbookInfo, build_workbook

    sheet = TableSheet("说明事项", [Column("事项", 12), Column("说明", 60, wrap=True)],
                       [("甲", HUGE), ("乙", "短")])  # fmt: skip
    build_workbook(target, WorkbookInfo("打印测试", "2026年度", "包头市司法局"), [sheet])
    return target


def measure(pdf: Path) -> tuple[int, float, float]:
    """Pages, smallest (2nd percentile) and median printed text size in points."""
    sizes = sorted(text_points(word) for word in words(pdf))
    return pages(pdf), sizes[len(sizes) // 50], sizes[len(sizes) // 2]


def picture_page(pdf: Path, text: str) -> int:
    """The first of the first ten pages whose header (its first line) ends with `text`, the
    sheet's name; the first page when `text` is empty or no header says it."""
    for page in range(1, min(pages(pdf), 10) + 1 if text else 1):
        shown = subprocess.run(
            [require("pdftotext"), "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
            check=True, capture_output=True, text=True, timeout=60,
        ).stdout  # fmt: skip
        header = next((line for line in shown.splitlines() if line.strip()), "")
        if header.strip().endswith(text):
            return page
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Build, print, picture; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/printing"))
    parser.add_argument("--keep", type=Path, help="Keep the files and PDFs in this folder.")
    args = parser.parse_args(argv)
    require("pdftoppm")
    with tempfile.TemporaryDirectory(prefix="print-samples-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        samples = build(folder)
        say("print-samples: printing with LibreOffice")
        pdfs = convert([s.source for s in samples], folder / "pdf", folder / "profile")
        args.out.mkdir(parents=True, exist_ok=True)
        lines = [
            "| kind | pages | smallest text | median text | picture (one page) |",
            "| --- | --- | --- | --- | --- |",
        ]
        for sample, pdf in zip(samples, pdfs, strict=True):
            count, smallest, median = measure(pdf)
            page = picture_page(pdf, sample.page_text)
            subprocess.run(
                [require("pdftoppm"), "-r", "60", "-f", str(page), "-l", str(page), "-png",
                 "-singlefile", str(pdf), str(args.out / sample.picture)],
                check=True, timeout=120,
            )  # fmt: skip
            lines.append(
                f"| {sample.kind} | {count} | {smallest:.1f} pt | {median:.1f} pt "
                f"| ![](printing/{sample.picture}.png) |"
            )
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
