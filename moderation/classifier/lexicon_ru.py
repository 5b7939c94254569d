"""A hand-written lexicon of Russian profanity and insult stems, with rates learned from data.

The stems are general knowledge (mat roots, common insults, slurs). Identity words
(казах, узбек, русский, еврей, мусульманин...) are deliberately absent: only the slur
forms are listed. Each entry's rate is the share of training comments containing it that are
toxic, shrunk towards the base rate (a slur's towards the slurs' pooled rate, :data:`SLURS`),
so a mild word ("тупой") weighs less than a mat root.
Entries match whole words of :func:`normalise_ru`-d text, optionally after a verb prefix
("на-хуй", "за-ебал", "от-пиздить"), so the spans cover the word the reader typed.

Same interface as :class:`~moderation.classifier.lexicon.ToxicLexicon` (``word_rates`` and
the three summary features), so :class:`~moderation.classifier.heads.ToxicityHead` serves it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from moderation.classifier.alternation import by_first_letter
from moderation.classifier.lexicon import LEXICON_FEATURES, summarise
from moderation.classifier.normalise_ru import normalise_ru
from moderation.classifier.text_features import MAX_CHARS

# name -> regular expression for the rest of the word after an optional prefix.
STEMS: dict[str, str] = {
    "хуй": r"ху[йяеиюё]\w*",
    "пизд": r"п[иеи]зд\w*",
    "еб": r"(?:[её]б(?:а[лнтш]|у[тчнш]|л[аоиеяю]|н[уи]|ок|ись|ёт|ет)\w*|[её]б\b)",
    "бля": r"бля(?!ш)\w*",
    "сука": r"(?:сук[аиуе]|сучк\w*|сучар\w*|сукин\w*)\b",
    "мудак": r"муд(?:ак|ач|ил|оз)\w*",
    "долбоеб": r"д[оа]лб[оа][её]б\w*|долбан\w*",
    "пидор": r"п[иеэ]д(?!ро\b)[оа]?р\w*|педик\w*",  # not Педро
    "гандон": r"г[ао]нд[оа]н\w*",
    "залупа": r"залуп\w*",
    "шлюха": r"шлюх\w*|шалав\w*",
    "говно": r"г[ао]вн\w*",
    "жопа": r"жоп\w*",
    "дерьмо": r"дерьм\w*",
    "чмо": r"чмо(?:\b|ш\w*)",
    "мразь": r"мраз\w*",
    "тварь": r"твар[иьея]\w*",
    "урод": r"урод(?!ил|ит)\w*",  # not "урожай уродился"
    "ублюдок": r"ублюд\w*|выблядк\w*|выблядок",
    "дебил": r"дебил\w*",
    "идиот": r"идиот\w*",
    "кретин": r"кретин\w*",
    "дегенерат": r"дегенерат\w*",
    "даун": r"даун(?!инг)\w*",  # not Даунинг-стрит
    "дурак": r"дурак\w*|дур[аые]\b|дурачь\w*",
    "тупой": r"туп(?:ой|ая|ое|ые|ого|ому|ых|ица|орыл)\w*",
    "лох": r"лох(?:и|а|у|ом|ов)?\b",
    "гнида": r"гнид\w*",
    "сволочь": r"сволоч\w*",
    "скотина": r"скотин\w*",
    "падла": r"падл\w*",
    "быдло": r"быдл\w*",
    "ничтожество": r"ничтожеств\w*",
    "отброс": r"отброс\w*",
    "заткнись": r"заткни\w*",
    "сдохни": r"сдох\w*|подыхай\w*",
    "петух": r"петух\w*",
    "козел": r"козл(?!ов[аеуыос])\w*|козел\b",  # not Козлова, Козловский
    "ватник": r"ватник\w*",
    "хохол": r"хох[оа]?л(?!ом[аыуеос]|ов[аеуыо])\w*",  # not хохлома, Хохлова
    "чурка": r"чурк(?!ин)\w*|чурбан\w*",  # not Чуркин
    "хач": r"хач(?!апур|атур|атр)\w*",  # not хачапури, Хачатурян, Хачатрян
    "жид": r"жид(?!к)\w*",
    "черножопый": r"черножоп\w*",
    "пиндос": r"пиндос\w*",
    "русня": r"русн[яиюе]\b",
    "узкоглазый": r"узкоглаз\w*",
    "рашка": r"рашк(?!ин)\w*|рашист\w*",  # not Рашкин
    "хер": r"хер(?:[аоеь]|ов|ня|н(?!анд))\w*|хер\b",  # not Хернандес
    "дрочить": r"дроч\w*",
    # Added in model 2026.11.30.3. New stems go last: a model trained before them has the
    # earlier ones, in this order, as a prefix (``words_``), and gives the new ones no weight.
    "чучмек": r"чучм[еа]к\w*",
    "калбит": r"калбит\w*",
    "нерусь": r"нерус(?:ь|и|ей|ям|ями|ях)\b",
    "кацап": r"кацап\w*",
    "москаль": r"москал(?:ь\w*|я|ю|ем|е|и|ей|ям|ями|ях)\b",  # not Москалев(а), Москаленко
    "либераст": r"либераст\w*",
}
# Slurs for a people or a group: rare in any training set, yet each is an insult wherever it
# stands (the forum rarely names the Central Asian ones: чучмек, калбит). Their rates shrink
# towards what the slurs together score rather than towards the base rate (below), so a slur
# the data hardly has weighs like the slurs it has, not like an ordinary word.
SLURS: frozenset[str] = frozenset({
    "хохол", "чурка", "хач", "жид", "черножопый", "пиндос", "русня", "узкоглазый", "рашка",
    "чучмек", "калбит", "нерусь", "кацап", "москаль",
})  # fmt: skip
_PREFIXES = r"(?:на|по|за|вы|от|рас|раз|про|при|пере|недо|до|у|съ|въ|о|об|из|с)?"
_STEM_GROUPS = "(?:" + "|".join(f"({p})" for p in STEMS.values()) + ")"
_AT_WORD_START = re.compile(_PREFIXES + _STEM_GROUPS)
# Any stem anywhere: no prefix and no look-behind, so the regex engine can skip ahead on the
# first letter; several times faster on clean text than searching for whole words directly.
# Grouped by first letter (alternation.by_first_letter), the engine tries one group per
# position instead of every stem: the same matches (tests compare with the plain alternation),
# about twice as fast on long comments.
ANY_STEM_PLAIN = "|".join(STEMS.values())
_ANY_STEM = re.compile(by_first_letter(ANY_STEM_PLAIN))
_WORD_CHARS = frozenset("абвгдежзийклмнопрстуфхцчшщъыьэюяabcdefghijklmnopqrstuvwxyz0123456789")
# The whole-word pattern as one regex, to search running text with (for tools and tests).
LEXICON_WORD = re.compile(r"(?<![а-яa-z0-9])" + _PREFIXES + _STEM_GROUPS)


def _matches(text: str) -> list[tuple[int, int, int]]:
    """(stem index, start, end) of each lexicon word of normalised ``text``.

    A stem found anywhere is widened to its word, which must then match from its start.
    """
    out: list[tuple[int, int, int]] = []
    done = -1
    for hit in _ANY_STEM.finditer(text):
        if hit.start() < done:
            continue
        start, end = hit.start(), hit.end()
        while start > 0 and text[start - 1] in _WORD_CHARS:
            start -= 1
        while end < len(text) and text[end] in _WORD_CHARS:
            end += 1
        done = end
        found = _AT_WORD_START.match(text, start, end)
        if found is not None and found.lastindex is not None:
            out.append((found.lastindex - 1, start, end))
    return out


class RussianLexicon:
    """Stem -> share of toxic comments containing it (shrunk); three dense features."""

    def __init__(self, *, prior: float = 10.0, min_rate: float = 0.05) -> None:
        self.prior = prior
        self.min_rate = min_rate

    def fit(self, X: Sequence[str], y: Sequence[int]) -> RussianLexicon:
        """Learn each stem's rate from labelled comments ``X`` / ``y`` (1 = toxic)."""
        names = list(STEMS)
        seen = np.zeros(len(names))
        toxic = np.zeros(len(names))
        for text, label in zip(X, y, strict=True):
            found = {
                m.lastindex for m in LEXICON_WORD.finditer(normalise_ru(text[:MAX_CHARS]).text)
            }
            for group in found:
                if group is not None:
                    seen[group - 1] += 1
                    toxic[group - 1] += label
        base = float(np.mean(y)) if len(y) else 0.0
        # Shrink each rate towards the base rate, a slur's towards the slurs' pooled rate.
        slur = np.array([name in SLURS for name in names])
        slurs_seen = float(seen[slur].sum())
        slur_rate = float(toxic[slur].sum()) / slurs_seen if slurs_seen else base
        towards = np.where(slur, slur_rate, base)
        shrunk = (toxic + self.prior * towards) / (seen + self.prior)
        # Keep only the part above the base rate: a stem as common in clean text scores 0.
        lift = np.clip((shrunk - base) / max(1.0 - base, 1e-9), 0.0, 1.0)
        self.words_ = "\n".join(names)
        self.rates_ = np.where(lift >= self.min_rate, lift, 0.0)
        self.counts_ = seen.astype(np.int64)
        return self

    def word_rates(self, normalised_text: str) -> list[tuple[float, int, int]]:
        """(rate, start, end) of each lexicon word in already-normalised text."""
        rates = self.rates_
        known = len(rates)  # stems added after this model was trained (STEMS) weigh nothing
        return [
            (rate, start, end)
            for stem, start, end in _matches(normalised_text)
            if stem < known and (rate := float(rates[stem])) > 0.0
        ]

    def features_of(self, normalised_text: str) -> np.ndarray:
        return summarise([r for r, _, _ in self.word_rates(normalised_text)])

    def transform(self, X: Sequence[str]) -> np.ndarray:
        rows = [self.features_of(normalise_ru(text[:MAX_CHARS]).text) for text in X]
        return np.vstack(rows) if rows else np.zeros((0, len(LEXICON_FEATURES)))
