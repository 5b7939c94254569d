"""What the worker gives the models for each stored comment, in real SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from moderation import intake
from moderation.classify import comment_inputs
from moderation.storage.tables import Comment


def _submit(app: Flask, comment_id: str, text: str, parent_id: str | None = None) -> None:
    payload: dict[str, Any] = {
        "id": comment_id,
        "article_id": "a1",
        "article": {"title": "Water deal", "body": "The two governments share the river."},
        "author": {"name": "Reader"},
        "text": text,
    }
    if parent_id is not None:
        payload["parent_id"] = parent_id
    with app.extensions["moderation"].db.session() as session:
        intake.submit_comment(session, payload)
        session.commit()


def test_a_reply_comes_with_the_text_it_answers(app: Flask) -> None:
    _submit(app, "c1", "The deal finally shares the river fairly.")
    _submit(app, "c2", "Fairly? The farmers downstream still get less.", parent_id="c1")
    _submit(app, "c3", "Replying to something the CMS never sent.", parent_id="unknown")
    with app.extensions["moderation"].db.session() as session:
        comments = list(session.scalars(select(Comment).order_by(Comment.id)))
        inputs = comment_inputs(session, comments, with_thread=False)
    by_text = {i.text: i for i in inputs}
    assert by_text["Fairly? The farmers downstream still get less."].parent == (
        "The deal finally shares the river fairly."
    )
    assert by_text["The deal finally shares the river fairly."].parent is None
    assert by_text["Replying to something the CMS never sent."].parent is None
    assert all(i.article_title == "Water deal" for i in inputs)
