"""The fast single-comment path gives the same probabilities as the persisted pipelines."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.classifier import DEFAULT_MODELS_DIR
from moderation.classifier.artifacts import load_artifact, read_card
from moderation.classifier.fairness_terms import identity_feature_mask
from moderation.classifier.scorer import ModerationScorer
from moderation.domain.scores import CommentInput

TEXTS = [
    "You are a complete 1d10t and a m0r0n",
    "Check out my channel http://bit.ly/xyz and subscribe to win $500!!!",
    "Thank you for this balanced article about the carbon tax.",
    "ok",
    "The minister's plan is wrong; rural drivers will pay more.\n\nSee page 2.",
]
TITLE = "Ottawa raises the carbon tax"
BODY = "The federal government will raise the carbon tax and return money through rebates."


def test_heads_agree_with_predict_proba(scorer: ModerationScorer) -> None:
    card = read_card(DEFAULT_MODELS_DIR)
    toxicity = load_artifact(DEFAULT_MODELS_DIR, "toxicity", card)["model"]
    spam = load_artifact(DEFAULT_MODELS_DIR, "spam", card)
    off_topic = load_artifact(DEFAULT_MODELS_DIR, "off_topic", card)
    english = scorer.routes["en"]
    fast = [english.score(CommentInput(t, TITLE, BODY), "en") for t in TEXTS]
    np.testing.assert_allclose(
        [f.toxicity for f in fast], toxicity.predict_proba(TEXTS)[:, 1], atol=1e-5
    )
    np.testing.assert_allclose([f.spam for f in fast], spam.predict_proba(TEXTS)[:, 1], atol=1e-5)
    pairs = [(t, TITLE, BODY) for t in TEXTS]
    np.testing.assert_allclose(
        [f.off_topic for f in fast], off_topic.predict_proba(pairs)[:, 1], atol=1e-5
    )
    # Replies: the pipeline reads (comment, title, body, parent).
    parent = "Rural families pay more for diesel than the rebate returns."
    replies = [english.score(CommentInput(t, TITLE, BODY, parent=parent), "en") for t in TEXTS]
    quads = [(t, TITLE, BODY, parent) for t in TEXTS]
    np.testing.assert_allclose(
        [f.off_topic for f in replies], off_topic.predict_proba(quads)[:, 1], atol=1e-5
    )
    assert [f.off_topic for f in replies] != [f.off_topic for f in fast]


def test_subscores_do_not_exceed_toxicity(scorer: ModerationScorer) -> None:
    result = scorer.score([CommentInput("I will kill you, you worthless idiot")])[0]
    assert set(result.subscores) == {"insult", "threat", "identity_attack"}
    assert all(v <= result.toxicity + 1e-9 for v in result.subscores.values())  # type: ignore[operator]


@pytest.mark.parametrize("text", ["", "   ", "!!!", "a" * 5000])
def test_degenerate_inputs_score_without_error(scorer: ModerationScorer, text: str) -> None:
    result = scorer.score([CommentInput(text, TITLE, BODY)])[0]
    if result.language_supported:  # "aaaa..." may be detected as any language
        assert 0.0 <= result.toxicity <= 1.0  # type: ignore[operator]


def test_identity_features_carry_no_toxic_weight(scorer: ModerationScorer) -> None:
    head = scorer.routes["en"].toxicity
    mask = identity_feature_mask(head.ngrams)
    assert mask.sum() > 0
    assert (head.coef[mask] <= 0).all()
    assert not set(head.lexicon.rate_of) & {"gay", "muslim", "black", "jewish"}
