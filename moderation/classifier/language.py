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
_ASCII_LETTER_BYTES = bytes(range(ord("A"), ord("Z") + 1)) + bytes(range(ord("a"), ord("z") + 1))
_URL = re.compile(r"https?://\S+|www\.\S+")
_ASCII_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_FUNCTION_WORDS = frozenset({
    "the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "from",
    "by", "about", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this",
    "that", "these", "those", "i", "you", "he", "she", "we", "they", "me", "him", "her", "us",
    "them", "my", "your", "his", "our", "their", "not", "no", "do", "does", "did", "have", "has",
    "had", "will", "would", "can", "could", "should", "what", "which", "who", "as", "if", "so",
    "than", "then", "there", "here", "just", "all", "any", "more", "very", "too", "also", "only",
    "i'm", "it's", "don't",
})  # fmt: skip


@dataclass(frozen=True)
class Detected:
    language: str
    confidence: float


class LanguageDetector:
    """py3langid over :data:`CANDIDATES`, plus the short-text rule."""

    def __init__(self, candidates: tuple[str, ...] = CANDIDATES) -> None:
        full = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
        full.set_languages(list(candidates))
        # A fresh identifier over the candidates' columns only: the full model (about 28 MB
        # of probabilities for 97 languages) would otherwise stay in every worker's memory.
        self._identifier = langid.LanguageIdentifier(
            full.nb_ptc.copy(),
            full.nb_pc.copy(),
            full.nb_classes,
            full.tk_nextmove,
            full.tk_output,
            norm_probs=True,
            tk_row=full.tk_row,
        )

    def detect(self, text: str) -> Detected:
        """Detect the language of ``text``.

        URLs are ignored and only the first 400 characters are looked at. Rules before the
        classifier:

        * no letters at all (emoji, numbers): English, so the spam model still sees it;
        * short (fewer than 20 letters) and at least 80 % ASCII letters: English with
          confidence 0.5 (langid guesses wildly on "lol ok" or "Nice!");
        * plainly English (see :func:`plainly_english`): English, without running langid,
          which is the slowest step of scoring a comment.

        Everything else goes to py3langid restricted to :data:`CANDIDATES`.
        """
        text = _URL.sub(" ", text[:PREFIX_CHARS])
        if text.isascii():  # letters are exactly A-Z, a-z: count them at C speed
            raw = text.encode("ascii")
            n_letters = len(raw) - len(raw.translate(None, _ASCII_LETTER_BYTES))
            ascii_share = 1.0
        else:
            n_letters = len(_LETTER.findall(text))
            ascii_share = len(_ASCII_LETTER.findall(text)) / n_letters if n_letters else 0.0
        if not n_letters:
            return Detected("en", 0.5)
        if n_letters < SHORT_TEXT_LETTERS and ascii_share >= 0.8:
            return Detected("en", 0.5)
        if ascii_share >= 0.98 and plainly_english(text):
            return Detected("en", 0.9)
        language, confidence = self._identifier.classify(text)
        return Detected(str(language), float(confidence))


def plainly_english(text: str) -> bool:
    """At least 6 words, a quarter of them English function words ("the", "is", "you"...).

    Latin-script Uzbek, Turkish or Azerbaijani share almost none of these words, so they still
    go to the classifier.
    """
    words = _ASCII_WORD.findall(text.lower())
    if len(words) < 6:
        return False
    return sum(w in _FUNCTION_WORDS for w in words) >= 0.25 * len(words)
