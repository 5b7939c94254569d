"""Short comments (under 20 letters) through the committed scorer: English ones are scored by
the English model; Uzbek and Kazakh ones in Latin letters are held as unsupported, not read by
the English model as harmless ("Sen ahmoqsan", "you are a fool", used to be approved)."""

from __future__ import annotations

import numpy as np
import pytest

from moderation.classifier.scorer import ModerationScorer
from moderation.domain.scores import CommentInput

UZBEK_AND_KAZAKH = [
    "Sen ahmoqsan", "Sen jinnisan", "Ozing ahmoq", "Ahmoq odam", "Jinni bu", "Qoyil",
    "Rahmat, zo'r maqola", "To'g'ri aytdingiz", "Yaxshi yozilgan", "Juda yaxshi", "Barakalla",
    "Aqymaq", "Sen aqymaqsyn", "Rahmet, keremet", "Durys aitasyz",
]  # fmt: skip
ENGLISH = [
    "You idiot", "Great article", "Nice!", "lol", "ok", "Thanks!", "Well said", "so true",
    "Agreed.", "Exactly right", "Nonsense.", "Quite right", "Spot on", "Hear, hear!",
]  # fmt: skip


@pytest.mark.parametrize("text", UZBEK_AND_KAZAKH)
def test_short_uzbek_and_kazakh_are_not_scored_as_english(
    scorer: ModerationScorer, text: str
) -> None:
    [scores] = scorer.score([CommentInput(text)])
    assert not scores.language_supported and scores.language not in {"en", "ru", "ru-Latn"}
    assert scores.toxicity is None


@pytest.mark.parametrize("text", ENGLISH)
def test_short_english_is_still_english(scorer: ModerationScorer, text: str) -> None:
    [scores] = scorer.score([CommentInput(text)])
    assert scores.language == "en" and scores.toxicity is not None


def test_short_insults_in_latin_russian_still_reach_the_russian_model(
    scorer: ModerationScorer,
) -> None:
    scored = scorer.score([CommentInput(t) for t in ("ty debil", "avtor mudak", "Suka")])
    assert [s.language for s in scored] == ["ru-Latn"] * 3
    assert all(s.toxicity is not None and s.toxicity > 0.8 for s in scored)


def test_english_word_count_agrees_with_both_vocabularies(scorer: ModerationScorer) -> None:
    """The detector's count of known words (a set of the vocabularies' word hashes) gives what
    asking each vocabulary's ``known_words`` gives, for words it has and words it lacks."""
    from moderation.classifier.scorer import _english_vocabulary

    models = scorer.routes["en"]
    count = _english_vocabulary(models)  # type: ignore[arg-type]
    vocabularies = [models.toxicity.ngrams, models.off_topic.features.ngrams_]  # type: ignore[union-attr]
    words = [w.lower() for text in UZBEK_AND_KAZAKH + ENGLISH for w in text.split()]
    words += ["idiot", "taxes", "parliament", "almaty", "zzqxw", "it's", "co-operation"]
    plain = [w for w in words if w.isalpha()]
    for chunk in (plain[:5], plain, words, ["it's", "idiot"], ["taxes"], []):
        known = [v.known_words(chunk) for v in vocabularies]
        assert count(chunk) == (int(np.logical_or.reduce(known).sum()) if chunk else 0)
    assert 0 < count(words) < len(words)
