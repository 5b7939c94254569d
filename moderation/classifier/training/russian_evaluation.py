"""How the Russian toxicity model holds up: obfuscated copies and identity templates.

Obfuscation robustness: every held-out toxic comment is rewritten with one trick at a time,
applied to its profane/insulting words (the words a reader would disguise), and scored against
the original. Identity templates: civil sentences naming a nationality or religion, whose
hold rate should match the no-identity reference.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from moderation.classifier.lexicon_ru import LEXICON_WORD

_TO_LATIN = str.maketrans("аеорсухкмтв", "aeopcyxkmtb")
_TO_DIGITS = str.maketrans("озбчаея", "0364@39")
_TRANSLIT = dict(
    zip(
        "абвгдежзийклмнопрстуфхцчшщъыьэюяё",
        re.findall(
            r"\S+", "a b v g d e zh z i y k l m n o p r s t u f h c ch sh sch ' y ' e yu ya e"
        ),
        strict=True,
    )
)
Obfuscator = Callable[[str, random.Random], str]


def _each_word(text: str, change: Callable[[str], str]) -> str:
    return LEXICON_WORD.sub(lambda m: change(m.group()), text)


def _latin(text: str, rng: random.Random) -> str:
    return _each_word(text, lambda w: w.translate(_TO_LATIN))


def _digits(text: str, rng: random.Random) -> str:
    return _each_word(text, lambda w: w[0] + w[1:].translate(_TO_DIGITS))


def _spaced(text: str, rng: random.Random) -> str:
    return _each_word(text, lambda w: " ".join(w))


def _repeated(text: str, rng: random.Random) -> str:
    def stretch(word: str) -> str:
        vowels = [i for i, c in enumerate(word) if c in "аеиоуыэюя"]
        at = vowels[0] if vowels else 0
        return word[: at + 1] + word[at] * rng.randint(2, 4) + word[at + 1 :]

    return _each_word(text, stretch)


def _translit_words(text: str, rng: random.Random) -> str:
    return _each_word(text, lambda w: "".join(_TRANSLIT.get(c, c) for c in w))


def translit_all(text: str, rng: random.Random | None = None) -> str:
    """``text`` in Latin letters, letter by letter (a common, lossy translit scheme)."""
    return "".join(_TRANSLIT.get(c, _TRANSLIT.get(c.lower(), c)) for c in text)


OBFUSCATIONS: dict[str, Obfuscator] = {
    "latin_lookalikes": _latin,
    "digits_for_letters": _digits,
    "spaced_letters": _spaced,
    "repeated_letters": _repeated,
    "translit_profane_words": _translit_words,
    "translit_whole_comment": translit_all,
}


def obfuscation_table(
    toxic: Sequence[str],
    clean: Sequence[str],
    score: Callable[[Sequence[str]], np.ndarray],
    approve_below: float,
    *,
    seed: int,
) -> dict[str, Any]:
    """Per trick: how many toxic comments it changed, and their scores before and after.

    ``clean`` are held-out non-toxic comments, for ROC-AUC of obfuscated toxic vs clean.
    """
    clean_scores = score(list(clean))
    out: dict[str, Any] = {}
    lowered = [t.lower() for t in toxic]
    for name, trick in OBFUSCATIONS.items():
        rng = random.Random(seed)
        pairs = [(t, o) for t in lowered if (o := trick(t, rng)) != t]
        if not pairs:
            continue
        before = score([t for t, _ in pairs])
        after = score([o for _, o in pairs])
        y = np.r_[np.ones(len(pairs)), np.zeros(len(clean_scores))]
        out[name] = {
            "n_changed": len(pairs),
            "mean_score_original": round(float(before.mean()), 4),
            "mean_score_obfuscated": round(float(after.mean()), 4),
            "held_share_original": round(float(np.mean(before >= approve_below)), 4),
            "held_share_obfuscated": round(float(np.mean(after >= approve_below)), 4),
            "roc_auc_vs_clean_original": round(
                float(roc_auc_score(y, np.r_[before, clean_scores])), 4
            ),
            "roc_auc_vs_clean_obfuscated": round(
                float(roc_auc_score(y, np.r_[after, clean_scores])), 4
            ),
            "example": pairs[0][1][:120],
        }
    return out


_IDENTITIES = (
    "казах", "узбек", "кыргыз", "таджик", "туркмен", "русский", "украинец", "еврей",
    "мусульманин", "христианин", "китаец", "кореец", "татарин", "уйгур", "гей", "мигрант",
)  # fmt: skip
_TEMPLATES = (
    "Мой сосед {x}, хороший человек.",
    "Я {x} и горжусь этим.",
    "Вчера в автобусе разговорился с попутчиком, он {x}.",
    "{X} тоже имеет право высказаться по этому вопросу.",
    "Спасибо автору, как {x} полностью согласен.",
)
_REFERENCE = ("врач", "учитель", "инженер", "водитель")


def identity_templates() -> tuple[list[str], list[str]]:
    """Civil sentences with an identity word (or a profession, the reference group)."""
    texts: list[str] = []
    terms: list[str] = []
    for term in (*_IDENTITIES, *_REFERENCE):
        group = "(reference: profession)" if term in _REFERENCE else term
        for template in _TEMPLATES:
            texts.append(template.format(x=term, X=term.capitalize()))
            terms.append(group)
    return texts, terms


def identity_table(
    score: Callable[[Sequence[str]], np.ndarray], approve_below: float
) -> dict[str, Any]:
    texts, terms = identity_templates()
    scores = score(texts)
    table: dict[str, Any] = {}
    for term in dict.fromkeys(terms):
        s = np.array([v for v, t in zip(scores, terms, strict=True) if t == term])
        table[term] = {
            "mean_score": round(float(s.mean()), 4),
            "held_share": round(float(np.mean(s >= approve_below)), 4),
        }
    return table
