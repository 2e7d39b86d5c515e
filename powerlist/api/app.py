"""The app factory: API routers per area, the portal, and OpenAPI at /docs."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from sqlalchemy import Engine

from powerlist.api import health, imports, reports, runs, security, uploads, validation, verdicts
from powerlist.db import default_engine


def create_app(engine: Engine | None = None) -> FastAPI:
    """Build the HTTP app on `engine` (default: POWERLIST_DATABASE_URL)."""
    from powerlist.portal import routes as portal

    app = FastAPI(
        title="powerlist 权责清单",
        description="Trigger and watch runs, download department workbooks, return filled "
        "review workbooks. Authenticate with `Authorization: Bearer <token>`.",
        version="0.1.0",
    )
    app.state.engine = engine or default_engine()
    security.install(app)
    validation.install(app)
    for router in (runs.router, reports.router, uploads.router, verdicts.router, imports.router,
                   health.router, portal.router):  # fmt: skip
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/portal/", status_code=303)

    return app
