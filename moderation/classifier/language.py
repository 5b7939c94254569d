"""Which language a comment is in, offline, with py3langid restricted to plausible languages.

Restricting the candidate set matters: unrestricted langid happily calls a three-word English
comment Luxembourgish. Very short texts carry too little signal, so we apply a documented rule
(see :func:`detect_language`) instead of trusting the classifier there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from py3langid import langid

# The audience writes mostly English and the languages of Central Asia and its neighbours.
CANDIDATES = (
    "en", "ru", "kk", "uz", "ky", "tg", "tk", "uk", "be", "az", "tr", "fa",
    "de", "fr", "es", "it", "pt", "nl", "pl", "zh", "ar",
)  # fmt: skip
SHORT_TEXT_LETTERS = 20  # below this many letters the classifier is unreliable
PREFIX_CHARS = 400  # langid's cost grows with length; 400 characters decide the language
_LETTER = re.compile(r"[^\W\d_]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_URL = re.compile(r"https?://\S+|www\.\S+")


@dataclass(frozen=True)
class Detected:
    language: str
    confidence: float


class LanguageDetector:
    """py3langid over :data:`CANDIDATES`, plus the short-text rule."""

    def __init__(self, candidates: tuple[str, ...] = CANDIDATES) -> None:
        self._identifier = langid.LanguageIdentifier.from_model_file(
            langid.MODEL_FILE, norm_probs=True
        )
        self._identifier.set_languages(list(candidates))

    def detect(self, text: str) -> Detected:
        """Detect the language of ``text``.

        Short-text rule: with fewer than 20 letters, a text whose letters are at least 80 %
        ASCII is English with confidence 0.5 (langid guesses wildly on "lol ok" or "Nice!");
        other short texts go to the classifier, which at least tells the script apart. URLs
        are ignored, and only the first 400 characters are looked at. A text with no letters at all (emoji, numbers) counts as English so the
        spam model still sees it.
        """
        text = _URL.sub(" ", text[:PREFIX_CHARS])
        letters = _LETTER.findall(text)
        if not letters:
            return Detected("en", 0.5)  # emoji, numbers, punctuation: nothing to route on
        if len(letters) < SHORT_TEXT_LETTERS:
            ascii_share = len(_ASCII_LETTER.findall(text)) / len(letters)
            if ascii_share >= 0.8:
                return Detected("en", 0.5)
        language, confidence = self._identifier.classify(text)
        return Detected(str(language), float(confidence))
