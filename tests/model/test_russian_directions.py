"""Hand-written Russian comments against the trained Russian model: scores move the right way.

Skips unless ``models/toxicity_ru.skops`` exists (or ``MODERATION_RU_MODEL`` names a file).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.pipeline import Pipeline

from moderation.classifier import DEFAULT_MODELS_DIR
from moderation.classifier.artifacts import TRUSTED_TYPES
from moderation.classifier.heads import ToxicityHead
from moderation.classifier.training.linear import linear_head

RU_TRUSTED = (
    *TRUSTED_TYPES,
    "moderation.classifier.lexicon_ru.RussianLexicon",
    "moderation.classifier.text_features_ru.RussianTextFeatures",
)
MODEL = Path(os.environ.get("MODERATION_RU_MODEL", DEFAULT_MODELS_DIR / "toxicity_ru.skops"))


@pytest.fixture(scope="module")
def model() -> Pipeline:
    if not MODEL.is_file():
        pytest.skip(f"no Russian model at {MODEL} (train it with train_russian)")
    untrusted = set(sio.get_untrusted_types(file=MODEL)) - set(RU_TRUSTED)
    assert not untrusted
    loaded = sio.load(MODEL, trusted=list(RU_TRUSTED))
    pipeline: Pipeline = loaded["model"]
    return pipeline


def _score(model: Pipeline, *texts: str) -> np.ndarray:
    return model.predict_proba(list(texts))[:, 1]


@pytest.mark.parametrize(
    ("toxic", "civil"),
    [
        ("Ты тупой дебил, заткнись уже.", "Спасибо за статью, всё по делу."),
        ("Автор статьи полный идиот и урод.", "Автор статьи хорошо разобрался в теме."),
        ("Да пошёл ты нахуй со своим мнением.", "Не согласен с вашим мнением, но уважаю его."),
        ("Какая же ты тварь, сдохни.", "Какая хорошая новость, спасибо."),
        ("Эти пидорасы из акимата опять всё украли.", "Сотрудники акимата опять всё сделали."),
    ],
)
def test_toxic_scores_higher_than_civil(model: Pipeline, toxic: str, civil: str) -> None:
    toxic_score, civil_score = _score(model, toxic, civil)
    assert toxic_score > civil_score + 0.3


@pytest.mark.parametrize(
    ("slur", "civil"),
    [
        ("Опять эти чучмеки понаехали.", "Опять эти туристы приехали."),
        ("Калбиты опять всё испортили.", "Соседи опять всё починили."),
        ("Нерусь одна кругом.", "Туристы одни кругом."),
        ("Кацапы опять лезут со своим мнением.", "Соседи опять пришли со своим мнением."),
        ("opyat chuchmeki ponaehali", "opyat turisty priehali"),  # in Latin letters
    ],
)
def test_slurs_the_forum_hardly_has_score_as_slurs(model: Pipeline, slur: str, civil: str) -> None:
    """Slurs for Central Asians and Russians that the training data has at most once
    (lexicon_ru.SLURS): held, and far above the same sentence without them."""
    slur_score, civil_score = _score(model, slur, civil)
    assert slur_score > 0.5
    assert slur_score > civil_score + 0.3


@pytest.mark.parametrize(
    ("clean", "obfuscated"),
    [
        ("ну ты и сука", "ну ты и cyкa"),  # Latin look-alikes
        ("ну ты и сука", "ну ты и с у к а"),  # spaced letters
        ("ну ты и сука", "ну ты и сууука"),  # repeated letters
        ("блять, опять дебил", "6лять, опять д3бил"),  # digits for letters
        ("ну ты и сука", "ну ты и suka"),  # Latin transliteration
        ("иди нахуй", "idi nahui"),  # a translit comment
        ("ну ты и сука", "ну ты и су\u200bка"),  # zero-width space
    ],
)
def test_obfuscation_does_not_hide_toxicity(model: Pipeline, clean: str, obfuscated: str) -> None:
    clean_score, obfuscated_score = _score(model, clean, obfuscated)
    assert obfuscated_score >= clean_score - 0.15
    assert obfuscated_score > 0.5


@pytest.mark.parametrize("identity", ["казах", "узбек", "кыргыз", "таджик", "русский", "еврей"])
def test_identity_words_alone_do_not_look_toxic(model: Pipeline, identity: str) -> None:
    with_identity, reference = _score(
        model, f"Мой сосед {identity}, хороший человек.", "Мой сосед врач, хороший человек."
    )
    assert with_identity < 0.5
    assert with_identity - reference < 0.15


def test_fast_head_matches_the_pipeline_and_explains_original_characters(model: Pipeline) -> None:
    # The Russian model has no sub-types; a zero sub-type head stands in until ToxicityHead
    # accepts an empty dict (see docs/russian.md, "Wiring").
    n = model.named_steps["classifier"].coef_.shape[1] - 3
    head = ToxicityHead(model, {"none": linear_head(np.zeros(n), 0.0)})
    for text in ["ну ты и хyй, конечно", "Спасибо за статью", "ты д е б и л"]:
        scored = head.score(head.ngrams.vectorise(text), text)
        assert scored.probability == pytest.approx(_score(model, text)[0], abs=1e-6)
        for span in scored.spans:
            assert text[span.start : span.end] == span.text
    text = "ну ты и хyй, конечно"
    top = head.score(head.ngrams.vectorise(text), text).spans[0]
    assert top.text == "хyй"
