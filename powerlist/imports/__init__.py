"""Imports of the spreadsheets departments keep (权责清单, 法律依据库, 人员名册 …), all or nothing.

`import_file(session, kind, path)` is the one entry point for the CLI and the HTTP API.
"""

from powerlist.imports.kinds.registry import KINDS
from powerlist.imports.plan import Counts
from powerlist.imports.problems import ImportRejected, NoDataRejected, RowError
from powerlist.imports.run import ImportResult, import_file

__all__ = [
    "KINDS",
    "Counts",
    "ImportRejected",
    "ImportResult",
    "NoDataRejected",
    "RowError",
    "import_file",
]
