"""compose.yaml: every service runs a real entry point and sets only settings we know."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from powerlist.cli import app as cli_app
from powerlist.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
OURS = ("migrate", "worker", "beat", "api", "flower")
CELERY_COMMANDS = {"worker", "beat", "flower"}
# Commands another issue adds (the HTTP API): must NOT exist yet; remove when they land.
PENDING_COMMANDS: set[str] = set()


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_service_command_names_a_real_entry_point(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(OURS) <= set(services)
    scripts = _pyproject()["project"]["scripts"]
    registered = set(typer.main.get_command(cli_app).commands)  # type: ignore[attr-defined]
    for name in OURS:
        command = services[name]["command"]
        program = command[0]
        if program == "celery":
            assert command[1:3] == ["-A", "workers"], name
            assert command[3] in CELERY_COMMANDS, name
        else:
            assert program in scripts, f"{name}: {program} is not a console script"
            sub = command[1]
            if sub in PENDING_COMMANDS:
                assert sub not in registered, f"{sub} exists now: drop it from PENDING_COMMANDS"
            else:
                assert sub in registered, f"{name}: `powerlist {sub}` does not exist"
    assert (ROOT / "Dockerfile").is_file()
    assert "flower" in " ".join(_pyproject()["project"]["optional-dependencies"]["monitoring"])


def test_every_environment_variable_is_a_known_setting(compose: dict[str, Any]) -> None:
    known = {f"POWERLIST_{field.upper()}" for field in Settings.model_fields}
    for name in OURS:
        env = compose["services"][name]["environment"]
        unknown = sorted(set(env) - known)
        assert not unknown, f"{name}: unknown variables {unknown}"
        assert "POWERLIST_DATABASE_URL" in env and "POWERLIST_BROKER_URL" in env


def test_redis_persists_never_evicts_and_there_is_one_beat(compose: dict[str, Any]) -> None:
    services = compose["services"]
    redis_command = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in redis_command
    assert "--maxmemory-policy noeviction" in redis_command
    assert "healthcheck" in services["redis"] and "healthcheck" in services["postgres"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["flower"]["profiles"] == ["monitoring"]
    assert services["migrate"]["restart"] == "no"
    for name in ("worker", "api"):
        assert "reports:/var/lib/powerlist/reports" in services[name]["volumes"]
        assert (
            services[name]["environment"]["POWERLIST_REPORTS_DIR"] == "/var/lib/powerlist/reports"
        )
    env = services["worker"]["environment"]
    Settings(**{k.removeprefix("POWERLIST_").lower(): v for k, v in env.items() if v})
