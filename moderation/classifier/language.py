"""Which language a comment is in, offline, with py3langid restricted to plausible languages.

Restricting the candidate set matters: unrestricted langid happily calls a three-word English
comment Luxembourgish. Very short texts carry too little signal, so we apply a documented rule
(see :func:`detect_language`) instead of trusting the classifier there.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from py3langid import langid

from moderation.classifier import compiled as compiled_core
from moderation.classifier.normalise_ru import UNAMBIGUOUS_TRANSLIT, UZBEK_APOSTROPHE_SPELLING

log = logging.getLogger(__name__)
CACHE_ENV = "MODERATION_CACHE_DIR"

# The audience writes mostly English and the languages of Central Asia and its neighbours.
CANDIDATES = (
    "en", "ru", "kk", "uz", "ky", "tg", "tk", "uk", "be", "az", "tr", "fa",
    "de", "fr", "es", "it", "pt", "nl", "pl", "zh", "ar",
)  # fmt: skip
# langid's "ru" below this confidence, for a text with TURKIC_WORDS, is not trusted
TURKIC_RUSSIAN_BELOW = 0.9
_TURKIC_CYRILLIC = frozenset({"kk", "ky", "uz"})
SHORT_TEXT_LETTERS = 20  # below this many letters the classifier is unreliable
PREFIX_CHARS = 400  # langid's cost grows with length; 400 characters decide the language
_LETTER = re.compile(r"[^\W\d_]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_ASCII_LETTER_BYTES = bytes(range(ord("A"), ord("Z") + 1)) + bytes(range(ord("a"), ord("z") + 1))
_URL = re.compile(r"https?://\S+|www\.\S+")
# A short text's words, for the English-vocabulary check: letters only, mentions, hashtags and
# bare domains left out (they are in no vocabulary and say nothing of the language).
_HANDLE_OR_DOMAIN = re.compile(r"[@#]\w+|\S+\.(?:com|net|org|ru|kz|uz|io|ly|me)\S*")
_ALPHA_WORD = re.compile(r"[^\W\d_]{2,}")
# Latin spellings of Uzbek and Kazakh that English lacks: q without u ("ahmoq", "aqymaq"), and
# o or g with an apostrophe ("zo'r", "to'g'ri"; typed as ', `, ʻ, ‘ or ’).
_TURKIC_LATIN_SPELLING = re.compile(f"q(?!u)|{UZBEK_APOSTROPHE_SPELLING}", re.IGNORECASE)
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
# Letters of the region's Cyrillic alphabets that Russian lacks (language_routing uses them too).
NON_RUSSIAN_CYRILLIC = re.compile("[іїєґўәғқңөұүһӣӯҳҷІЇЄҐЎӘҒҚҢӨҰҮҺӢӮҲҶ]")
# Kazakh, Kyrgyz and Uzbek words as they are typed without their own letters (бұл -> бул,
# жоқ -> жок, үшін -> ушин, ҳозир -> хозир) that are not Russian words. On a phone keyboard
# without those letters such a text has nothing Russian lacks, and would pass for Russian;
# none of these words is in the 23,035 forum and ParaDetox texts more than six times.
TURKIC_WORDS = frozenset(
    re.findall(
        r"\S+",
        "бул мен сен биз сиз олар мына жане бирак емес жок деп ушин туралы болды болады казир "
        "оте керек екен гой гана калай кандай ешким барлык жаксы жаман сизге маган сага менин "
        "сенин бизде сонда кайда силер алар жана бирок эмес учун жонундо болду болот азыр "
        "абдан экен кантип эмне баары жакшы ооба улар лекин эмас йук деб хакида булди хозир "
        "жуда керак экан факат нима хамма яхши ассалому рахмат рахмет",
    )
)
# Russian words, on lower-cased text, and Russian function words that Ukrainian and
# Belarusian do not share ("в", "не", "на", "так", "я" are left out: they do).
_RUSSIAN_WORD = re.compile("[а-яё]+")
_RUSSIAN_FUNCTION_WORDS = frozenset({
    "и", "что", "это", "как", "он", "она", "оно", "они", "мы", "вы", "ты", "его", "ее", "её",
    "их", "но", "бы", "если", "уже", "только", "еще", "ещё", "когда", "был", "была", "было",
    "были", "меня", "тебя", "себя", "нет", "да", "с", "к", "от", "из", "чем", "где", "кто",
    "этот", "эта", "эти", "этого", "этом", "который", "которые", "надо", "нужно", "можно",
    "очень", "вот", "или", "даже", "потому", "быть", "есть", "будет", "мне", "сейчас", "какой",
    "такой", "всё", "тоже", "лучше", "больше", "всех",
})  # fmt: skip
# Words never shown as what drove toxicity, per language (explain.TOXICITY_RELATIVE_WEIGHT's
# note). A Russian comment may hold English words too.
PLAIN_WORDS = {"en": _FUNCTION_WORDS, "ru": _RUSSIAN_FUNCTION_WORDS | _FUNCTION_WORDS}


@dataclass(frozen=True)
class Detected:
    language: str
    confidence: float
    # Decided by a plain-language rule (plainly_english / plainly_russian), not by langid:
    # routing takes such a detection as it is.
    plain: bool = False


class LanguageDetector:
    """py3langid over :data:`CANDIDATES`, plus the short-text rule.

    ``english_words``: how many of a list of lower-case words the English model knows (its
    word vocabulary). With it, a short text is English only when it looks English (see
    :meth:`detect`); without it (a detector on its own), every short Latin text is English.
    """

    def __init__(
        self,
        candidates: tuple[str, ...] = CANDIDATES,
        *,
        english_words: Callable[[list[str]], int] | None = None,
    ) -> None:
        ptc, pc, classes, nextmove, output, row = _candidates_model(candidates)
        self._identifier = _Identifier(
            ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row
        )
        self._english_words = english_words

    def detect(self, text: str) -> Detected:
        """Detect the language of ``text``.

        URLs are ignored and only the first 400 characters are looked at. Rules before the
        classifier:

        * no letters at all (emoji, numbers): English, so the spam model still sees it;
        * short (fewer than 20 letters) and at least 80 % ASCII letters: English with
          confidence 0.5 (langid guesses wildly on "lol ok" or "Nice!"), unless it does not
          look English (:meth:`_looks_foreign`: "Sen ahmoqsan" is Uzbek, and the English
          model would read it as harmless): then langid decides;
        * plainly English (see :func:`plainly_english`): English, without running langid,
          which is the slowest step of scoring a comment;
        * plainly Russian (see :func:`plainly_russian`): Russian, likewise.

        Everything else goes to py3langid restricted to :data:`CANDIDATES`.
        """
        text = text[:PREFIX_CHARS]
        if "://" in text or "www." in text:  # else _URL cannot match: skip the regex pass
            text = _URL.sub(" ", text)
        if text.isascii():  # letters are exactly A-Z, a-z: count them at C speed
            raw = text.encode("ascii")
            n_letters = len(raw) - len(raw.translate(None, _ASCII_LETTER_BYTES))
            ascii_share = 1.0
        else:
            if compiled_core.enabled():  # the same counts in one compiled pass
                n_letters, n_ascii = compiled_core.letter_counts(text)
            else:
                n_letters, n_ascii = len(_LETTER.findall(text)), len(_ASCII_LETTER.findall(text))
            ascii_share = n_ascii / n_letters if n_letters else 0.0
        if not n_letters:
            return Detected("en", 0.5)
        if n_letters < SHORT_TEXT_LETTERS and ascii_share >= 0.8 and not self._looks_foreign(text):
            return Detected("en", 0.5)
        if ascii_share >= 0.98 and plainly_english(text):
            return Detected("en", 0.9, plain=True)
        if ascii_share <= 0.1 and plainly_russian(text, n_letters):
            return Detected("ru", 0.9, plain=True)
        language, confidence = self._identifier.classify(text)
        if language == "ru" and confidence < TURKIC_RUSSIAN_BELOW and has_turkic_words(text):
            # Kazakh, Kyrgyz or Uzbek typed without their own letters: the likeliest of them
            language, confidence = next(
                ((lang, p) for lang, p in self._identifier.rank(text) if lang in _TURKIC_CYRILLIC),
                (language, confidence),  # a detector without them among its candidates
            )
        return Detected(str(language), float(confidence))

    def _looks_foreign(self, text: str) -> bool:
        """Whether a short Latin text is unlikely to be English: it has an Uzbek or Kazakh
        spelling (q without u, o' or g'), or at most half of its words are in the English
        model's vocabulary ("Sen jinnisan", "Muchas gracias"; not "lol ok", "Nice!", "You
        idiot"). False without a vocabulary to ask, or without words."""
        if self._english_words is None:
            return False
        plain = _HANDLE_OR_DOMAIN.sub(" ", text)
        if _TURKIC_LATIN_SPELLING.search(plain):
            return True
        words = _ALPHA_WORD.findall(plain.lower())
        return bool(words) and 2 * self._english_words(words) <= len(words)


def has_turkic_words(text: str) -> bool:
    """Whether ``text`` has one of :data:`TURKIC_WORDS` (Kazakh, Kyrgyz, Uzbek)."""
    return not TURKIC_WORDS.isdisjoint(_RUSSIAN_WORD.findall(text.lower().replace("ё", "е")))


def plainly_russian(text: str, n_letters: int) -> bool:
    """At least 90 % of the ``n_letters`` letters Russian ([а-яё]), none of the letters of
    Ukrainian, Belarusian, Kazakh, Kyrgyz, Tajik or Uzbek, at least 6 words, and at least 15 %
    of them Russian function words those languages do not share ("что", "это", "и", …).

    On the 19,898 forum and ParaDetox texts it fires on, langid (with :func:`refine_language
    <moderation.classifier.language_routing.refine_language>`) said Russian every time.
    """
    words = _RUSSIAN_WORD.findall(text.lower())
    if len(words) < 6 or sum(map(len, words)) < 0.9 * n_letters:
        return False
    if NON_RUSSIAN_CYRILLIC.search(text) or not TURKIC_WORDS.isdisjoint(words):
        return False
    return sum(map(_RUSSIAN_FUNCTION_WORDS.__contains__, words)) >= 0.15 * len(words)


class _Identifier(langid.LanguageIdentifier):
    """py3langid's identifier, with its byte-by-byte DFA walk (``langid.visit_counts``, a
    Python loop and the slowest part of classifying) in the compiled core when it is on. The
    counts come back in the same first-seen order, so the scores are the same bits (tests
    compare detections with the core on and off)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._walk: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        if self.tk_nextmove.itemsize == 4:
            self._walk = (
                np.frombuffer(self.tk_nextmove, dtype=np.uint32),
                np.asarray(self._rowbase, dtype=np.int64),
                np.asarray(self.tk_output, dtype=np.int64),
            )

    def _raw_score(self, text: bytes) -> np.ndarray:
        if self._walk is None or not compiled_core.enabled():
            return super()._raw_score(text)
        ids, counts = np.empty(len(text), dtype=np.intp), np.empty(len(text), dtype=np.float32)
        seen = compiled_core.dfa_counts(*self._walk, len(self.nb_ptc), text, ids, counts)
        if not seen:
            return super()._raw_score(text)  # no features: py3langid's own fill
        # py3langid's _sparse_score, on the arrays it would build from its Counter.
        scores: np.ndarray = np.log1p(counts[:seen]) @ self.nb_ptc[ids[:seen]] + self.nb_pc
        return scores


def plainly_english(text: str) -> bool:
    """At least 6 words, a quarter of them English function words ("the", "is", "you"...),
    and none a function word of Russian in Latin letters ("eto", "chto", "ty").

    Latin-script Uzbek, Turkish or Azerbaijani share almost none of these words, so they still
    go to the classifier. Russian in Latin letters shares "a", "i", "no", "on", "to" and "by"
    with English ("nu tak a pochemu on eto sdelal?" has a quarter of them): a translit
    function word sends it to the classifier and then to :func:`language_routing.refine_language`.
    """
    words = _ASCII_WORD.findall(text.lower())
    if len(words) < 6 or not UNAMBIGUOUS_TRANSLIT.isdisjoint(words):
        return False
    return sum(map(_FUNCTION_WORDS.__contains__, words)) >= 0.25 * len(words)


# -- The candidates' model, cached --------------------------------------------------------------
# py3langid ships its model LZMA-compressed: decompressing it is about a quarter of loading the
# scorer. The identifier needs only the candidates' columns (the full model's 28 MB of
# probabilities for 97 languages would otherwise stay in every worker's memory), so that
# narrowed model is built once per machine and kept, uncompressed (about 45 MB), in
# ``MODERATION_CACHE_DIR`` (default ``~/.cache/moderation``), named by the py3langid model's
# checksum and the candidates. Any problem with the cache (no such directory, not writable, a
# damaged file) only means the model is built from py3langid's file, as without a cache.

Model = tuple[np.ndarray, np.ndarray, list[str], array, list[int], array]


def _candidates_model(candidates: tuple[str, ...]) -> Model:
    path = _cache_path(candidates)
    if path is not None and path.is_file():
        try:
            return _read(path)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("language model cache unreadable, rebuilding", extra={"error": str(exc)})
    full = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    full.set_languages(list(candidates))
    model: Model = (
        full.nb_ptc.copy(), full.nb_pc.copy(), list(full.nb_classes), full.tk_nextmove,
        list(full.tk_output), full.tk_row,
    )  # fmt: skip
    if path is not None:
        _write(path, model)
    return model


def _cache_path(candidates: tuple[str, ...]) -> Path | None:
    configured = os.environ.get(CACHE_ENV, "").strip()
    home = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    directory = Path(configured) if configured else Path(home) / "moderation"
    try:
        digest = hashlib.sha256((langid.MODEL_DIR / langid.MODEL_FILE).read_bytes())
    except OSError:
        return None
    digest.update("|".join(candidates).encode())
    return directory / f"langid-{digest.hexdigest()[:20]}.npz"


def _read(path: Path) -> Model:
    with np.load(path, allow_pickle=False) as data:
        return (
            data["ptc"], data["pc"], [str(c) for c in data["classes"]],
            _as_array(data["nextmove"]), data["output"].tolist(), _as_array(data["row"]),
        )  # fmt: skip


def _as_array(values: np.ndarray) -> array:
    typecode = {2: "H", 4: "I", 8: "L"}[values.dtype.itemsize]
    out = array(typecode)
    out.frombytes(np.ascontiguousarray(values).tobytes())
    return out


def _write(path: Path, model: Model) -> None:
    """Write ``model`` to ``path`` atomically; a failure is logged, not raised."""
    ptc, pc, classes, nextmove, output, row = model
    arrays: dict[str, Any] = {
        "ptc": ptc, "pc": pc, "classes": np.array(classes),
        "nextmove": np.frombuffer(nextmove, dtype=f"u{nextmove.itemsize}"),
        "output": np.array(output, dtype=np.int64),
        "row": np.frombuffer(row, dtype=f"u{row.itemsize}"),
    }  # fmt: skip
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp:
            temporary = tmp.name
            np.savez(tmp, **arrays)
        os.replace(temporary, path)
    except OSError as exc:
        log.warning("language model cache not written", extra={"error": str(exc)})
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
