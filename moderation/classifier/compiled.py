"""The compiled core of scoring (``_ngrams.c``): whether it is here, whether to use it, and
thin wrappers of its functions (the featuriser, sparse products, explanation word sums, the
off-topic head's article and background figures, and one-pass regex pre-checks).

``pip install`` builds it with the machine's C compiler. The build is optional: without a
compiler the install still succeeds and scoring runs the numpy path, which gives the
same results, only slower (the workers' heartbeats and ``/readyz`` say which one runs;
docs/models.md, "Speed"). ``MODERATION_COMPILED_CORE=0`` turns the core off, e.g. to compare
the two or to rule the core out while investigating a scoring problem.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

ENV = "MODERATION_COMPILED_CORE"


def _load() -> ModuleType | None:
    try:
        from moderation.classifier import _ngrams  # type: ignore[attr-defined]
    except ImportError:
        return None
    return _ngrams


_CORE = _load()


def available() -> bool:
    """The extension was built and imports."""
    return _CORE is not None


def configured() -> bool:
    """``MODERATION_COMPILED_CORE`` does not turn the core off (unset means on)."""
    return os.environ.get(ENV, "1").strip().lower() not in {"0", "false", "no", "off"}


# Read once, when the process starts: scoring asks many times per comment, and reading the
# environment costs half a microsecond each time. Tests and the benchmark switch it here.
USE = configured()


def enabled() -> bool:
    """Scoring uses the core: it is available and not turned off (:data:`USE`)."""
    return USE and _CORE is not None


def _core() -> ModuleType:
    if _CORE is None:
        raise RuntimeError("the compiled featuriser is not built (pip install rebuilds it)")
    return _CORE


def featurise(*args: Any) -> tuple[int, int]:
    """``_ngrams.featurise``; see ``_ngrams.c`` and :func:`batch.featurise`."""
    nnz, n_occurrences = _core().featurise(*args)
    return int(nnz), int(n_occurrences)


def lexicon_scan(*args: Any) -> None:
    """``_ngrams.lexicon_scan``; see ``_ngrams.c`` and :meth:`lexicon.ToxicLexicon.scan`."""
    _core().lexicon_scan(*args)


def find_words(*args: Any) -> int:
    """``_ngrams.find_words``; see ``_ngrams.c`` and :func:`batch.hash_batch`."""
    return int(_core().find_words(*args))


def tfidf(*args: Any) -> None:
    """``_ngrams.tfidf``; see ``_ngrams.c`` and :func:`text_features.tfidf_row`."""
    _core().tfidf(*args)


def csr_dot(*args: Any) -> None:
    """``_ngrams.csr_dot``; see ``_ngrams.c`` and :class:`batch.SparseRows`."""
    _core().csr_dot(*args)


def background_dot(*args: Any) -> None:
    """``_ngrams.background_dot``; see ``_ngrams.c`` and
    :meth:`off_topic_features.OffTopicFeatures.background_dot`."""
    _core().background_dot(*args)


def article_overlap(*args: Any) -> None:
    """``_ngrams.article_overlap``; see ``_ngrams.c`` and :func:`heads.score_off_topic_batch`."""
    _core().article_overlap(*args)


def background_scores(*args: Any) -> None:
    """``_ngrams.background_scores``; see ``_ngrams.c`` and
    :func:`off_topic_features.background_scores`."""
    _core().background_scores(*args)


def foreign_weights(*args: Any) -> None:
    """``_ngrams.foreign_weights``; see ``_ngrams.c`` and :func:`heads.foreign_weights`."""
    _core().foreign_weights(*args)


def text_flags(text: str, letters: int, wanted: int = 1023) -> int:
    """``_ngrams.text_flags``; see ``_ngrams.c`` and :func:`normalise.normalise`."""
    return int(_core().text_flags(text, letters, wanted))


def word_sums(*args: Any) -> None:
    """``_ngrams.word_sums``; see ``_ngrams.c`` and :func:`batch.word_sums`."""
    _core().word_sums(*args)


def spam_flags(text: str) -> int:
    """``_ngrams.spam_flags``; see ``_ngrams.c`` and :func:`spam_cues.cue_matches`."""
    return int(_core().spam_flags(text))


def distinct_words(text: str) -> tuple[int, int]:
    """``_ngrams.distinct_words``; see ``_ngrams.c`` and :func:`spam_cues.cue_values`."""
    words, distinct = _core().distinct_words(text)
    return int(words), int(distinct)


def chit_chat(text: str, russian: bool = False) -> int:
    """``_ngrams.chit_chat``; see ``_ngrams.c``, :func:`off_topic_features.chit_chat_count`
    and (``russian``) :meth:`off_topic_features_ru.RussianOffTopicFeatures.chit_chat`."""
    return int(_core().chit_chat(text, russian))


def dfa_counts(*args: Any) -> int:
    """``_ngrams.dfa_counts``; see ``_ngrams.c`` and :class:`language.LanguageDetector`."""
    return int(_core().dfa_counts(*args))


def letter_counts(text: str) -> tuple[int, int]:
    """``_ngrams.letter_counts``; see ``_ngrams.c`` and :meth:`language.LanguageDetector.detect`."""
    letters, ascii_letters = _core().letter_counts(text)
    return int(letters), int(ascii_letters)


def cyrillic_letters(text: str) -> int:
    """``_ngrams.cyrillic_letters``; see ``_ngrams.c`` and :func:`normalise_ru._transliterate`."""
    return int(_core().cyrillic_letters(text))
