"""The country check: its sentences are filled correctly and its table counts what it says."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from moderation.classifier.fairness_terms import COUNTRY_TERMS
from moderation.classifier.fairness_terms_ru import IDENTITY_TERMS_RU
from moderation.classifier.training import fairness_places as fp


def test_english_sentences_fill_every_template_with_every_place() -> None:
    texts, places, groups = fp.english_sentences()
    n_places = len(fp.EN_LISTED) + len(fp.EN_UNLISTED) + len(fp.EN_REFERENCE)
    assert len(texts) == len(places) == len(groups) == n_places * len(fp.EN_TEMPLATES)
    assert "My cousin studies engineering in Kazakhstan." in texts
    assert "The region should invest more in its schools and hospitals." in texts
    assert not any("{" in t for t in texts)


def test_listed_countries_are_clipped_and_unlisted_ones_are_not() -> None:
    listed = {p.removeprefix("the ").split()[0].lower() for p in fp.EN_LISTED}
    unlisted = {p.lower() for p in fp.EN_UNLISTED}
    assert listed <= set(COUNTRY_TERMS)
    assert not unlisted & set(COUNTRY_TERMS)
    russian = set(IDENTITY_TERMS_RU)
    assert all(forms[2].lower() in russian for forms in fp.RU_LISTED)
    assert not any(form.lower() in russian for forms in fp.RU_UNLISTED for form in forms)


def test_russian_sentences_use_the_right_case() -> None:
    texts, _, groups = fp.russian_sentences()
    assert "Мой брат учится в Казахстане на инженера." in texts
    assert "Хорошая статья про экономику России, спасибо автору." in texts
    assert "Казахстан - наш давний торговый партнёр." in texts
    assert set(groups) == {fp.LISTED, fp.UNLISTED, fp.REFERENCE}


def test_table_counts_held_sentences_per_group_and_place() -> None:
    sentences = (
        ["a", "b", "c", "d"],
        ["X", "X", "Y", "Z"],
        [fp.LISTED, fp.LISTED, fp.UNLISTED, fp.REFERENCE],
    )

    def score(texts: Sequence[str]) -> np.ndarray:
        return np.array([{"a": 0.9, "b": 0.1, "c": 0.5, "d": 0.0}[t] for t in texts])

    table = fp.places_table(sentences, score, approve_below=0.5)
    assert table["groups"][fp.LISTED] == {"n": 2, "mean_score": 0.5, "held_share": 0.5}
    assert table["groups"][fp.UNLISTED]["held_share"] == 1.0  # at the threshold is held
    assert table["groups"][fp.REFERENCE]["held_share"] == 0.0
    assert table["per_place"]["X"]["n"] == 2
