"""The committed model, loaded once for the whole directory."""

from __future__ import annotations

import pytest

from moderation.classifier import DEFAULT_MODELS_DIR, load_scorer
from moderation.classifier.scorer import ModerationScorer


@pytest.fixture(scope="session")
def scorer() -> ModerationScorer:
    if not (DEFAULT_MODELS_DIR / "model_card.json").is_file():
        pytest.skip("no committed model in models/ (run `moderation train`)")
    loaded = load_scorer()
    assert isinstance(loaded, ModerationScorer)
    return loaded
