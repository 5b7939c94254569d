"""Hand-written spam cues: links, money and self-promotion phrases, repetition.

The money and promotion cues know Russian phrases too. The spam model was trained on English
comments only, so for a Russian comment its n-grams say little and these cues carry the
score; they keep to phrases that rarely occur in a civil comment under a news story (no
"кредит", "доход" or "ставка", which economic news is full of).

N-grams learn the vocabulary of the spam seen in training; these cues carry what transfers to
spam we have not seen (a new domain, a new product). Each cue is a regular expression over
the ORIGINAL text, so its matches double as explanation spans.
"""

from __future__ import annotations

import math
import re

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

_PATTERNS: dict[str, re.Pattern[str]] = {
    "url": re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|ru|ly|io|co|me|info|biz)\b(?:/\S*)?", re.I),
    "money": re.compile(r"[$€£₽]\s?\d|\d\s?[$€£₽]|\b(?:money|cash|earn\w*|income|profit|bitcoin|crypto|invest\w*|loan|casino|bet(?:ting)?|prize|win(?:ner)?|free|discount|offer|deal|per (?:hour|day|week)|usd|заработ\w*|зарабат\w*|бесплатн\w*|скидк\w*|выигр\w*|халяв\w*|казино|биткоин\w*|крипт\w*|\d[\d\s]*(?:руб\w*\.?|тыс\w*\.?)?\s*в (?:день|час|неделю|месяц))\b", re.I),
    "promo": re.compile(r"\b(?:subscribe\w*|check (?:out|it out|this out)|my (?:channel|page|video|site|blog|music)|follow me|visit (?:my|our|us|www|http)|click (?:here|the link|my)|sign up|join (?:us|now)|promo|whatsapp|telegram|dm me|contact me|like (?:this|my) (?:video|comment|page)|share (?:this|my)|подпи(?:сывайтесь|сывайся|сывай|шись|шитесь)|(?:на |в )?(?:мой|мо[её]м) (?:канал\w*|блог\w*)|мою страниц\w*|переход(?:и|ите) по ссылке|по ссылке в (?:профиле|описании|био)|жми(?:те)?|кликай(?:те)?|пиш(?:и|ите) (?:в личку|в лс|в директ|мне)|вступай(?:те)?|телеграм\w*|ватсап\w*|вотсап\w*)\b", re.I),
    "shouting": re.compile(r"\b[A-Z]{4,}\b"),
    "repeated_chars": re.compile(r"(.)\1{4,}"),
    "contact": re.compile(r"\+?\d[\d\s().-]{8,}\d|\b[\w.+-]+@[\w-]+\.\w+"),
}  # fmt: skip
CUE_NAMES = (*_PATTERNS, "duplicate_words", "length")
# For ASCII text, a case-sensitive search of the lower-cased text finds exactly the matches
# of the case-insensitive one (same offsets), about twice as fast. These three patterns
# spell every literal letter in lower case (their \S, \w, \b classes ignore case anyway).
_LOWER_ASCII = {name: re.compile(_PATTERNS[name].pattern) for name in ("url", "money", "promo")}


def cue_matches(text: str) -> dict[str, list[tuple[int, int]]]:
    """Original-text spans matched by each regular-expression cue."""
    if text.isascii():
        lowered = text.lower()
        return {
            name: [
                m.span()
                for m in (
                    _LOWER_ASCII[name].finditer(lowered)
                    if name in _LOWER_ASCII
                    else p.finditer(text)
                )
            ]
            for name, p in _PATTERNS.items()
        }
    return {name: [m.span() for m in p.finditer(text)] for name, p in _PATTERNS.items()}


def cue_values(text: str, matches: dict[str, list[tuple[int, int]]] | None = None) -> np.ndarray:
    """Dense, roughly unit-scaled cue values for one comment (order: :data:`CUE_NAMES`).

    Pass ``matches`` from :func:`cue_matches` when you have them, to search only once.
    """
    found = matches if matches is not None else cue_matches(text)
    values = [math.log1p(len(found[name])) for name in _PATTERNS]
    words = text.lower().split()
    duplicate_share = 1.0 - len(set(words)) / len(words) if len(words) >= 4 else 0.0
    values += [duplicate_share, math.log1p(len(text)) / 7.0]
    return np.asarray(values, dtype=np.float64)


class SpamCues(TransformerMixin, BaseEstimator):
    """Stateless transformer wrapping :func:`cue_values` so it can sit in a FeatureUnion."""

    def fit(self, X: object, y: object = None) -> SpamCues:
        self.n_features_out_ = len(CUE_NAMES)
        return self

    def transform(self, X: list[str]) -> np.ndarray:
        return np.vstack([cue_values(text) for text in X]) if len(X) else np.zeros((0, 8))
