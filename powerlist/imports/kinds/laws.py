"""Import the legal-basis registry (法律依据库): each law with its level, validity and dates."""

from __future__ import annotations

import itertools

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.adjustment import changes as law_changes
from powerlist.imports.fields import ColumnMap, Field, SourceRow
from powerlist.imports.kinds.common import choice
from powerlist.imports.kinds.keyed import KeyedImport, Made
from powerlist.imports.plan import Change
from powerlist.imports.problems import RowError
from powerlist.imports.text import fold, parse_date
from powerlist.models import LegalBasis
from powerlist.vocab import BasisLevel, BasisStatus

FIELDS = (
    Field(
        "title",
        "法规名称",
        ("名称", "标题", "法律法规名称", "文件名称", "法律依据名称"),
        required=True,
    ),
    Field("doc_number", "文号", ("发文字号", "发布文号", "文件编号", "令号")),
    Field(
        "level",
        "效力级别",
        ("层级", "效力层级", "效力位阶", "法律效力位阶"),
        required=True,
        parse=choice(tuple(BasisLevel), "效力级别"),
    ),
    Field(
        "status",
        "时效性",
        ("状态", "效力状态", "时效状态"),
        required=True,
        parse=choice(tuple(BasisStatus), "时效性"),
    ),
    Field("issuer", "制定机关", ("发布机关", "颁布机关", "发文机关")),
    Field("promulgated_on", "公布日期", ("发布日期", "颁布日期"), parse=parse_date),
    Field("effective_on", "施行日期", ("生效日期", "实施日期"), parse=parse_date),
    Field("amended_on", "修改日期", ("修订日期", "最近修改日期", "修正日期"), parse=parse_date),
    Field("repealed_on", "废止日期", ("失效日期",), parse=parse_date),
    Field("note", "备注"),
    Field("successor", "替代法规", ("新法规", "替代为", "被替代为", "继受法规", "新法名称")),
    Field("interprets", "所解释法规", ("被解释法规", "解释对象", "解释的法规")),
)


class LawsImport(KeyedImport):
    """法律依据库, keyed by title and 文号; fills in bases the items import created by title."""

    name = "laws"
    title = "法律依据库"
    fields = FIELDS
    key_field = "title"

    def load(self, session: Session) -> None:
        """Existing bases by (title, 文号), and by title alone for those without a 文号."""
        for basis in session.scalars(select(LegalBasis)):
            self.stored[(LegalBasis, (_key(basis.title), basis.doc_number or ""))] = basis

    def prepare(
        self, session: Session, rows: list[tuple[SourceRow, ColumnMap]], errors: list[RowError]
    ) -> list[Change]:
        """Build the changes, then detect what changed in laws already registered (立改废释).

        The successor (替代法规) is not a column: it is kept aside and resolved by title once
        every law of the file is stored. A row naming the law it interprets (所解释法规) is a
        new interpretation (释) of that law, detected once.
        """
        changes = super().prepare(session, rows, errors)
        titles = {b.id: b.title for b in self.stored.values()}
        by_title = {_key(b.title): b for b in self.stored.values()}
        self.detected: list[law_changes.DetectedChange] = []
        for change in changes:
            successor = change.values.pop("successor", None)
            if successor:
                change.extra["successor"] = f"《{successor.strip('《》 ')}》"
            interpreted = by_title.get(_key(change.values.pop("interprets", None) or ""))
            if interpreted is not None and not law_changes.interpretation_known(
                session, interpreted.id, change.label
            ):  # 释: the interpreted law's items are reviewed, once per interpretation
                self.detected.append(law_changes.DetectedChange(
                    interpreted.id, interpreted.title, law_changes.INTERPRETATION, None,
                    change.label,
                ))  # fmt: skip
            law = change.existing
            if law is None:
                continue
            before = {k: getattr(law, k) for k in law_changes.TRACKED if k != "successor"}
            before["successor"] = titles.get(law.superseded_by_id or 0)
            after = dict(change.values)
            if "successor" in change.extra:
                after["successor"] = change.extra["successor"]
            self.detected.extend(law_changes.field_changes(law.id, law.title, before, after))
        law_changes.attach_citing_items(session, self.detected)
        known = set(by_title) | {_key(c.label) for c in changes}
        self.unknown_successors = [
            (c.label, c.extra["successor"])
            for c in changes
            if "successor" in c.extra and _key(c.extra["successor"]) not in known
        ]
        return changes

    def detected_changes(self) -> list[law_changes.DetectedChange]:
        """The law changes this import makes (after `prepare`)."""
        return list(getattr(self, "detected", []))

    def record_detected(self, session: Session, import_id: int) -> None:
        """Store the detected changes as this import's change set (law_changes)."""
        law_changes.record(session, import_id, self.detected_changes(), law_changes.today())

    def after_write(self, session: Session, changes: list[Change]) -> None:
        """Link each law to its successor (替代法规) by title, now that every law is stored."""
        wanted = [c for c in changes if "successor" in c.extra]
        if not wanted:
            return
        by_key = {_key(b.title): b for b in session.scalars(select(LegalBasis))}
        own = {_key(c.label): c for c in wanted}
        for key, change in own.items():
            successor = by_key.get(_key(change.extra["successor"]))
            law = by_key.get(key)
            if successor is not None and law is not None and law.id != successor.id:
                law.superseded_by_id = successor.id
        session.flush()

    def notes(self) -> list[str]:
        """One line per changed law: what changed, and the items on the list citing it."""
        by_law: dict[int, list[law_changes.DetectedChange]] = {}
        for change in self.detected_changes():
            by_law.setdefault(change.law_id, []).append(change)
        lines = []
        for changes in by_law.values():
            what = "；".join(
                f"{c.label} {c.old or '（空）'} → {c.new or '（空）'}" for c in changes
            )
            items = changes[0].items
            cited = "、".join(f"{i.department_name}{i.code}" for i in items[:20])
            more = f"等{len(items)}项" if len(items) > 20 else ""
            listed = f"引用事项 {len(items)} 项：{cited}{more}" if items else "无在列事项引用"
            lines.append(f"法规变动：{changes[0].title} {what}；{listed}")
        for law, successor in getattr(self, "unknown_successors", []):
            lines.append(f"{law}的替代法规{successor}不在法律依据库中，未关联；请一并导入该法规")
        return lines

    def existing(self, model: type, key: tuple) -> LegalBasis | None:
        """Exact match, else the same title registered without a 文号 (e.g. by an items import)."""
        return self.stored.get((model, key)) or self.stored.get((model, (key[0], "")))

    def make(self, row: SourceRow, columns: ColumnMap, errors: list[RowError]) -> Made | None:
        """One law's values; dates must be in order (公布 ≤ 施行, 施行 ≤ 废止)."""
        v = row.values
        title = v["title"].strip("《》 ")
        ordered = [
            ("promulgated_on", "公布日期"),
            ("effective_on", "施行日期"),
            ("repealed_on", "废止日期"),
        ]
        dates = [(k, label, v.get(k)) for k, label in ordered if v.get(k)]
        for (_, first_label, first), (key, label, later) in itertools.pairwise(dates):
            if later < first:
                self.catalog.error(errors, columns, row, key, f"{label}早于{first_label}")
                return None
        if v["status"] == BasisStatus.REPEALED and not v.get("repealed_on") and "repealed_on" in v:
            self.catalog.error(errors, columns, row, "repealed_on", "已废止的法规须填写废止日期")
            return None
        values = {k: val for k, val in v.items() if k != "title"}
        values["title"] = f"《{title}》"
        values["doc_number"] = v.get("doc_number") or ""
        return LegalBasis, (_key(title), values["doc_number"]), values, values["title"]


def _key(title: str) -> str:
    return fold(title.strip().strip("《》"))
