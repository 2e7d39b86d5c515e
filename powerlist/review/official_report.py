"""The yearly 审核报告 as an official document (公文, GB/T 9704-2012 as far as .docx allows).

Written beside the city summary workbook by the review's finish step: 版头 (发文机关标志,
文号, red line), 标题, 主送机关, 正文 with the headline figures, findings by rule and by
department, the departments whose 部门意见 are still missing, the 附件 list naming the
workbooks, 落款 and 成文日期, and page numbers "— 1 —".
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.paragraph import CT_P
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from powerlist.artifacts import Artifact, write_atomic
from powerlist.docx_base import PreparedDocx
from powerlist.review.config import RULE_KEYS, SEVERITIES, ReviewConfig
from powerlist.review.workbooks import DepartmentTally

# GB/T 9704-2012: 二号小标宋 title, 三号仿宋 body, 黑体/楷体 headings, 28 lines a page.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
LINE_PITCH = Pt(28.9)  # 28 lines in the 225 mm type area
RED = RGBColor(0xC0, 0x00, 0x00)
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class ReportFacts:
    """What the report says: the reviewed year, reference date, figures and file names."""

    year: int
    as_of: date
    signed_on: date
    tallies: Sequence[DepartmentTally]
    summary_file: str
    issuer: str
    number: str
    recipients: str


def report_file_name(year: int) -> str:
    """E.g. 2026年度权责清单审核报告.docx."""
    return f"{year}年度权责清单审核报告.docx"


def write_review_report(target: Path, facts: ReportFacts, config: ReviewConfig) -> Artifact:
    """Write the 审核报告 to `target` atomically and return the file's checksum and size."""
    document = build_document(facts, config)
    return write_atomic(target, lambda temp: document.save(str(temp)))


def build_document(facts: ReportFacts, config: ReviewConfig) -> Document:
    """The report as a python-docx Document (pure: no file is touched)."""
    doc = Document()
    _page_setup(doc)
    _masthead(doc, facts)
    _paragraph(doc, f"关于{facts.year}年度权责清单审核情况的报告", TITLE_FONT, SIZE_2,
               align=WD_ALIGN_PARAGRAPH.CENTER, space_after=LINE_PITCH)  # fmt: skip
    _paragraph(doc, f"{facts.recipients}：", BODY_FONT, SIZE_3, indent=False)
    for heading, paragraphs in _sections(facts, config):
        if heading:
            _paragraph(doc, heading, HEADING_FONT, SIZE_3)
        for text in paragraphs:
            if text.startswith("（"):
                _paragraph(doc, text, SUBHEADING_FONT, SIZE_3)
            else:
                _paragraph(doc, text, BODY_FONT, SIZE_3)
        if heading.startswith("三"):
            _department_table(doc, facts)
    _attachments(doc, facts)
    _signature(doc, facts)
    return doc


def opinion_file_name(workbook_name: str) -> str:
    """The 审核意见书 beside a department's workbook:
    2026年度权责清单审核-市林草局.xlsx → 2026年度权责清单审核意见书-市林草局.docx."""
    return workbook_name.removesuffix(".xlsx").replace("审核-", "审核意见书-", 1) + ".docx"


def write_opinion_letter(
    target: Path, facts: ReportFacts, tally: DepartmentTally, due: date, config: ReviewConfig
) -> Artifact:
    """Write one department's one-page 审核意见书 (its figures, what it returns by when).

    Stamped from a base parsed and zipped once per process: the content is that of
    `build_opinion_letter`, at a fraction of the cost for the fifty letters of a city.
    """
    base = _letter_base()
    document = base.new()
    _letter_body(document, facts, tally, due, config)
    return write_atomic(target, lambda temp: base.write(document, temp))


def build_opinion_letter(
    facts: ReportFacts, tally: DepartmentTally, due: date, config: ReviewConfig
) -> Document:
    """The 审核意见书 of one department as a python-docx Document (pure)."""
    doc = Document()
    _page_setup(doc)
    _letter_body(doc, facts, tally, due, config)
    return doc


@lru_cache(maxsize=1)
def _letter_base() -> PreparedDocx:
    return PreparedDocx(_page_setup)


def _letter_body(
    doc: Document, facts: ReportFacts, tally: DepartmentTally, due: date, config: ReviewConfig
) -> None:
    _paragraph(doc, f"{facts.year}年度权责清单审核意见书", TITLE_FONT, SIZE_2,
               align=WD_ALIGN_PARAGRAPH.CENTER, space_after=LINE_PITCH)  # fmt: skip
    _paragraph(doc, f"{tally.name}：", BODY_FONT, SIZE_3, indent=False)
    findings = sum(tally.by_rule.values())
    _paragraph(doc, (
        f"{facts.issuer}以{_day(facts.as_of)}为审核基准日，审核了你单位{facts.year}年度权责清单"
        f"事项{tally.items}项，发现问题{findings}个，涉及事项{tally.items_with_findings}项。"
    ), BODY_FONT, SIZE_3)  # fmt: skip
    rules = [
        f"{config.rules[k].label}{tally.by_rule[k]}个（建议{config.rules[k].action}）"
        for k in RULE_KEYS
        if tally.by_rule.get(k)
    ]
    if rules:  # one paragraph, so the letter stays on one page however many rules hit
        _paragraph(doc, "其中：" + "；".join(rules) + "。", BODY_FONT, SIZE_3)
    workbook = (tally.file_name or "").removesuffix(".xlsx")
    if findings:
        ask = (f"请在《{workbook}》“审核事项”表中逐项填写部门意见，由分管领导审核签字、"
               f"加盖单位公章后，于{_day(due)}前通过权责清单系统上传返回。")  # fmt: skip
    else:
        ask = f"未发现问题，请核对《{workbook}》，于{_day(due)}前确认返回。"
    _paragraph(doc, ask, BODY_FONT, SIZE_3)
    _paragraph(doc, "", BODY_FONT, SIZE_3)
    for text in (facts.issuer, _day(facts.signed_on)):
        paragraph = _paragraph(doc, text, BODY_FONT, SIZE_3, indent=False,
                               align=WD_ALIGN_PARAGRAPH.RIGHT)  # fmt: skip
        paragraph.paragraph_format.right_indent = Pt(16 * 4)


def _sections(facts: ReportFacts, config: ReviewConfig) -> list[tuple[str, list[str]]]:
    """The body: opening, then numbered parts with the figures in words a reader checks."""
    tallies = facts.tallies
    by_rule: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    for tally in tallies:
        by_rule.update(tally.by_rule)
        by_severity.update(tally.by_severity)
    findings = sum(by_rule.values())
    items = sum(t.items for t in tallies)
    flagged = sum(t.items_with_findings for t in tallies)
    late = [t for t in tallies if not t.returned]
    severity = "，".join(f"{s}{by_severity[s]}个" for s in SEVERITIES if by_severity[s])
    opening = (
        f"按照权责清单动态调整工作安排，{facts.issuer}以{_day(facts.as_of)}为审核基准日，"
        f"对{len(tallies)}个部门的{facts.year}年度权责清单开展了审核。现将有关情况报告如下。"
    )
    overall = (
        f"本次共审核部门{len(tallies)}个、权责事项{items}项，发现问题{findings}个，"
        f"涉及事项{flagged}项" + (f"；按严重程度分，{severity}。" if severity else "。")
    )
    rules = [
        f"（{_numeral(n + 1)}）{config.rules[key].label}。共{by_rule[key]}个，"
        f"处理建议：{config.rules[key].action}。{_top_departments(tallies, key)}"
        for n, key in enumerate(k for k in RULE_KEYS if by_rule[k])
    ] or ["本次审核未发现问题。"]
    departments = [
        "各部门审核事项数、问题事项数、问题数及部门意见返回情况见下表。",
    ]
    missing = (
        [
            f"截至本报告成文日，尚有{len(late)}个部门未返回部门意见："
            + "、".join(t.name for t in late)
            + "。请上述部门按审核工作簿逐项填写部门意见，加盖公章后尽快返回。"
        ]
        if late
        else ["各部门均已返回部门意见。"]
    )
    return [
        ("", [opening]),
        ("一、总体情况", [overall]),
        ("二、按审核规则分类的问题", rules),
        ("三、各部门问题情况", departments),
        ("四、尚未返回部门意见的部门", missing),
    ]


def _top_departments(tallies: Sequence[DepartmentTally], key: str) -> str:
    """The departments with most findings under one rule (at most five), for the reader."""
    ranked = sorted((t for t in tallies if t.by_rule.get(key)), key=lambda t: -t.by_rule[key])
    if not ranked:
        return ""
    shown = "、".join(f"{t.name}{t.by_rule[key]}个" for t in ranked[:5])
    more = f"等{len(ranked)}个部门" if len(ranked) > 5 else ""
    return f"主要涉及{shown}{more}。"


def _department_table(doc: Document, facts: ReportFacts) -> None:
    headers = ("部门", "审核事项数", "问题事项数", "问题数", "部门意见")
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell(cell, text, bold=True)
    for tally in facts.tallies:
        values = (tally.name, tally.items, tally.items_with_findings, sum(tally.by_rule.values()),
                  "已返回" if tally.returned else "未返回")  # fmt: skip
        for cell, value in zip(table.add_row().cells, values, strict=True):
            _cell(cell, str(value))
    widths = (Mm(56), Mm(24), Mm(24), Mm(20), Mm(32))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _cell(cell: _Cell, text: str, *, bold: bool = False) -> None:
    """Fill a new cell's empty paragraph: centred, one 四号 run (a copy of the prepared one)."""
    empty = cell._tc.p_lst[0]
    p = copy.deepcopy(_prepared_cell_paragraph(bold))
    empty.getparent().replace(empty, p)
    if text:
        Run(p.r_lst[0], Paragraph(p, cell)).text = text


@lru_cache(maxsize=2)
def _prepared_cell_paragraph(bold: bool) -> CT_P:
    """What `_cell` makes of a cell's empty paragraph, its run still without text."""
    paragraph = Paragraph(OxmlElement("w:p"), None)  # type: ignore[arg-type]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    _font(run, BODY_FONT, SIZE_4)
    run.bold = bold
    return paragraph._p


def _attachments(doc: Document, facts: ReportFacts) -> None:
    """附件说明: 'attachment：1．name' under the body, one line each, indented two characters."""
    names = [facts.summary_file.removesuffix(".xlsx")]
    names += [t.file_name.removesuffix(".xlsx") for t in facts.tallies if t.file_name]
    _paragraph(doc, "", BODY_FONT, SIZE_3)
    for number, name in enumerate(names, start=1):
        label = "附件：" if number == 1 else "　　　"
        _paragraph(doc, f"{label}{number}．{name}", BODY_FONT, SIZE_3)


def _signature(doc: Document, facts: ReportFacts) -> None:
    """落款 and 成文日期: right-aligned, four characters in from the right margin."""
    _paragraph(doc, "", BODY_FONT, SIZE_3)
    _paragraph(doc, "", BODY_FONT, SIZE_3)
    for text in (facts.issuer, _day(facts.signed_on)):
        paragraph = _paragraph(doc, text, BODY_FONT, SIZE_3, indent=False,
                               align=WD_ALIGN_PARAGRAPH.RIGHT)  # fmt: skip
        paragraph.paragraph_format.right_indent = Pt(16 * 4)


def _masthead(doc: Document, facts: ReportFacts) -> None:
    """版头: 发文机关标志 in red, the 文号 centred under it, and the red separator line."""
    _paragraph(doc, f"{facts.issuer}文件", TITLE_FONT, Pt(42), color=RED, indent=False,
               align=WD_ALIGN_PARAGRAPH.CENTER, space_after=Pt(12))  # fmt: skip
    number = _paragraph(doc, facts.number.format(year=facts.year), BODY_FONT, SIZE_3,
                        indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "8"),
                       ("w:color", "C00000")):  # fmt: skip
        bottom.set(qn(key), value)
    borders.append(bottom)
    number._p.get_or_add_pPr().append(borders)
    _paragraph(doc, "", BODY_FONT, SIZE_3)


def _page_setup(doc: Document) -> None:
    """A4, margins 37/35/28/26 mm, page numbers "— 1 —" in 四号 at the foot."""
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(footer.add_run("— "), "宋体", SIZE_4)
    _page_field(footer)
    _font(footer.add_run(" —"), "宋体", SIZE_4)


def _page_field(paragraph: object) -> None:
    run = paragraph.add_run()  # type: ignore[attr-defined]
    _font(run, "宋体", SIZE_4)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _paragraph(
    doc: Document,
    text: str,
    font: str,
    size: Pt,
    *,
    indent: bool = True,
    align: int | None = None,
    color: RGBColor | None = None,
    space_after: Pt | None = None,
) -> Paragraph:
    """Append a paragraph of one run: a copy of the prepared paragraph of this form, then
    the text set as python-docx's `add_run(text)` sets it."""
    p = copy.deepcopy(_prepared_paragraph(font, size, indent, align, color, space_after))
    doc.element.body._insert_p(p)  # where `add_paragraph` puts it: before the section
    paragraph = Paragraph(p, doc._body)
    if text:
        Run(p.r_lst[0], paragraph).text = text
    return paragraph


@lru_cache(maxsize=64)
def _prepared_paragraph(
    font: str,
    size: Pt,
    indent: bool,
    align: int | None,
    color: RGBColor | None,
    space_after: Pt | None,
) -> CT_P:
    """The paragraph `_paragraph` writes for a form, with its one run still empty: spacing,
    indent or alignment, and the run's fonts built once through python-docx's API."""
    paragraph = Paragraph(OxmlElement("w:p"), None)  # type: ignore[arg-type]
    form = paragraph.paragraph_format
    form.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    form.line_spacing = LINE_PITCH if size <= SIZE_3 else Pt(size.pt * 1.3)
    form.space_before = Pt(0)
    form.space_after = space_after or Pt(0)
    if align is not None:
        paragraph.alignment = align  # type: ignore[assignment]
    elif indent:
        form.first_line_indent = Pt(size.pt * 2)  # 首行缩进两字
    run = paragraph.add_run()
    _font(run, font, size)
    if color is not None:
        run.font.color.rgb = color
    return paragraph._p


def _font(run: object, name: str, size: Pt) -> None:
    """Set a run's font for Chinese and Latin text alike (w:eastAsia, or Word falls back)."""
    run.font.name = name  # type: ignore[attr-defined]
    run.font.size = size  # type: ignore[attr-defined]
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    fonts.set(qn("w:eastAsia"), name)


def _numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三: the numbers of 公文 headings (1-99)."""
    tens, ones = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else NUMERALS[tens - 1] + "十")
    return head + (NUMERALS[ones - 1] if ones else "")


def _day(day: date) -> str:
    """A date as an official document writes it: 2026年12月4日 (Arabic numerals, no zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"
