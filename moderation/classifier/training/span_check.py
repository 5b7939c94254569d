"""How well the toxicity explanations point at what people marked as toxic.

The Toxic Spans data (SemEval-2021 Task 5) has a trial split (690 posts) and a test split
(2,000 posts) of Civil Comments posts, each with the character offsets a majority of its
raters marked as toxic. The same posts are in ``civil_toxic_spans/data/comments.csv``, which
the served model learns from (its general expert and its span lexicon), so the served model
cannot be checked on them. ``moderation train`` therefore fits a twin of the toxicity head
without the trial and test posts: the general expert and the lexicon refitted without them,
the news experts and the meta weights as served (neither saw a Civil Comments post). The
trial posts chose how many spans the toxicity head shows
(:data:`~moderation.classifier.explain.TOXICITY_RELATIVE_WEIGHT`); the twin's spans on the test
posts are compared with the marked offsets, and the figures go in the model card
(``validation.explanations``).

Measures, all at the character level, on the posts that have marked offsets:

* ``f1``: SemEval-2021 Task 5's measure, the F1 of the predicted and the marked character
  offsets, per post, averaged (a post without marked offsets counts 1 when nothing is
  predicted and 0 otherwise; those posts are counted in ``f1_all_posts`` only);
* ``precision`` and ``recall``, per post, averaged the same way;
* ``top_span_hit``: the share of posts whose first (strongest) span overlaps a marked offset:
  whether the word a moderator sees first is one a rater marked;
* ``any_span_hit``: the share whose spans overlap a marked offset at all.

The vocabulary of n-grams (which n-grams exist, not their weights) was chosen from every
training text, these posts included; that is the one thing the twin shares with them.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Sequence

import numpy as np
from sklearn.pipeline import Pipeline

from moderation.classifier.heads import ToxicityHead
from moderation.classifier.language import PLAIN_WORDS
from moderation.classifier.training.sources import DataDir, DataError, Row

TEST_FILE = "civil_toxic_spans/SemEval2021/data/tsd_test.csv"
TRIAL_FILE = "civil_toxic_spans/SemEval2021/data/tsd_trial.csv"
RECORDED = "toxic_spans_semeval_test_twin"  # the model card's validation.explanations entry


def same_post(text: str) -> str:
    """The key that matches a SemEval post to its comments.csv row (whitespace folded)."""
    return " ".join(text.split())


def semeval_test(data: DataDir) -> tuple[list[str], list[frozenset[int]]]:
    """The test posts and, for each, the character offsets its raters marked."""
    return _marked_posts(data, TEST_FILE)


def semeval_trial(data: DataDir) -> tuple[list[str], list[frozenset[int]]]:
    """The trial posts (choosing, not reporting) and their marked offsets."""
    return _marked_posts(data, TRIAL_FILE)


def _marked_posts(data: DataDir, relative: str) -> tuple[list[str], list[frozenset[int]]]:
    texts, gold = [], []
    for row in data.read_csv(relative):
        texts.append(row["text"])
        gold.append(_offsets(row))
    return texts, gold


def held_out(data: DataDir) -> frozenset[str]:
    """The trial and test posts' keys (:func:`same_post`): what the twin must not learn from."""
    return frozenset(same_post(t) for t in semeval_trial(data)[0] + semeval_test(data)[0])


def learnable(texts: Sequence[str], held: frozenset[str]) -> list[bool]:
    """For each of ``texts``, whether the twin may learn from it (it is not in ``held``)."""
    return [same_post(t) not in held for t in texts]


def offsets(spans: Sequence[tuple[int, int]]) -> frozenset[int]:
    return frozenset(i for start, end in spans for i in range(start, end))


def post_f1(predicted: frozenset[int], gold: frozenset[int]) -> float:
    """SemEval-2021 Task 5's per-post F1."""
    if not gold:
        return 1.0 if not predicted else 0.0
    if not predicted:
        return 0.0
    both = len(predicted & gold)
    return 2 * both / (len(predicted) + len(gold))


def span_metrics(
    predicted: Sequence[Sequence[tuple[int, int]]], gold: Sequence[frozenset[int]]
) -> dict[str, float | int]:
    """The measures of this module's docstring; ``predicted`` spans strongest first."""
    f1, f1_all, precision, recall, top, anywhere = [], [], [], [], [], []
    for spans, marked in zip(predicted, gold, strict=True):
        chars = offsets(spans)
        f1_all.append(post_f1(chars, marked))
        if not marked:
            continue
        both = len(chars & marked)
        f1.append(post_f1(chars, marked))
        precision.append(both / len(chars) if chars else 0.0)
        recall.append(both / len(marked))
        top.append(bool(spans) and bool(offsets(spans[:1]) & marked))
        anywhere.append(bool(both))
    return {
        "n_posts": len(gold),
        "n_marked": len(f1),
        "f1": round(float(np.mean(f1)), 4),
        "precision": round(float(np.mean(precision)), 4),
        "recall": round(float(np.mean(recall)), 4),
        "top_span_hit": round(float(np.mean(top)), 4),
        "any_span_hit": round(float(np.mean(anywhere)), 4),
        "f1_all_posts": round(float(np.mean(f1_all)), 4),
    }


def check(model: Pipeline, data: DataDir) -> dict[str, float | int]:
    """:func:`span_metrics` of ``model``'s toxicity spans on the test posts."""
    texts, gold = semeval_test(data)
    return span_metrics(toxicity_spans(model, texts, "en"), gold)


def toxicity_spans(
    model: Pipeline, texts: Sequence[str], language: str
) -> list[list[tuple[int, int]]]:
    """The (start, end) of each text's toxicity spans, strongest first, as ``language``'s
    head serves them."""
    head = ToxicityHead(model, {}, plain_words=PLAIN_WORDS[language])
    return [
        [(s.start, s.end) for s in head.score(head.ngrams.vectorise(t), t).spans] for t in texts
    ]


def paradetox_dev(data: DataDir) -> tuple[list[str], list[frozenset[int]]]:
    """ParaDetox dev's toxic sentences that have rewrites, and :func:`rewrite_marks` of each."""
    from moderation.classifier.training.russian_data import PARADETOX, read_tsv, rewrites

    texts, gold = [], []
    for row in read_tsv(data, PARADETOX["dev"]):
        original, neutral = row["toxic_comment"].strip(), rewrites(row)
        if original and neutral:
            texts.append(original)
            gold.append(rewrite_marks(original, neutral))
    return texts, gold


# -- Russian: what the ParaDetox rewriters took out ---------------------------------------------
# ParaDetox pairs each toxic sentence with one to three neutral rewrites by other people. The
# words of the original that a rewrite drops or replaces are what made it toxic, in the
# rewriters' eyes (with some noise: a rewrite may also reword harmless parts). The dev split
# is never trained on, so the served Russian model is measured on it directly.

_WORD = re.compile(r"\w+")


def rewrite_marks(original: str, rewrites: Sequence[str]) -> frozenset[int]:
    """The character offsets of the words of ``original`` that at least half of ``rewrites``
    drop or replace (words compared lower-cased, with ё as е)."""
    words = [(m.start(), m.end(), _fold(m.group())) for m in _WORD.finditer(original)]
    dropped = [0] * len(words)
    for rewrite in rewrites:
        matcher = difflib.SequenceMatcher(
            None,
            [w for _, _, w in words],
            [_fold(m.group()) for m in _WORD.finditer(rewrite)],
            autojunk=False,
        )
        kept = {b.a + k for b in matcher.get_matching_blocks() for k in range(b.size)}
        dropped = [d + (i not in kept) for i, d in enumerate(dropped)]
    return frozenset(
        c
        for (start, end, _), d in zip(words, dropped, strict=True)
        if rewrites and 2 * d >= len(rewrites)
        for c in range(start, end)
    )


def _fold(word: str) -> str:
    return word.lower().replace("ё", "е")


def _offsets(row: Row) -> frozenset[int]:
    """The ``spans`` column: a list of character offsets, as ``[3, 4, 5]``."""
    try:
        offsets = ast.literal_eval(row["spans"])
        return frozenset(int(x) for x in offsets)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise DataError(
            f"{row.relative} line {row.line}, column 'spans': {row['spans'][:40]!r} is not a "
            "list of offsets"
        ) from None
