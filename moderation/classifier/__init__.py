"""The classifier behind a tiny interface: ``score(comments) -> scores``.

The worker, ``moderation score`` and the benchmarks all go through :func:`load_scorer`, so
training and serving share one code path. Tests pass a fake object with the same ``score``
method and ``model_version`` attribute.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from moderation.domain.scores import CommentInput, CommentScores


class Scorer(Protocol):
    """Anything that scores a batch of comments."""

    model_version: str

    def score(self, comments: Sequence[CommentInput]) -> list[CommentScores]: ...
