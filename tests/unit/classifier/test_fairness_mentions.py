"""The mention checks: their sentences are filled correctly and their table counts what it says."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from moderation.classifier.fairness_terms import CITY_TERMS, COUNTRY_TERMS, PUBLIC_FIGURES
from moderation.classifier.fairness_terms_ru import IDENTITY_TERMS_RU
from moderation.classifier.training import fairness_mentions as fm


def test_english_sentences_fill_every_template_with_every_name() -> None:
    check = fm.EN_COUNTRIES
    texts, names, groups = check.sentences()
    n_names = len(check.listed) + len(check.unlisted) + len(check.reference)
    assert len(texts) == len(names) == len(groups) == n_names * len(check.templates)
    assert "My cousin studies engineering in Kazakhstan." in texts
    assert "The region should invest more in its schools and hospitals." in texts
    assert "Trump met the delegation in Astana on Tuesday." in fm.EN_FIGURES.sentences()[0]
    assert not any("{" in t for c in fm.CHECKS["en"] for t in c.sentences()[0])


def test_listed_names_are_clipped_and_unlisted_ones_are_not() -> None:
    english = (
        (fm.EN_COUNTRIES, COUNTRY_TERMS),
        (fm.EN_CITIES, CITY_TERMS),
        (fm.EN_FIGURES, PUBLIC_FIGURES),
    )
    for check, terms in english:
        listed = {f[0].removeprefix("the ").split()[0].lower() for f in check.listed}
        unlisted = {f[0].lower() for f in check.unlisted}
        assert listed <= set(terms)
        assert not unlisted & set(terms)
    russian = set(IDENTITY_TERMS_RU)
    for check in fm.CHECKS["ru"]:
        assert all(forms[-1].lower() in russian for forms in check.listed)
        assert not any(form.lower() in russian for forms in check.unlisted for form in forms)


def test_russian_sentences_use_the_right_case() -> None:
    texts, _, groups = fm.RU_COUNTRIES.sentences()
    assert "Мой брат учится в Казахстане на инженера." in texts
    assert "Хорошая статья про экономику России, спасибо автору." in texts
    assert "Казахстан - наш давний торговый партнёр." in texts
    assert set(groups) == set(fm.GROUPS)
    assert "Интервью с Токаевым было интересным." in fm.RU_FIGURES.sentences()[0]


def test_table_counts_held_sentences_per_group_and_name() -> None:
    check = fm.Check("test", "en", ("{0}",), (("a",), ("b",)), (("c",),), (("d",),))

    def score(texts: Sequence[str]) -> np.ndarray:
        return np.array([{"A": 0.9, "B": 0.1, "C": 0.5, "D": 0.0}[t] for t in texts])

    table = fm.mentions_table(check, score, approve_below=0.5)
    assert table["groups"][fm.LISTED] == {"n": 2, "mean_score": 0.5, "held_share": 0.5}
    assert table["groups"][fm.UNLISTED]["held_share"] == 1.0  # at the threshold is held
    assert table["groups"][fm.REFERENCE]["held_share"] == 0.0
    assert table["per_name"]["a"]["n"] == 1
