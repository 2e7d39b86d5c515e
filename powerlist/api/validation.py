"""Request validation errors (422) in Chinese: FastAPI's shape kept (`detail` is a list of
{loc, msg, type}), each `msg` one Chinese line naming the field, so clients and the OpenAPI
schema see the same structure."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

MESSAGES = {
    "missing": "缺少此项",
    "string_type": "应为文字",
    "string_too_long": "过长：最多 {max_length} 个字符",
    "string_too_short": "过短：至少 {min_length} 个字符",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
    "greater_than": "应大于 {gt}",
    "less_than": "应小于 {lt}",
}


def chinese_message(error: dict[str, Any]) -> str:
    """One Chinese line for one pydantic error: the field, then what is wrong."""
    field = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query"))
    template = MESSAGES.get(str(error.get("type")))
    if template is None:
        text = f"无效：{error.get('msg', '')}"
    else:
        try:
            text = template.format(**(error.get("ctx") or {}))
        except (KeyError, IndexError):
            text = template
    return f"{field}：{text}" if field else text


def install(app: FastAPI) -> None:
    """Answer request validation errors with Chinese messages (status 422, same shape)."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        detail = [
            {"loc": list(e.get("loc", ())), "msg": chinese_message(e), "type": e.get("type")}
            for e in error.errors()
        ]
        return JSONResponse(status_code=422, content=jsonable_encoder({"detail": detail}))
