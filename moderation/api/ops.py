"""Operations endpoints: liveness (no auth)."""

from __future__ import annotations

from flask import Blueprint

blp = Blueprint("ops", __name__)


@blp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """Answer 200 while the web process is up."""
    return {"status": "ok"}, 200
