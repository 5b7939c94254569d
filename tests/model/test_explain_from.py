"""Scores below the policy's approve points come without spans, and nothing else changes.

The worker scores with ``explain_from=policy.approve_points``: a score below the approve point
of the comment's language can give no reason, so its words would be dropped by ``decide``
anyway, and finding them is skipped. These tests hold the scorer to that: the same scores, the same
decisions with the same words, spans exactly where a score reaches its point.
"""

from __future__ import annotations

import pytest

from moderation.classifier.language_routing import is_mixed_en_ru
from moderation.classifier.scorer import ModerationScorer
from moderation.domain.policy import decide
from moderation.domain.scores import CommentInput, CommentScores
from moderation.policy_file import load_policy
from moderation.settings import REPO_ROOT
from tests.model.test_batch_matches_single import MIXED, RUSSIAN, RUSSIAN_ARTICLES, _comments

POLICY = load_policy(REPO_ROOT / "config" / "policy.toml")
POINTS = POLICY.approve_points  # per language, as the worker passes them
NAMES = ("toxicity", "off_topic", "spam")


@pytest.fixture(scope="module")
def comments() -> list[CommentInput]:
    russian = [CommentInput(t, *RUSSIAN_ARTICLES[k % 3]) for k, t in enumerate(RUSSIAN)]
    return _comments(300) + russian + [CommentInput(t) for t in MIXED]


def _numbers(r: CommentScores) -> tuple[object, ...]:
    return (r.toxicity, r.off_topic, r.spam, r.language, r.language_supported, r.subscores)


def test_the_shipped_policy_explains_each_language_from_its_own_points() -> None:
    english, russian = POINTS("en"), POINTS("ru")
    assert english == {name: POLICY.thresholds[name].approve_below for name in NAMES}
    assert russian == {
        name: POLICY.per_language["ru"][name].approve_below for name in NAMES
    }  # its own table for every score
    assert POINTS("ru-Latn") == russian
    # Russian spam's point is below English spam's: English comments are not explained from it.
    assert russian["spam"] < english["spam"]


def test_scores_are_the_same_and_spans_only_where_a_score_reaches_its_point(
    scorer: ModerationScorer, comments: list[CommentInput]
) -> None:
    every = scorer.score(comments)
    some = scorer.score(comments, explain_from=POINTS)
    assert [_numbers(r) for r in some] == [_numbers(r) for r in every]
    skipped = 0
    for comment, full, lean in zip(comments, every, some, strict=True):
        if is_mixed_en_ru(comment.text):
            continue  # two models' spans: see the test below
        for name, point in POINTS(lean.language).items():
            value = getattr(lean, name)
            if value is not None and value >= point:
                assert lean.spans.get(name, ()) == full.spans.get(name, ()), comment.text
            else:
                assert not lean.spans.get(name), comment.text
                skipped += bool(full.spans.get(name))
    assert skipped > 50  # spans the full path found and nobody would have seen


def test_decisions_and_their_words_are_the_same(
    scorer: ModerationScorer, comments: list[CommentInput]
) -> None:
    every = [decide(r, POLICY) for r in scorer.score(comments)]
    some = [decide(r, POLICY) for r in scorer.score(comments, explain_from=POINTS)]
    plain = [i for i, c in enumerate(comments) if not is_mixed_en_ru(c.text)]
    assert [some[i] for i in plain] == [every[i] for i in plain]
    assert sum(bool(r.spans) for i in plain for r in every[i].reasons) > 100
    # A mixed comment's reason keeps the words of the model whose score reached the point
    # and drops those of the other model's score below it.
    for full, lean in zip(every, some, strict=True):
        assert [r.code for r in lean.reasons] == [r.code for r in full.reasons]
        for r_full, r_lean in zip(full.reasons, lean.reasons, strict=True):
            assert set(r_lean.spans) <= set(r_full.spans)
            assert bool(r_lean.spans) == bool(r_full.spans)


def test_one_at_a_time_equals_the_batch(
    scorer: ModerationScorer, comments: list[CommentInput]
) -> None:
    sample = comments[:80] + comments[-10:]
    batch = scorer.score(sample, explain_from=POINTS)
    assert batch == [scorer.score([c], explain_from=POINTS)[0] for c in sample]


def test_nothing_to_explain_gives_no_spans_at_all(scorer: ModerationScorer) -> None:
    results = scorer.score(
        [CommentInput("Thank you for the article."), CommentInput("You are an idiot.")],
        explain_from={"toxicity": 1.0, "spam": 1.0, "off_topic": 1.0},
    )
    assert all(not r.spans.get(name) for r in results for name in NAMES)
    assert results[1].toxicity is not None and results[1].toxicity > 0.2
