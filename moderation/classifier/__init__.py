"""The classifier behind a tiny interface: ``score(comments) -> scores``.

The worker, ``moderation score`` and the benchmarks all go through :func:`load_scorer`, so
training and serving share one code path. Tests pass a fake object with the same ``score``
method and ``model_version`` attribute.
"""

from __future__ import annotations

import gc
import pathlib
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, TypeAlias

from moderation.domain.scores import CommentInput, CommentScores

DEFAULT_MODELS_DIR = pathlib.Path(__file__).resolve().parents[2] / "models"

# Per score name, the value from which its spans are found: one table for every comment, or
# one per language (given the comment's detected language, e.g. ``Policy.approve_points``).
ExplainFrom: TypeAlias = Mapping[str, float] | Callable[[str], Mapping[str, float]]


class Scorer(Protocol):
    """Anything that scores a batch of comments.

    A scorer whose models read the recent thread of an article sets ``uses_thread = True``;
    the worker loads ``CommentInput.thread`` only for such a scorer (no model does yet).
    """

    model_version: str

    def score(
        self,
        comments: Sequence[CommentInput],
        *,
        explain_from: ExplainFrom | None = None,
    ) -> list[CommentScores]:
        """Scores of ``comments``, in order. ``explain_from``: per score name, the lowest
        value whose spans anyone will see (``Policy.approve_points`` for the comment's
        language); a score below it comes without spans, which saves explaining it. None:
        every score is explained."""
        ...


def load_scorer(models_dir: pathlib.Path | None = None) -> Scorer:
    """Load the committed artifacts once (checksums, versions and types verified), without
    importing scikit-learn (:func:`moderation.classifier.artifacts.read_artifact`).

    ``models_dir`` defaults to the repository's ``models/``; callers that honour
    ``MODERATION_MODELS_DIR`` read it themselves and pass it in. Raises
    :class:`moderation.classifier.artifacts.ModelIntegrityError` when anything is off.
    """
    from moderation.classifier.artifacts import artifact_names, read_artifact, read_card
    from moderation.classifier.scorer import build_scorer

    directory = pathlib.Path(models_dir) if models_dir is not None else DEFAULT_MODELS_DIR
    card = read_card(directory)
    artifacts = {name: read_artifact(directory, name, card) for name in artifact_names(card)}
    return build_scorer(artifacts, card)


def settle_after_loading() -> None:
    """Move every object alive now (the loaded models' arrays, vocabularies and tables among
    them) out of the garbage collector's sight (:func:`gc.freeze`), for a process that keeps
    its scorer for life: scoring allocates many small containers, and each full collection
    would otherwise walk the models' hundreds of thousands of objects again. About 3-4 % of
    batch scoring time (docs/models.md, "Speed"). They are never freed, which for a scorer
    kept for the life of the process is what happens anyway."""
    gc.collect()
    gc.freeze()
