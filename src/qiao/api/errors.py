"""The one error shape for every failed request, with messages in the caller's language:

{"error": {"code": str, "message": str, "details": [{"field", "code", "message"}]}}
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from qiao.api.json import JSON
from qiao.errors import ErrorDetail, QiaoError, loc_path
from qiao.i18n import negotiate, translate

log = logging.getLogger(__name__)


class BodyTooLarge(StarletteHTTPException):
    """Raised while a request body is read past the limit. An HTTPException, because
    FastAPI turns any other exception raised while it parses a body into a 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413)
        self.limit = limit


def _locale(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"))


def error_body(
    code: str, locale: str, params: dict[str, Any], details: list[ErrorDetail]
) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": translate(code, locale, params),
            "details": [_detail(d, locale) for d in details],
        }
    }


def _detail(d: ErrorDetail, locale: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "field": d.field,
        "code": d.code,
        "message": translate(d.code, locale, d.params),
    }
    if "start" in d.params and "end" in d.params:
        # a problem inside a formula: where to underline it in the editor
        item["params"] = {"start": d.params["start"], "end": d.params["end"]}
    return item


def error_response(
    request: Request,
    status: int,
    code: str,
    params: dict[str, Any] | None = None,
    details: list[ErrorDetail] | None = None,
    headers: dict[str, str] | None = None,
) -> JSON:
    body = error_body(code, _locale(request), params or {}, details or [])
    return JSON(body, status_code=status, headers=headers)


_PYDANTIC_CODES = {"missing": "missing", "extra_forbidden": "extra_forbidden"}


_SOURCES = ("body", "query", "path", "header", "cookie")


def _validation_details(exc: RequestValidationError) -> list[ErrorDetail]:
    details = []
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        if loc and loc[0] in _SOURCES:  # only the source: a field may be called "body"
            loc = loc[1:]
        field = loc_path(loc) or "body"
        code = _PYDANTIC_CODES.get(err.get("type", ""), "wrong_type")
        details.append(ErrorDetail(field, code, {"msg": err.get("msg", "")}))
    return details


def install(app: FastAPI) -> None:
    @app.exception_handler(QiaoError)
    async def _qiao(request: Request, exc: QiaoError) -> JSON:
        return error_response(request, exc.status, exc.code, exc.params, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSON:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return error_response(request, 400, "invalid_json")
        return error_response(request, 422, "request_invalid", details=_validation_details(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSON:
        if isinstance(exc, BodyTooLarge):
            return error_response(request, 413, "body_too_large", {"limit": exc.limit})
        code = {404: "route_not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "bad_request"
        )
        return error_response(request, exc.status_code, code)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSON:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "internal_error")
