"""Turn per-n-gram contributions of a linear model into spans of the ORIGINAL comment.

Each n-gram occurrence gets its share of ``coef * tf-idf`` and is assigned to the word of the
normalised text that contains its centre. Words are summed, the strongest positive ones are
mapped back through the normaliser's offsets, so ``Span.text == original[start:end]`` even
for "1d10t" or "i d i o t".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from moderation.classifier.text_features import Vectorised
from moderation.domain.scores import Span

TOP_SPANS = 3
MIN_WEIGHT = 0.05  # log-odds; smaller pushes are noise, not reasons
# Toxicity shows only the spans that push at least half as hard as its strongest one: chosen
# on the Toxic Spans trial posts, it raised the F1 with the spans people marked on the test
# posts from 0.540 to 0.777 (docs/models.md, "Explanations").
TOXICITY_RELATIVE_WEIGHT = 0.5
# Nor does it show function words ("the", "is", "you"; language.PLAIN_WORDS): also chosen on
# the trial posts (test F1 0.777 -> 0.781), and a moderator is not told that "The" made a
# comment toxic.


def occurrence_contributions(vec: Vectorised, coef_at_indices: np.ndarray) -> np.ndarray:
    """Contribution of each in-vocabulary occurrence: its share of coef[j] * value[j].

    ``coef_at_indices`` holds the model's coefficient for each of ``vec.indices``.
    """
    if not len(vec.indices):
        return np.zeros(0)
    pos = np.searchsorted(vec.indices, vec.occurrence_ids)
    counts = np.bincount(pos, minlength=len(vec.indices))
    per_feature = coef_at_indices * vec.values / counts
    return per_feature[pos]


def word_spans(
    vec: Vectorised,
    contributions: np.ndarray,
    original: str,
    *,
    extra: Sequence[tuple[int, int, float]] = (),
    relative: float = 0.0,
    plain: frozenset[str] = frozenset(),
) -> tuple[Span, ...]:
    """Top words by summed contribution, plus ``extra`` (start, end, weight) ORIGINAL spans;
    ``relative`` and ``plain``: see :func:`pick_spans`."""
    text = vec.normalised.text
    starts, ends = vec.words
    candidates: list[tuple[float, int, int]] = [(w, s, e) for s, e, w in extra]
    if len(starts) and len(contributions):
        centres = np.clip(vec.occurrence_centres, 0, max(len(text) - 1, 0))
        token = np.searchsorted(ends, centres, side="right")
        token = np.minimum(token, len(starts) - 1)
        inside = starts[token] <= centres
        sums = np.bincount(token[inside], weights=contributions[inside], minlength=len(starts))
        for i in np.argsort(-sums)[:TOP_SPANS]:
            start, end = vec.normalised.original_span(int(starts[i]), int(ends[i]))
            candidates.append((float(sums[i]), start, end))
    return pick_spans(candidates, original, relative=relative, plain=plain)


def pick_spans(
    candidates: list[tuple[float, int, int]],
    original: str,
    *,
    relative: float = 0.0,
    plain: frozenset[str] = frozenset(),
) -> tuple[Span, ...]:
    """The strongest non-overlapping (weight, start, end) candidates, as spans of ``original``:
    at most :data:`TOP_SPANS`, each of weight :data:`MIN_WEIGHT` or more and at least
    ``relative`` times the strongest candidate's, none whose text (lower-cased) is in
    ``plain``."""
    best = [c for c in candidates if c[0] >= MIN_WEIGHT]
    if not best:
        return ()
    best.sort(reverse=True)
    # Strongest first; the floor is set by the strongest candidate that is not a plain word,
    # so a candidate's text is only looked at when it could still become a span.
    floor: float | None = None if relative > 0.0 else -math.inf
    spans: list[Span] = []
    for weight, start, end in best:
        if floor is not None and weight < floor:
            break  # sorted: every later candidate is lighter still
        text = original[start:end]
        if plain and text.lower() in plain:
            continue
        if floor is None:
            floor = relative * weight
            if weight < floor:  # only when relative > 1: nothing is heavy enough
                break
        if all(end <= s.start or start >= s.end for s in spans):
            spans.append(Span(start, end, text, round(weight, 4)))
            if len(spans) == TOP_SPANS:
                break
    return tuple(spans)
