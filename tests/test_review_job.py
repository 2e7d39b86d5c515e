"""The in-process door (`review_year`) records its run; concurrent uploads apply once."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, select

from powerlist import db
from powerlist.models import ItemDecision, Run
from powerlist.review.decisions import ImportOutcome, import_decisions
from powerlist.review.job import review_year
from tests.fixtures_review import AS_OF, build_world
from tests.test_review_decisions import WORKBOOK, fill


def test_review_year_records_progress_and_summary_on_its_run(
    engine: Engine, tmp_path: Path
) -> None:
    build_world(engine)
    first = review_year(engine, 2026, "all", tmp_path / "out", as_of=AS_OF)
    second = review_year(engine, 2026, "all", tmp_path / "out", as_of=AS_OF)
    assert first["run_id"] == second["run_id"] and first["findings"] == second["findings"] == 13
    with db.session_scope(engine) as s:
        run = s.scalars(select(Run)).one()
    assert (run.job, run.period, run.scope, run.status) == (
        "yearly_review",
        "2026",
        "all",
        "succeeded",
    )
    assert (run.progress_done, run.progress_total, run.attempts) == (2, 2, 2)
    assert run.summary is not None and run.summary["by_rule"]["no_basis"] == 1
    assert run.finished_at is not None and run.error is None


def test_concurrent_uploads_of_one_file_apply_once(postgres_url: str, tmp_path: Path) -> None:
    engine = db.make_engine(postgres_url)
    try:
        build_world(engine)
        review_year(engine, 2026, "all", tmp_path / "out", as_of=AS_OF)
        filled = fill(tmp_path / "out" / WORKBOOK, tmp_path / "f.xlsx", {"CF004": ("取消", "x")})
        start = threading.Barrier(2)
        outcomes: list[ImportOutcome | BaseException] = []

        def upload() -> None:
            start.wait()
            try:
                with db.session_scope(engine) as s:
                    outcomes.append(import_decisions(s, filled))
            except BaseException as error:  # reported by the assertion below
                outcomes.append(error)

        threads = [threading.Thread(target=upload) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(getattr(o, "status", repr(o)) for o in outcomes) == [
            "already_imported",
            "applied",
        ]
        with db.session_scope(engine) as s:
            assert len(s.scalars(select(ItemDecision)).all()) == 1
    finally:
        engine.dispose()
