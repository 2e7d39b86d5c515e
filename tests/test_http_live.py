"""`powerlist tokens` and `powerlist serve` as an operator uses them: a live server subprocess on
PostgreSQL with a real Celery worker, runs queued over HTTP, and health seeing the worker."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from powerlist import db
from tests.celery_harness import Cluster, free_port, wait_for
from tests.fixtures_runtime import add_departments, control

__all__ = ["control"]
POWERLIST = str(Path(sys.executable).with_name("powerlist"))
ROOT = Path(__file__).resolve().parent.parent


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POWERLIST, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def cluster(postgres_url: str, redis_url: str, tmp_path: Path, control: Path) -> Iterator[Cluster]:
    engine = db.make_engine(postgres_url)
    add_departments(engine)
    engine.dispose()
    cluster = Cluster(postgres_url, redis_url, tmp_path, {"POWERLIST_API_RUN_MODE": "queue"})
    yield cluster
    cluster.stop_all()


def _serve(cluster: Cluster) -> str:
    port = free_port()
    command = [POWERLIST, "serve", "--host", "127.0.0.1", "--port", str(port)]
    cluster._start(command, cluster.folder / "serve.log")
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{url}/openapi.json", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, 30, "powerlist serve")
    return url


def test_tokens_cli_and_a_queued_run_over_http_with_a_real_worker(cluster: Cluster) -> None:
    created = _cli(cluster.env, "tokens", "create", "--admin", "--expires-days", "7")
    assert created.returncode == 0, created.stderr
    admin = created.stdout.strip()
    assert admin.startswith("pl_") and "只显示这一次" in created.stderr
    department = _cli(cluster.env, "tokens", "create", "--department", "D02").stdout.strip()
    refused = _cli(cluster.env, "tokens", "create", "--department", "NOPE")
    assert refused.returncode == 2 and "NOPE" in refused.stderr
    listed = json.loads(_cli(cluster.env, "tokens", "list", "--json").stdout)
    assert [t["owner"] for t in listed] == ["D02", "管理员"]
    assert admin not in json.dumps(listed) and department not in json.dumps(listed)

    cluster.worker("w1")
    url = _serve(cluster)
    as_admin = {"Authorization": f"Bearer {admin}"}
    health = httpx.get(f"{url}/api/health", headers=as_admin, timeout=10)
    assert health.status_code == 200, health.text
    assert health.json()["workers"]["workers"] and health.json()["broker"] == {"ok": True}

    answer = httpx.post(
        f"{url}/api/runs", json={"job": "test_reports", "period": "2026"}, headers=as_admin
    )
    assert answer.status_code == 202, answer.text
    run_id = answer.json()["id"]

    def finished() -> dict[str, Any] | None:
        run = httpx.get(f"{url}/api/runs/{run_id}", headers=as_admin).json()
        return run if run["status"] in ("succeeded", "failed", "partial") else None

    run = wait_for(finished, 60, "the queued run")
    assert (run["status"], run["done"], run["total"]) == ("succeeded", 3, 3)
    assert run["trigger"].startswith("api:token#")

    revoked = _cli(cluster.env, "tokens", "revoke", str(listed[0]["id"]))
    assert revoked.returncode == 0
    gone = httpx.get(f"{url}/api/runs", headers={"Authorization": f"Bearer {department}"})
    assert gone.status_code == 401
    assert _cli(cluster.env, "tokens", "revoke", "999").returncode == 2
