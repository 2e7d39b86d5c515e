"""Reachability probes for the health endpoint: the Redis broker and the Celery workers."""

from __future__ import annotations

from typing import Any


def ping_broker(url: str, timeout: float) -> dict[str, Any]:
    """PING the Redis broker with a short timeout: {"ok": bool, "error"?: str}."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as error:
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    return {"ok": True}


def ping_workers(timeout: float) -> dict[str, Any]:
    """Celery's inspect ping: which workers answered within `timeout` seconds."""
    from workers.app import app

    try:
        replies = app.control.inspect(timeout=timeout).ping() or {}
    except Exception as error:  # kombu raises many types when the broker goes away mid-call
        return {"ok": False, "workers": [], "error": f"{type(error).__name__}: {error}"}
    return {"ok": bool(replies), "workers": sorted(replies)}
