"""One error shape for every error response: ``{"code", "status", "message", "errors"}``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, abort
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


class ApiError(HTTPException):
    """An error we raise on purpose, with a status, a message and optional field errors."""

    def __init__(self, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(description=message)
        self.code = code
        self.data = {"message": message, "errors": errors or {}}


def _flatten_locations(errors: Any) -> Any:
    # webargs nests field errors under the location ("json", "query"); CMS engineers want fields.
    if isinstance(errors, dict) and len(errors) == 1:
        (location,) = errors
        if location in {"json", "query", "path", "view_args"} and isinstance(
            errors[location], dict
        ):
            return errors[location]
    return errors


def error_payload(error: HTTPException) -> dict[str, Any]:
    data = getattr(error, "data", None) or {}
    errors = data.get("errors", data.get("messages", {}))
    message = data.get("message") or error.description or error.name
    if error.code == 422 and not data.get("message"):
        message = "The request body is not valid; see errors for each field."
    return {
        "code": error.code,
        "status": error.name,
        "message": message,
        "errors": _flatten_locations(errors),
    }


class ModerationApi(Api):
    """flask-smorest's Api with our error shape for every HTTP error."""

    def handle_http_exception(self, error: HTTPException) -> Any:
        headers = (getattr(error, "data", None) or {}).get("headers", {})
        return error_payload(error), error.code, headers


def register_error_handlers(app: Flask) -> None:
    @app.url_value_preprocessor
    def refuse_nul_in_paths(endpoint: str | None, values: dict[str, Any] | None) -> None:
        """No id holds a NUL character (the schemas refuse it in bodies), and PostgreSQL
        cannot even compare one: a path with one names nothing (404)."""
        if values and any(isinstance(v, str) and "\x00" in v for v in values.values()):
            abort(404)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        if isinstance(error, HTTPException):
            return error_payload(error), error.code
        log.exception("unhandled error")
        wrapped = InternalServerError()
        return error_payload(wrapped), 500
