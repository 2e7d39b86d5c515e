"""The HTTP API (FastAPI) and its app factory; OpenAPI is published at /docs."""

from powerlist.api.app import create_app

__all__ = ["create_app"]
