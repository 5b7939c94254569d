"""The composition root loads the scorer once and then freezes what loading made."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

import moderation.classifier
from moderation import services as services_module
from moderation.classifier import settle_after_loading
from moderation.services import Services

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_settle_after_loading_moves_live_objects_out_of_the_collectors_sight(
    unfrozen: None,
) -> None:
    tables = [[k] for k in range(1_000)]  # stands for a model's many small objects
    assert gc.get_freeze_count() == 0
    settle_after_loading()
    assert gc.get_freeze_count() >= len(tables)
    watched = {id(o) for generation in range(3) for o in gc.get_objects(generation=generation)}
    assert not watched & {id(t) for t in tables}  # no generation holds them any more


def test_the_scorer_is_loaded_once_then_settled(
    unfrozen: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded: list[Path] = []
    settled: list[int] = []

    def fake_load(models_dir: Path) -> object:
        loaded.append(models_dir)
        return object()

    monkeypatch.setattr(moderation.classifier, "load_scorer", fake_load)
    monkeypatch.setattr(services_module, "settle_after_loading", lambda: settled.append(1))
    services = Services(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'moderation.sqlite3'}",
            "POLICY_FILE": str(ROOT / "config" / "policy.toml"),
            "MODELS_DIR": str(tmp_path),
        }
    )
    first = services.scorer
    assert services.scorer is first
    assert loaded == [tmp_path]
    assert settled == [1]
