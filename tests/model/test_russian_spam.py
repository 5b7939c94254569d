"""The Russian spam head, through the committed model: its own head over the Russian n-grams,
adverts without a link or contact held, civil comments on the same subjects not, and the
served head equal to the trained one."""

from __future__ import annotations

import json
import pathlib
import shutil

import numpy as np
import pytest

from moderation.classifier import DEFAULT_MODELS_DIR, load_scorer
from moderation.classifier.artifacts import ARTIFACTS, ModelIntegrityError, load_artifact, read_card
from moderation.classifier.scorer import ModerationScorer, build_scorer
from moderation.classifier.training import spam_ru
from moderation.classifier.training.linear import linear_head
from moderation.domain.scores import CommentInput

# Written for this test: in neither the seed set nor the check (tests/unit/classifier_ru).
# A fourth, a giveaway with no price or contact ("Отдам котят в добрые руки, приучены к лотку,
# привиты. Забирать в Алмалинском районе."), scores 0.016 and passes: docs/russian.md, "Spam".
ADVERTS = [
    "Шью шторы на заказ, любые ткани, замер бесплатно, сроки от трёх дней.",
    "Курсы английского онлайн для школьников, первое занятие бесплатно, группы до 5 человек.",
    "Куплю старые монеты и значки СССР, дорого, выезд по городу.",
]
CIVIL = [
    "Цены на бензин опять выросли, а зарплаты стоят на месте. Как жить дальше?",
    "Мы с женой полгода продавали квартиру, покупателей почти нет, рынок встал.",
    "Английский детям нужен, но репетиторы берут по десять тысяч за урок, это дорого.",
    "Сын записался на курсы программирования при акимате, говорит, учат хорошо.",
]


def _point(scorer: ModerationScorer) -> dict[str, float]:
    return scorer.card["russian"]["operating_points"]["spam"]


def test_russian_comments_have_their_own_spam_head(scorer: ModerationScorer) -> None:
    russian, english = scorer.routes["ru"], scorer.routes["en"]
    assert russian.spam is not english.spam
    assert russian.spam.ngrams is russian.toxicity.ngrams  # featurised once for both


def test_adverts_without_links_are_held_and_civil_comments_are_not(
    scorer: ModerationScorer,
) -> None:
    approve_below = _point(scorer)["approve_below"]
    adverts = scorer.score([CommentInput(t) for t in ADVERTS])
    civil = scorer.score([CommentInput(t) for t in CIVIL])
    assert {r.language for r in adverts + civil} == {"ru"}
    assert all(r.spam is not None and r.spam >= approve_below for r in adverts), [
        r.spam for r in adverts
    ]
    assert all(r.spam is not None and r.spam < approve_below for r in civil), [
        r.spam for r in civil
    ]
    assert all(r.spans["spam"] for r in adverts)  # the words behind each


def test_served_head_equals_the_trained_head(scorer: ModerationScorer) -> None:
    card = read_card(DEFAULT_MODELS_DIR)
    head = load_artifact(DEFAULT_MODELS_DIR, "spam_ru", card)
    ngrams = scorer.routes["ru"].toxicity.ngrams
    texts = ADVERTS + CIVIL + ["Пишите в вотсап +7 700 000 12 34, скидки!!!"]
    expected = head.predict_proba(spam_ru.features(ngrams, texts))[:, 1]
    served = [r.spam for r in scorer.score([CommentInput(t) for t in texts])]
    np.testing.assert_allclose(served, expected, atol=1e-5)


def test_a_spam_head_that_does_not_fit_the_russian_ngrams_is_refused() -> None:
    card = read_card(DEFAULT_MODELS_DIR)
    artifacts = {name: load_artifact(DEFAULT_MODELS_DIR, name, card) for name in ARTIFACTS}
    good = artifacts["spam_ru"]
    artifacts["spam_ru"] = linear_head(good.coef_[0][:-1], float(good.intercept_[0]))
    with pytest.raises(ModelIntegrityError, match="spam_ru does not fit toxicity_ru"):
        build_scorer(artifacts, card)


def test_a_mixed_comment_takes_the_higher_of_both_spam_heads(scorer: ModerationScorer) -> None:
    """Routed Russian, a comment with English words is scored by both languages' models."""
    text = "Продаю iPhone 15 Pro Max, brand new, original box, звоните вечером."
    mixed = scorer.score([CommentInput(text)])[0]
    assert mixed.language == "ru"
    russian = scorer.routes["ru"].score_many([CommentInput(text)], "ru")[0]
    english = scorer.routes["en"].score_many([CommentInput(text)], "en")[0]
    assert mixed.spam == max(russian.spam or 0.0, english.spam or 0.0)


def test_a_model_set_trained_before_the_russian_head_still_loads(tmp_path: pathlib.Path) -> None:
    """A newsroom's own model set (``train --labels``) from an earlier version: Russian spam
    goes to the shared head, as it did then, instead of failing to load."""
    for path in DEFAULT_MODELS_DIR.iterdir():
        if path.name != "spam_ru.skops":
            shutil.copy(path, tmp_path / path.name)
    card = json.loads((tmp_path / "model_card.json").read_text())
    del card["artifacts"]["spam_ru"]
    (tmp_path / "model_card.json").write_text(json.dumps(card))
    older = load_scorer(tmp_path)
    assert isinstance(older, ModerationScorer)
    assert older.routes["ru"].spam is older.routes["en"].spam
    (scored,) = older.score([CommentInput("Заработок от 5000 руб в день, пишите в личку!")])
    assert scored.language == "ru" and scored.spam is not None and scored.spam > 0.5
