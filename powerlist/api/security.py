"""Browser-facing protections (安全响应头与跨站请求防护) for the API and the portal.

Every state-changing request (POST/PUT/PATCH/DELETE) a browser sends carries `Sec-Fetch-Site`
and/or `Origin`; one from another site is refused with 403 before any handler runs, which
stops cross-site form posts riding on the portal cookie and login CSRF. Clients that are not
browsers (curl, scripts with a bearer token) send neither header and are unaffected.
Every answer gets X-Frame-Options DENY and Referrer-Policy same-origin (under no-referrer
Chromium sends `Origin: null` on the portal's own forms); portal pages also get a
Content-Security-Policy whose scripts and styles must carry the per-request nonce.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_SITE_FETCH = frozenset({"same-origin", "none"})  # "none": typed in the address bar
CROSS_SITE_REFUSAL = "跨站提交被拒绝：请在本系统页面内操作"


def cross_site(request: Request) -> bool:
    """Whether an unsafe request comes from a page of another origin (by the browser's word)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:  # the browser's own word, when it gives one, decides
        return fetch_site.lower() not in SAME_SITE_FETCH
    origin = request.headers.get("origin")
    if origin is None:
        return False
    if origin == "null":  # sandboxed frames, data: URLs, some redirects: never our own page
        return True
    return urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


def content_security_policy(nonce: str) -> str:
    """The portal's policy: own origin only, inline code only with this response's nonce."""
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


def install(app: FastAPI) -> None:
    """Add the cross-site check and the security headers to every request of `app`."""

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.method not in SAFE_METHODS and cross_site(request):
            response: Response = JSONResponse(
                {"status": "refused", "problems": [CROSS_SITE_REFUSAL]}, status_code=403
            )
        else:
            request.state.csp_nonce = secrets.token_urlsafe(16)
            response = await call_next(request)
            if request.url.path.startswith("/portal"):
                response.headers["Content-Security-Policy"] = content_security_policy(
                    request.state.csp_nonce
                )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
