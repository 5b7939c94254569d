"""Serving reads the committed artifacts without scikit-learn, into exactly what skops loads."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import numpy as np
import scipy.sparse as sp

from moderation.classifier import DEFAULT_MODELS_DIR
from moderation.classifier.artifact_reader import Fitted
from moderation.classifier.artifacts import artifact_names, load_artifact, read_artifact, read_card
from moderation.classifier.scorer import ModerationScorer, build_scorer
from moderation.domain.scores import CommentInput

ARTICLE = ("Water deal signed", "Kazakhstan and Uzbekistan agreed to share the river's water.")
ARTICLE_RU = ("Соглашение о воде", "Казахстан и Узбекистан договорились о разделе воды реки.")
COMMENTS = [
    CommentInput("You are a complete 1d10t and everyone knows it.", *ARTICLE),
    CommentInput("Sharing the water fairly is the only way farmers will survive.", *ARTICLE),
    CommentInput("Check out my channel http://bit.ly/xyz and subscribe!!!", *ARTICLE),
    CommentInput("Who won the football last night?", None, None),
    CommentInput("Спасибо за статью, очень интересно узнать про соглашение о воде.", *ARTICLE_RU),
    CommentInput("Ты тупой дебил, иди отсюда.", *ARTICLE_RU),
    CommentInput("Продам гараж, недорого, звоните +7 701 123 45 67", *ARTICLE_RU),
    CommentInput("Blinken paid a visit, но толку от этого мало.", *ARTICLE),
]


def _same(read: Any, loaded: Any, where: str) -> None:
    """``read`` (the serving reader) holds what ``loaded`` (skops) holds, all the way down."""
    if isinstance(read, Fitted):
        assert type(loaded).__module__ + "." + type(loaded).__name__ == read.type_name, where
        _same_attributes(vars(read), vars(loaded), where)
    elif hasattr(loaded, "__dict__") and not isinstance(loaded, (np.ndarray, sp.spmatrix)):
        assert isinstance(loaded, type(read)), where  # the estimator extends the plain class
        assert type(read).__module__.startswith("moderation.classifier."), where
        _same_attributes(vars(read), vars(loaded), where)
    elif isinstance(loaded, np.ndarray):
        assert isinstance(read, np.ndarray) and read.dtype == loaded.dtype, where
        assert np.array_equal(read, loaded), where
    elif isinstance(loaded, sp.spmatrix):
        assert type(read) is type(loaded) and read.shape == loaded.shape, where
        assert (read != loaded).nnz == 0, where
    elif isinstance(loaded, (list, tuple)):
        assert type(read) is type(loaded) and len(read) == len(loaded), where
        for k, (a, b) in enumerate(zip(read, loaded, strict=True)):
            _same(a, b, f"{where}[{k}]")
    elif isinstance(loaded, dict):
        _same_attributes(read, loaded, where)
    else:
        assert type(read) is type(loaded) and read == loaded, where


def _same_attributes(read: dict[str, Any], loaded: dict[str, Any], where: str) -> None:
    # skops drops the saved scikit-learn version when it builds a scikit-learn object
    keys = set(read) - {"type_name", "_sklearn_version"}
    assert keys == set(loaded), where
    for key in keys:
        _same(read[key], loaded[key], f"{where}.{key}")


def test_every_artifact_reads_as_skops_loads_it() -> None:
    card = read_card(DEFAULT_MODELS_DIR)
    for name in artifact_names(card):
        _same(
            read_artifact(DEFAULT_MODELS_DIR, name, card),
            load_artifact(DEFAULT_MODELS_DIR, name, card),
            name,
        )


def test_a_scorer_over_skops_objects_scores_exactly_as_the_served_one(
    scorer: ModerationScorer,
) -> None:
    card = read_card(DEFAULT_MODELS_DIR)
    loaded = {name: load_artifact(DEFAULT_MODELS_DIR, name, card) for name in artifact_names(card)}
    assert build_scorer(loaded, card).score(COMMENTS) == scorer.score(COMMENTS)
    assert {s.language for s in scorer.score(COMMENTS)} >= {"en", "ru"}
    english = scorer.routes["en"]
    assert english.spam.ngrams is english.toxicity.ngrams  # same vocabulary: featurised once


def test_loading_the_scorer_imports_neither_scikit_learn_nor_skops() -> None:
    code = (
        "import json, sys\n"
        "from moderation.classifier import load_scorer\n"
        "scorer = load_scorer()\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'skops'})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
