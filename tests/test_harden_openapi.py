"""Property-based run of the OpenAPI (issue 24): schemathesis generates requests for every
operation of the in-process app, with an administrator token so they reach the handlers, and
no answer may be a 5xx. A bounded number of examples per operation keeps it under a minute."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from powerlist import db
from powerlist.api import create_app
from powerlist.settings import get_settings
from tests.fixtures_http import HttpWorld, make_http_world

EXAMPLES = 60  # per operation; the whole run takes about 10 s


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpWorld]:
    """The reviewed tiny world on SQLite, shared by every generated case of this module."""
    folder = tmp_path_factory.mktemp("openapi")
    url = f"sqlite:///{folder}/powerlist.db"
    db.upgrade(url)
    engine = db.make_engine(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POWERLIST_REPORTS_DIR", str(folder / "reports"))
        patch.setenv("POWERLIST_API_RUN_MODE", "in_process")
        patch.setenv("POWERLIST_REVIEW_AS_OF", "2026-11-01")
        get_settings.cache_clear()
        yield make_http_world(engine, folder / "reports")
    get_settings.cache_clear()
    engine.dispose()


@pytest.fixture(scope="module")
def api_schema(world: HttpWorld) -> schemathesis.BaseSchema:
    """The app's own OpenAPI document, called in-process (ASGI)."""
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(world.engine))


def test_no_generated_request_gets_a_5xx(
    api_schema: schemathesis.BaseSchema, world: HttpWorld
) -> None:
    server_errors: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10, "the OpenAPI lists too few operations: the run proves nothing"

    def check(case: schemathesis.Case) -> None:
        response = case.call(headers=world.auth("admin"))
        if response.status_code >= 500 and not _degraded_health(case, response):
            server_errors.append(
                f"{case.method} {case.formatted_path} {case.query or ''} → "
                f"{response.status_code}: {response.text[:300]}"
            )

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            check(case)

        call()
        config = api_schema.config.generation_for(operation=operation, phase="coverage")
        for case in api_schema.iter_coverage_cases(
            operation, generation_modes=list(GenerationMode), generation_config=config
        ):
            check(case)
    assert not server_errors, "\n".join(server_errors[:20])


def _degraded_health(case: schemathesis.Case, response: schemathesis.Response) -> bool:
    """/api/health answers 503 by design when no worker is up (none runs in this test)."""
    return (
        case.formatted_path == "/api/health"
        and response.status_code == 503
        and response.json().get("status") == "degraded"
    )
