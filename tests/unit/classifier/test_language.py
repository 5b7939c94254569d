"""Language detection and routing: only English is scored; short texts follow the rule."""

from __future__ import annotations

from typing import Any

import pytest

from moderation.classifier.language import LanguageDetector, plainly_english
from moderation.classifier.scorer import ModerationScorer
from moderation.domain.scores import CommentInput, CommentScores


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Blinken paid a very timely visit to Central Asia this week.", "en"),
        ("Это очень хорошая статья, спасибо автору за работу", "ru"),
        ("Бұл мақала өте жақсы, рахмет сізге", "kk"),
        ("Men bu maqolani juda yaxshi deb o'ylayman, rahmat", "uz"),
    ],
)
def test_detects_languages(detector: LanguageDetector, text: str, language: str) -> None:
    assert detector.detect(text).language == language


@pytest.mark.parametrize("text", ["ok", "lol you idiot", "Nice!", "👍👍", "1234"])
def test_short_ascii_text_is_english(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text).language == "en"


class _English:
    """Stands in for the English models so routing can be tested without artifacts."""

    def score(self, comment: CommentInput, language: str) -> CommentScores:
        return CommentScores(0.1, None, 0.1, language, True)


def _scorer() -> ModerationScorer:
    routes: dict[str, Any] = {"en": _English()}
    return ModerationScorer(model_version="t", routes=routes, detector=LanguageDetector(), card={})


def test_other_languages_are_not_scored_as_english() -> None:
    [result] = _scorer().score([CommentInput("Путин опять всех обманул, это позор для страны")])
    assert result.language == "ru"
    assert result.language_supported is False
    assert (result.toxicity, result.off_topic, result.spam) == (None, None, None)


def test_english_goes_to_the_english_models() -> None:
    [result] = _scorer().score([CommentInput("The USA is better than Russia.")])
    assert result.language == "en" and result.language_supported


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Bu makale çok iyi, yazara teşekkürler ve selamlar", "tr"),
        ("Het is een goed artikel en ik ben het eens met de schrijver", "nl"),
        ("Men bu maqolani juda yaxshi deb o'ylayman, rahmat sizga", "uz"),
    ],
)
def test_latin_script_languages_are_not_taken_for_english(
    detector: LanguageDetector, text: str, language: str
) -> None:
    assert not plainly_english(text)
    assert detector.detect(text).language == language


def test_plainly_english_skips_the_classifier() -> None:
    assert plainly_english("I think that the minister is wrong about the tax and you know it")
    assert not plainly_english("Carbon tax rebates")


SAMPLES = (
    "Blinken paid a very timely visit to Central Asia this week.",
    "Это очень хорошая статья, спасибо автору за работу",
    "Бұл мақала өте жақсы, рахмет сізге",
    "Men bu maqolani juda yaxshi deb o'ylayman, rahmat",
    "Ce gouvernement ne comprend rien à la vie des familles rurales.",
)


def _same_identifier(a: LanguageDetector, b: LanguageDetector) -> None:
    import numpy as np

    x, y = a._identifier, b._identifier
    assert np.array_equal(x.nb_ptc, y.nb_ptc) and x.nb_ptc.dtype == y.nb_ptc.dtype
    assert np.array_equal(x.nb_pc, y.nb_pc) and x.nb_classes == y.nb_classes
    assert x.tk_nextmove == y.tk_nextmove and x.tk_row == y.tk_row
    assert x.tk_output == y.tk_output
    assert [a.detect(t) for t in SAMPLES] == [b.detect(t) for t in SAMPLES]


def test_the_candidates_model_is_cached_and_read_back(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, detector: LanguageDetector
) -> None:
    from py3langid import langid

    from moderation.classifier import language

    monkeypatch.setenv(language.CACHE_ENV, str(tmp_path))
    built = LanguageDetector()
    [cached] = tmp_path.glob("langid-*.npz")

    def no_model_file(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the cache should have been read")

    monkeypatch.setattr(langid.LanguageIdentifier, "from_model_file", no_model_file)
    from_cache = LanguageDetector()
    _same_identifier(built, from_cache)
    _same_identifier(detector, from_cache)
    assert cached.stat().st_size > 10_000_000


def test_a_damaged_or_unwritable_cache_only_costs_the_rebuild(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, detector: LanguageDetector
) -> None:
    from moderation.classifier import language

    monkeypatch.setenv(language.CACHE_ENV, str(tmp_path))
    LanguageDetector()
    [cached] = tmp_path.glob("langid-*.npz")
    cached.write_bytes(b"not a zip file")
    _same_identifier(detector, LanguageDetector())  # rebuilt from py3langid's model ...
    assert cached.stat().st_size > 10_000_000  # ... and the cache written again
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(language.CACHE_ENV, str(blocker / "below-a-file"))
    _same_identifier(detector, LanguageDetector())
    assert list(tmp_path.glob("**/*.tmp")) == []
