"""A run's scope is resolved to a stored code (code or name) or refused, before a run exists."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from powerlist.db import session_scope
from powerlist.models import Department, ReceivingUnit
from powerlist.runtime.scope import BadScope, is_path_safe, resolve_scope


@pytest.fixture
def world(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        session.add_all([
            Department(code="sthjj", name="包头市生态环境局", short_name="生态环境局", level="市"),
            Department(code="a/b", name="包头市斜杠局", level="市"),
            ReceivingUnit(code="u-qs", name="青山区生态环境分局", district="青山区",
                          kind="行政机关"),
        ])  # fmt: skip
    return engine


@pytest.mark.parametrize(
    ("kind", "typed", "code"),
    [
        ("department", "sthjj", "sthjj"),
        ("department", "包头市生态环境局", "sthjj"),
        ("department", "市生态环境局", "sthjj"),
        ("department", " 生态环境局 ", "sthjj"),
        ("department", "", "all"),
        ("department", "全部", "all"),
        ("unit", "u-qs", "u-qs"),
        ("unit", "青山区生态环境分局", "u-qs"),
        ("unit", None, "all"),
    ],
)
def test_a_code_or_a_name_resolves_to_the_stored_code(
    world: Engine, kind: str, typed: str | None, code: str
) -> None:
    with session_scope(world) as session:
        assert resolve_scope(session, kind, typed) == code


@pytest.mark.parametrize(
    ("kind", "typed", "message"),
    [
        ("department", "../../escaped", "找不到部门“../../escaped”"),
        ("department", "/tmp/x", "找不到部门“/tmp/x”"),
        ("department", "%", "找不到部门“%”"),
        ("department", "u-qs", "找不到部门“u-qs”"),
        ("unit", "sthjj", "找不到承接单位“sthjj”"),
        ("department", "a/b", "编码“a/b”不能用作文件夹名"),
        ("department", "x" * 500, "找不到部门“" + "x" * 40),
    ],
)
def test_anything_else_is_refused(world: Engine, kind: str, typed: str, message: str) -> None:
    with session_scope(world) as session, pytest.raises(BadScope) as refused:
        resolve_scope(session, kind, typed)
    assert str(refused.value).startswith(message)


def test_path_safety() -> None:
    assert is_path_safe("sthjj") and is_path_safe("u-qs") and is_path_safe("包头市")
    for bad in ("", ".", "..", "a/b", "a\\b", "c:x", " a", "a\x00"):
        assert not is_path_safe(bad), bad
