import pytest
from marshmallow import ValidationError

from moderation.schemas import CommentInSchema

VALID = {"id": "c1", "article_id": "a1", "author": {"name": "Reader"}, "text": "Hello"}


def load(**change: object) -> dict:
    return CommentInSchema().load({**VALID, **change})


def errors(**change: object) -> dict:
    with pytest.raises(ValidationError) as info:
        load(**change)
    return info.value.messages  # type: ignore[return-value]


def test_text_is_nfc_normalised_and_stripped() -> None:
    assert load(text="  Cafe\u0301 \n")["text"] == "Café"


def test_the_limit_counts_code_points_after_normalisation() -> None:
    # 1,500 decomposed "é" are 3,000 code points before NFC and exactly 1,500 after.
    assert len(load(text="e\u0301" * 1500)["text"]) == 1500
    assert len(load(text="я" * 1500)["text"]) == 1500
    assert len(load(text="😀" * 1500)["text"]) == 1500


def test_over_the_limit_states_the_limit_and_the_length() -> None:
    assert errors(text="x" * 1501) == {
        "text": ["Comment text is 1501 characters long; the limit is 1500."]
    }


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_refused(text: str) -> None:
    assert errors(text=text) == {"text": ["Comment text must not be empty."]}


def test_missing_fields_are_named() -> None:
    with pytest.raises(ValidationError) as info:
        CommentInSchema().load({})
    assert set(info.value.messages) == {"id", "article_id", "author", "text"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"author": {"name": ""}}, "author"),
        ({"author": {"name": "x" * 101}}, "author"),
        ({"author": {"name": "R", "email": "not-an-email"}}, "author"),
        ({"author": {}}, "author"),
        ({"text": 42}, "text"),
        ({"text": ["a"]}, "text"),
        ({"id": "x" * 129}, "id"),
        ({"id": 5}, "id"),
        ({"article_id": None}, "article_id"),
        ({"submitted_at": "yesterday"}, "submitted_at"),
        ({"ip": "999.1.1.1"}, "ip"),
        ({"text": "a\x00b"}, "text"),
        ({"text": "\ud800"}, "text"),
        ({"unexpected": 1}, "unexpected"),
        ({"article": {"body": "no title"}}, "article"),
    ],
)
def test_bad_fields_get_field_level_messages(change: dict, field: str) -> None:
    assert field in errors(**change)


def test_optional_fields_are_accepted() -> None:
    data = load(
        author={"name": "R", "email": "r@example.org", "id": "u1"},
        parent_id="c0",
        submitted_at="2026-11-28T08:00:00+06:00",
        ip="2001:db8::1",
        user_agent="Mozilla/5.0",
        article={
            "title": "T",
            "body": "B",
            "url": "https://example.org/a",
            "section": "S",
            "language": "en",
        },
    )
    assert data["author"]["email"] == "r@example.org"
    assert data["submitted_at"].utcoffset().total_seconds() == 6 * 3600


def test_queue_filter_form_with_empty_fields_means_no_filter() -> None:
    from moderation.api.moderator_schemas import QueueQuerySchema

    # What the workspace's filter form sends when only a language was chosen.
    spec = QueueQuerySchema().load(
        {"status": "held", "reason": "", "article_id": "", "author": "", "section": "",
         "language": "ru", "sort": "oldest"}
    )  # fmt: skip
    assert spec.language == "ru"
    assert (spec.reason, spec.article_id, spec.author, spec.section) == (None, None, None, None)
    assert spec.sort == "oldest"
    with pytest.raises(ValidationError, match="reason"):
        QueueQuerySchema().load({"reason": "Not A Code!"})


def test_audit_filter_form_with_empty_fields_means_no_filter() -> None:
    from moderation.api.moderator_schemas import AuditQuerySchema

    spec = AuditQuerySchema().load({"actor": "alice", "event": "", "comment_id": ""})
    assert (spec.actor, spec.event, spec.comment_id) == ("alice", None, None)
    with pytest.raises(ValidationError, match="event"):
        AuditQuerySchema().load({"event": "nonsense"})
