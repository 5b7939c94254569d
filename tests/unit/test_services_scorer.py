"""The composition root loads the scorer once and then freezes what loading made."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

import moderation.classifier
from moderation import services as services_module
from moderation.classifier import settle_after_loading
from moderation.services import Services

ROOT = Path(__file__).resolve().parents[2]


def _services(models_dir: Path) -> Services:
    return Services(
        {
            "DATABASE_URL": f"sqlite:///{models_dir / 'moderation.sqlite3'}",
            "POLICY_FILE": str(ROOT / "config" / "policy.toml"),
            "MODELS_DIR": str(models_dir),
        }
    )


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
        return SimpleNamespace(model_version="m1")

    monkeypatch.setattr(moderation.classifier, "load_scorer", fake_load)
    monkeypatch.setattr(services_module, "settle_after_loading", lambda: settled.append(1))
    services = _services(tmp_path)
    first = services.scorer
    assert services.scorer is first
    assert loaded == [tmp_path]
    assert settled == [1]


def test_loading_now_logs_the_load_and_a_failure_without_raising(
    unfrozen: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    services = _services(tmp_path)  # no model card here
    with caplog.at_level(logging.INFO, logger="moderation.services"):
        services.load_models_now()
    [record] = caplog.records
    assert record.message == "models not loaded before the pool started"
    assert "no model card" in record.error  # type: ignore[attr-defined]


def test_loading_now_records_version_process_and_time(
    unfrozen: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(
        moderation.classifier, "load_scorer", lambda _: SimpleNamespace(model_version="m2")
    )
    services = _services(tmp_path)
    with caplog.at_level(logging.INFO, logger="moderation.services"):
        services.load_models_now()
        services.load_models_now()  # already loaded: nothing more
    [record] = caplog.records
    assert record.message == "models loaded"
    assert (record.model_version, record.pid) == ("m2", os.getpid())  # type: ignore[attr-defined]
    assert record.seconds >= 0  # type: ignore[attr-defined]
