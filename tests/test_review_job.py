"""The review through the runtime's in-process runner records its run; uploads apply once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from powerlist import db
from powerlist.models import ItemDecision, Run
from powerlist.review.decisions import ImportOutcome, import_decisions
from powerlist.runtime.runner import run_in_process, start_run
from powerlist.runtime.steps import limits_from
from powerlist.settings import get_settings
from tests.fixtures_review import AS_OF, build_world
from tests.test_review_decisions import WORKBOOK, fill


@pytest.fixture(autouse=True)
def review_as_of(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("POWERLIST_REVIEW_AS_OF", AS_OF.isoformat())
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def review_in_process(engine: Engine, reports_root: Path) -> dict[str, Any]:
    """`powerlist run yearly-review --period 2026 --force` without the command line."""
    claim = start_run(engine, "yearly-review", "2026", "all", trigger="test", force=True)
    view = run_in_process(
        engine, claim, limits=limits_from(get_settings()), reports_root=reports_root
    )
    assert view.status == "succeeded", view.error
    return {"run_id": view.id, **(view.summary or {})}


def test_a_forced_re_run_reuses_its_run_and_replaces_its_findings(
    engine: Engine, tmp_path: Path
) -> None:
    build_world(engine)
    first = review_in_process(engine, tmp_path / "out")
    second = review_in_process(engine, tmp_path / "out")
    assert first["run_id"] == second["run_id"] and first["findings"] == second["findings"] == 13
    with db.session_scope(engine) as s:
        run = s.scalars(select(Run)).one()
    assert (run.job, run.period, run.scope, run.status) == (
        "yearly_review",
        "2026",
        "all",
        "succeeded",
    )
    assert (run.progress_done, run.progress_total, run.generation) == (2, 2, 2)
    assert run.summary is not None and run.summary["by_rule"]["no_basis"] == 1
    assert run.finished_at is not None and run.error is None


def test_concurrent_uploads_of_one_file_apply_once(postgres_url: str, tmp_path: Path) -> None:
    engine = db.make_engine(postgres_url)
    try:
        build_world(engine)
        review_in_process(engine, tmp_path / "out")
        folder = tmp_path / "out" / "yearly_review" / "2026" / "all"
        filled = fill(folder / WORKBOOK, tmp_path / "f.xlsx", {"CF004": ("取消", "x", "文件")})
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
            "recorded",
        ]
        with db.session_scope(engine) as s:
            assert len(s.scalars(select(ItemDecision)).all()) == 1
    finally:
        engine.dispose()
