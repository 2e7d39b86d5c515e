"""Print files with the real client: LibreOffice converts them to PDF, poppler reads the PDF.

Used by the printing test and by docs/printing.md's pictures. Nothing here is mocked: a
missing soffice or pdftotext is an error, never a skip.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from html import unescape
from pathlib import Path

WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
PAGE = re.compile(r"<page ")


def require(tool: str) -> str:
    """The path of a program the printing test needs; fails loudly when it is not installed."""
    found = shutil.which(tool)
    if found is None:
        raise AssertionError(
            f"{tool} is not installed: apt-get install libreoffice-calc-nogui "
            "libreoffice-writer-nogui fonts-noto-cjk fonts-crosextra-carlito poppler-utils "
            "(see .ci/run)"
        )
    return found


def calibri_font() -> str:
    """The font LibreOffice prints Calibri (the workbooks' body font) in: Carlito when
    installed; DejaVu Sans otherwise, which measures columns a quarter wider than Excel."""
    return subprocess.run(
        [require("fc-match"), "-f", "%{family}", "Calibri"], check=True, capture_output=True,
        text=True, timeout=60,
    ).stdout  # fmt: skip


def convert(files: Sequence[Path], out: Path, profile: Path, to: str = "pdf") -> list[Path]:
    """Convert `files` with one soffice call (a private profile, so it runs beside others)."""
    soffice = require("soffice")
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
         "--norestore", "--convert-to", to, "--outdir", str(out), *map(str, files)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    suffix = "." + to.split(":")[0]
    made = [out / (f.stem + suffix) for f in files]
    missing = [p.name for p in made if not p.exists()]
    if missing:
        raise AssertionError(f"soffice did not write {missing}")
    return made


@dataclass(frozen=True)
class Word:
    """One word of a PDF page as pdftotext -bbox places it (points, top-left origin)."""

    page: int
    x_min: float
    y_min: float
    x_max: float
    y_max: float
    text: str

    @property
    def height(self) -> float:
        """The word's box height: the printed text size (ascent + descent) in points."""
        return self.y_max - self.y_min


def words(pdf: Path) -> list[Word]:
    """Every word of `pdf` with its box, page by page."""
    html = subprocess.run(
        [require("pdftotext"), "-bbox", str(pdf), "-"], check=True, capture_output=True,
        text=True, timeout=120,
    ).stdout  # fmt: skip
    found: list[Word] = []
    for number, page in enumerate(PAGE.split(html)[1:], start=1):
        for x0, y0, x1, y1, text in WORD.findall(page):
            found.append(Word(number, float(x0), float(y0), float(x1), float(y1), unescape(text)))
    return found


def text_points(word: Word) -> float:
    """A word's printed font size: its box (ascent + descent) over the box-to-size ratio
    measured on LibreOffice's PDF, 1.3 em for Noto Sans CJK, 1.18 em for Latin-only words."""
    return word.height / (1.3 if any(ord(ch) > 0x2E80 for ch in word.text) else 1.18)


def pages(pdf: Path) -> int:
    """Number of pages of `pdf`."""
    info = subprocess.run(
        [require("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]


def raw_text(pdf: Path) -> str:
    """The PDF's text in drawing order without white space: a cell's wrapped lines are drawn
    one after another, so a cell's whole text is a substring of this when it all printed."""
    text = subprocess.run(
        [require("pdftotext"), "-raw", str(pdf), "-"], check=True, capture_output=True,
        text=True, timeout=120,
    ).stdout  # fmt: skip
    return re.sub(r"\s+", "", text)
