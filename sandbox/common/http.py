"""HTTP conventions shared by every sandbox system (they are the contract's conventions too).

- JSON bodies; errors are `{"error": {"code": "SNAKE_UPPER", "message": "…"}}` with 400/401/403/404/409/422.
- Lists are `{"items": [...]}`; batch reads are `POST …:batch` with `{"ids": [...]}` (at most 1,000 ids).
- Money is `{"amount": "29.99", "currency": "USD"}`, the amount with exactly as many decimals as the currency
  has ("5000" JPY, "1.234" KWD); datetimes are ISO 8601 with a UTC offset.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.common.money import wire

MAX_BATCH = 1000


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def not_found(what: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", f"{what} not found")


def invalid(message: str, code: str = "INVALID_REQUEST") -> ApiError:
    return ApiError(422, code, message)


def conflict(code: str, message: str) -> ApiError:
    return ApiError(409, code, message)


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


async def api_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status)


async def http_exception_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    codes = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 401: "UNAUTHORIZED", 403: "FORBIDDEN"}
    code = codes.get(exc.status_code, "HTTP_ERROR")
    return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)


EXCEPTION_HANDLERS: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
    ApiError: api_error_handler,
    HTTPException: http_exception_handler,
}


def ok(payload: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(payload, status_code=status)


async def read_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 INVALID_JSON."""
    raw = await request.body()
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "INVALID_JSON", "request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "INVALID_JSON", "request body must be a JSON object")
    return body


def require_str(body: dict[str, Any], key: str, *, max_len: int = 500, optional: bool = False) -> str:
    value = body.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise invalid(f"`{key}` must be a non-empty string of at most {max_len} characters")
    return value


async def read_ids(request: Request, key: str = "ids") -> list[str]:
    """The id list of a batch read: 1..1,000 distinct non-empty strings, order kept."""
    body = await read_object(request)
    ids = body.get(key)
    if not isinstance(ids, list) or not ids or len(ids) > MAX_BATCH:
        raise invalid(f"`{key}` must be a list of 1 to {MAX_BATCH} ids")
    if not all(isinstance(i, str) and 0 < len(i) <= 100 for i in ids):
        raise invalid(f"every entry of `{key}` must be a non-empty string id")
    return list(dict.fromkeys(ids))


def money(minor: int, currency: str) -> dict[str, str]:
    """The wire form of an amount held in minor units: `{"amount": "29.99", "currency": "USD"}`."""
    return {"amount": wire(minor, currency), "currency": currency}
