"""Import training hours (培训学时) and law-exam results (考试成绩) of receiving units' staff.

A row with a score (成绩) is an exam result; any other row is a completed training.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from powerlist.imports.fields import ColumnMap, Field, SourceRow
from powerlist.imports.kinds.keyed import KeyedImport, Made
from powerlist.imports.problems import RowError
from powerlist.imports.text import code_text, parse_date, parse_number
from powerlist.models import ExamResult, ExamSession, Staff, TrainingRecord, TrainingRequirement
from powerlist.training.config import training_config
from powerlist.training.roster import ensure_requirements

FIELDS = (
    Field("staff_no", "工号", ("人员编号", "职工编号"), parse=code_text, required=True),
    Field("name", "姓名", ("人员姓名",)),
    Field("requirement", "培训项目", ("培训要求", "要求编码", "培训项目编码", "课程", "考试项目")),
    Field(
        "completed_on",
        "完成日期",
        ("培训日期", "考试日期", "日期", "参训日期"),
        parse=parse_date,
        required=True,
    ),
    Field("hours", "学时", ("培训学时", "学时数"), parse=parse_number),
    Field("topic", "培训内容", ("主题", "培训主题", "课程内容")),
    Field("trainer", "授课单位", ("培训机构", "主办单位", "培训单位")),
    Field("exam", "考试场次", ("考试名称", "场次")),
    Field("score", "成绩", ("考试成绩", "分数", "得分"), parse=parse_number),
)


class TrainingImport(KeyedImport):
    """Training records keyed by (staff, requirement, date); exam results by (session, staff)."""

    name = "training"
    title = "培训考试记录"
    fields = FIELDS
    key_field = "staff_no"

    def load(self, session: Session) -> None:
        """Staff by 工号, requirements by code or name, exam sessions, and existing records."""
        self.staff = {s.staff_no: s for s in session.scalars(select(Staff))}
        # a fresh database has no requirements until the configured ones are written (培训要求)
        ensure_requirements(session, training_config())
        requirements = session.scalars(select(TrainingRequirement)).all()
        self.requirements = {r.code: r for r in requirements} | {r.name: r for r in requirements}
        self.sessions = session.scalars(select(ExamSession).order_by(ExamSession.resit)).all()
        for record in session.scalars(select(TrainingRecord)):
            key = (record.staff_id, record.requirement_id, record.completed_on)
            self.stored[(TrainingRecord, key)] = record
        for result in session.scalars(select(ExamResult)):
            self.stored[(ExamResult, (result.session_id, result.staff_id))] = result

    def make(self, row: SourceRow, columns: ColumnMap, errors: list[RowError]) -> Made | None:
        """A training record or an exam result for a known staff member."""
        v = row.values
        person = self.staff.get(v["staff_no"])
        if person is None:
            self.catalog.error(errors, columns, row, "staff_no", f"找不到工号“{v['staff_no']}”")
            return None
        if v.get("name") and v["name"] != person.name:
            self.catalog.error(
                errors, columns, row, "name", f"姓名与工号不符（工号对应“{person.name}”）"
            )
            return None
        if v.get("score") is not None:
            return self._exam(row, columns, errors, person)
        requirement = self.requirements.get(v.get("requirement") or "")
        if requirement is None:
            self.catalog.error(
                errors, columns, row, "requirement", f"找不到培训项目“{v.get('requirement') or ''}”"
            )
            return None
        if v.get("hours") is not None and not 0 <= v["hours"] <= 200:
            self.catalog.error(
                errors, columns, row, "hours", f"学时“{v['hours']:g}”不在 0–200 之间"
            )
            return None
        values: dict[str, Any] = {
            "staff_id": person.id,
            "requirement_id": requirement.id,
            "completed_on": v["completed_on"],
        }
        values |= {k: v[k] for k in ("hours", "topic", "trainer") if v.get(k) is not None}
        key = (person.id, requirement.id, v["completed_on"])
        return TrainingRecord, key, values, f"{person.staff_no} {requirement.name}"

    def _exam(
        self, row: SourceRow, columns: ColumnMap, errors: list[RowError], person: Staff
    ) -> Made | None:
        v = row.values
        year = v["completed_on"].year
        wanted = v.get("exam") or v.get("requirement")
        requirement = self.requirements.get(wanted or "")
        matches = [
            s
            for s in self.sessions
            if s.year == year
            and (
                s.name == wanted or (requirement is not None and s.requirement_id == requirement.id)
            )
        ]
        if not matches:
            self.catalog.error(
                errors,
                columns,
                row,
                "exam" if v.get("exam") else "requirement",
                f"找不到 {year} 年的考试“{wanted or ''}”",
            )
            return None
        if not 0 <= v["score"] <= 100:
            self.catalog.error(
                errors, columns, row, "score", f"成绩“{v['score']:g}”不在 0–100 之间"
            )
            return None
        exam = matches[0]
        values = {
            "session_id": exam.id,
            "staff_id": person.id,
            "taken_on": v["completed_on"],
            "score": v["score"],
            "passed": v["score"] >= exam.pass_mark,
        }
        return ExamResult, (exam.id, person.id), values, f"{person.staff_no} {exam.name}"
