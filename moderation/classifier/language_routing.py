"""Two routing rules for an English + Russian site, on top of the language detector.

* :func:`refine_language`: short Russian comments are sometimes detected as Ukrainian,
  Belarusian, Uzbek or Kyrgyz (0.7 % of held-out Russian forum comments, all with
  confidence <= 0.73), and mixed English + Russian ones as Tajik. Those languages' alphabets have letters Russian lacks (і, ї,
  є, ґ, ў, ә, ғ, қ, ң, ө, ұ, ү, һ, ӣ, ӯ, ҳ, ҷ); a Cyrillic text with none of them, detected
  with low confidence, is Russian. Kazakh, Kyrgyz, Tajik and Uzbek written with their own
  letters stay unsupported (detected with confidence >= 0.99 in our checks).
* Russian written in Latin letters ("ty voobshe chital statyu?") is detected as Polish, Uzbek,
  Turkish or English; :func:`refine_language` calls it ``ru-Latn`` when
  :func:`~moderation.classifier.normalise_ru.reads_as_translit` says so and the detector is
  not sure of a Turkic language. ``ru-Latn`` is scored by the Russian models (which
  transliterate it back), keeps its own code for the policy (its thresholds default to
  Russian's) and the moderators' language filter.
* :func:`is_mixed_en_ru`: a comment with real words in both scripts is scored by both
  models, and :func:`combine_mixed` keeps the higher toxicity and spam (docs/russian.md).
"""

from __future__ import annotations

import re
from dataclasses import replace

from moderation.classifier.language import NON_RUSSIAN_CYRILLIC, Detected, has_turkic_words
from moderation.classifier.normalise_ru import reads_as_translit
from moderation.domain.scores import CommentScores

RELABEL_BELOW = 0.9  # detector confidence under which a plain-Cyrillic text counts as Russian
CYRILLIC_NEIGHBOURS = frozenset({"uk", "be", "kk", "ky", "tg", "uz", "bg", "mk", "sr", "mn"})
TRANSLIT_RUSSIAN = "ru-Latn"  # BCP 47: Russian in Latin script
# Latin-script Turkic languages: when the detector is this sure of one, it is not translit.
# Not Uzbek: the detector is that sure of Uzbek for 2.3 % of the forum validation comments in
# Latin letters (Russian all), and Uzbek's own spellings (q, o', g') already keep real Uzbek
# out of reads_as_translit (docs/russian.md, "Language routing").
TURKIC_LATIN = frozenset({"tr", "tk", "az", "kk", "ky"})
TURKIC_SURE = 0.9
_CYRILLIC_LETTER = re.compile("[а-яА-ЯёЁ]")
_LATIN_LETTER = re.compile("[a-zA-Z]")
_LETTER = re.compile(r"[^\W\d_]")
_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")
# Words of 3+ letters of one script, not next to another letter: the definitions ...
LATIN_WORD = re.compile(r"(?<![^\W\d_])[a-zA-Z]{3,}(?![^\W\d_])")
CYRILLIC_WORD = re.compile(r"(?<![^\W\d_])[а-яА-ЯёЁ]{3,}(?![^\W\d_])")
# ... and how they are searched: from the first letter, looking behind it only there, so the
# engine skips to letters of the script at C speed (the definitions try every position).
# They match where the definitions do (tests compare them).
_LATIN_WORD = re.compile(r"[a-zA-Z](?<![^\W\d_].)[a-zA-Z]{2,}(?![^\W\d_])")
_CYRILLIC_WORD = re.compile(r"[а-яА-ЯёЁ](?<![^\W\d_].)[а-яА-ЯёЁ]{2,}(?![^\W\d_])")


def refine_language(text: str, detected: Detected) -> Detected:
    """``detected``, or Russian/English for a text in their letters the detector was unsure of,
    or :data:`TRANSLIT_RUSSIAN` for Russian in Latin letters.

    Mixed English + Russian comments are also detected as Tajik or Ukrainian now and then;
    they go to the language whose script has more letters.
    """
    if detected.language == "ru" or detected.plain:
        return detected
    if detected.language in CYRILLIC_NEIGHBOURS and detected.confidence < RELABEL_BELOW:
        relabelled = _russian_or_english_letters(text, detected.confidence)
        if relabelled is not None:
            return relabelled
    if detected.language in TURKIC_LATIN and detected.confidence >= TURKIC_SURE:
        return detected
    if reads_as_translit(text):
        return Detected(TRANSLIT_RUSSIAN, detected.confidence)
    return detected


def _russian_or_english_letters(text: str, confidence: float) -> Detected | None:
    """Russian (or English, if Latin letters dominate) for a text in Russian and Latin
    letters only, with Cyrillic among them; None for any other text."""
    letters = _LETTER.findall(text)
    cyrillic = len(_CYRILLIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    if not cyrillic or cyrillic + latin < 0.8 * len(letters) or NON_RUSSIAN_CYRILLIC.search(text):
        return None
    if has_turkic_words(text):  # Kazakh, Kyrgyz or Uzbek typed without their own letters
        return None
    return Detected("ru" if cyrillic >= latin else "en", confidence)


def route(language: str) -> str:
    """The models a language code is scored by: its primary subtag (``ru-Latn`` -> ``ru``)."""
    return language.split("-", 1)[0]


def is_mixed_en_ru(text: str) -> bool:
    """Whether ``text`` has whole words (3+ letters) in both Latin and Cyrillic script.

    Words that mix scripts inside ("cyкa") are obfuscation, not a second language; URLs and
    addresses are ignored.
    """
    if text.isascii() or not _LATIN_LETTER.search(text):  # no Cyrillic, or no Latin, at all
        return False
    # Every address _URL finds has "http", "www." or "@" in it.
    plain = _URL.sub(" ", text) if "@" in text or "http" in text or "www." in text else text
    return bool(_LATIN_WORD.search(plain)) and bool(_CYRILLIC_WORD.search(plain))


def combine_mixed(
    routed: CommentScores, other: CommentScores, *, other_counts: bool
) -> CommentScores:
    """Scores of a mixed comment: the routed model's, raised by the other model's when it counts.

    ``other_counts`` is True when the routed language is Russian (the English model reads the
    Russian part as noise below the Russian thresholds), and for English only when the Russian
    model is at or above its own ``reject_at_or_above``. Toxicity and spam take the maximum,
    spans of both models are kept once each (both point into the same original text; a shared
    spam head gives the same spans twice), off-topic and
    the language stay the routed model's, so per-language policy thresholds still apply.
    """
    if not other_counts:
        return routed
    spans = dict(routed.spans)
    for name in ("toxicity", "spam"):
        if other.spans.get(name):
            mine = routed.spans.get(name, ())
            merged = mine + tuple(s for s in other.spans[name] if s not in mine)
            spans[name] = tuple(sorted(merged, key=lambda s: -s.weight))
    return replace(
        routed,
        toxicity=_max(routed.toxicity, other.toxicity),
        spam=_max(routed.spam, other.spam),
        spans=spans,
        subscores={**other.subscores, **routed.subscores},
    )


def _max(a: float | None, b: float | None) -> float | None:
    values = [v for v in (a, b) if v is not None]
    return max(values) if values else None
