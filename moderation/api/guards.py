"""Request guards for the CMS API: body size, signature, content type."""

from __future__ import annotations

from flask import current_app, request

from moderation import signing
from moderation.errors import ApiError


def require_cms_signature() -> None:
    """Refuse any CMS request that is not signed with the webhook secret (checked on the raw body)."""
    body = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        signing.verify(
            current_app.config["WEBHOOK_SECRET"],
            request.headers.get(signing.HEADER),
            body,
            tolerance=current_app.config["SIGNATURE_TOLERANCE"],
        )
    except signing.SignatureError as exc:
        raise ApiError(401, f"Request signature rejected: {exc}.") from exc


def require_json_body() -> None:
    if request.method in {"POST", "PUT", "PATCH"} and not request.is_json:
        raise ApiError(415, "Send the body as JSON with Content-Type: application/json.")
    if request.method in {"POST", "PUT", "PATCH"}:
        try:
            data = request.get_json(silent=True)
        except RecursionError as exc:  # "[[[[..." within the size limit: json gives up
            raise ApiError(400, "The request body is nested too deeply to be read.") from exc
        if data is None:
            raise ApiError(400, "The request body is not valid JSON.")
        if not isinstance(data, dict):
            raise ApiError(400, "The request body must be a JSON object.")
