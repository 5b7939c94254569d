"""Deduplication and split invariants of the Russian data, on small synthetic files."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.classifier.training.russian_data import (
    assign_splits,
    deduplicate,
    load_russian,
    text_key,
)
from moderation.classifier.training.sources import DataDir
from tests.unit.classifier_ru.tables import write_table


def test_deduplicate_keeps_one_row_per_text_and_drops_conflicts() -> None:
    rows = [
        ("Привет  всем\n", 0),
        ("привет всем", 0),  # same text: case and whitespace differ
        ("Ты дебил", 1),
        ("Ты дебил ", 1),
        ("спорный текст", 0),
        ("Спорный текст", 1),  # both labels: dropped
    ]
    result = deduplicate(rows)
    assert result.texts == ["Привет  всем", "Ты дебил"]
    assert result.labels == [0, 1]
    assert result.stats == {
        "rows": 6,
        "unique_texts": 3,
        "duplicate_rows_removed": 3,
        "conflicting_label_texts_dropped": 1,
        "kept": 2,
    }


def test_assign_splits_is_seeded_and_respects_forced_keys() -> None:
    keys = [f"t{i}" for i in range(200)]
    forced = {"t1": "train", "t2": "test"}
    first = assign_splits(keys, forced, seed=7)
    assert first == assign_splits(list(reversed(keys)), forced, seed=7)
    assert first["t1"] == "train" and first["t2"] == "test"
    assert set(first) == set(keys)
    counts = {s: sum(v == s for v in first.values()) for s in ("train", "validation", "test")}
    assert counts["validation"] == pytest.approx(30, abs=2)
    assert counts["test"] == pytest.approx(31, abs=2)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    forum = [[f"обычный комментарий номер {i}\n", "0.0"] for i in range(60)]
    forum += [[f"ты дебил номер {i}\n", "1.0"] for i in range(30)]
    forum += [["общий токсичный текст из обоих наборов\n", "1.0"]]  # also in ParaDetox train
    forum += [["общий текст из теста\n", "1.0"]]  # also in ParaDetox dev
    forum += [["обычный комментарий номер 3", "0.0"]]  # duplicate
    write_table(tmp_path / "ru_2ch_pikabu/labeled.csv", ["comment", "toxic"], forum)
    header = ["index", "toxic_comment", "neutral_comment1", "neutral_comment2", "neutral_comment3"]
    train = [["0", "общий токсичный текст из обоих наборов", "общий текст", "", ""]]
    train += [
        [str(i), f"ты урод {i}", f"ты неправ {i}", f"ты ошибаешься {i}", ""] for i in range(1, 6)
    ]
    write_table(tmp_path / "ru_paradetox/train.tsv", header, train, "\t")
    dev = [["общий текст из теста", "текст из теста", "", ""], ["сам дурак", "сам такой", "", ""]]
    write_table(tmp_path / "ru_paradetox/dev.tsv", header[1:], dev, "\t")
    write_table(tmp_path / "ru_paradetox/test.tsv", ["toxic_comment"], [["иди ты, идиот"]], "\t")
    return tmp_path


def test_load_russian_keeps_shared_texts_in_one_split(data_dir: Path) -> None:
    data = DataDir(data_dir)
    ru = load_russian(data, seed=3)
    train_keys = {text_key(t) for t in ru.train.texts}
    held = {text_key(t) for t in ru.validation.texts + ru.test.texts}
    assert not train_keys & held
    assert "общий токсичный текст из обоих наборов" in train_keys
    assert "общий текст из теста" in {text_key(t) for t in ru.test.texts}
    # The shared ParaDetox original is not added twice; its rewrite is a weighted negative.
    assert [text_key(t) for t in ru.train.texts].count(
        "общий токсичный текст из обоих наборов"
    ) == 1
    rewrite = ru.train.texts.index("общий текст")
    assert ru.train.labels[rewrite] == 0
    assert ru.train_weights[rewrite] < 1.0
    assert ru.stats["overlap_forum_paradetox"] == 2
    assert ru.paradetox_dev_pairs.labels == [1, 0, 1, 0]
    assert ru.paradetox_test_toxic.labels == [1]
    assert set(data.used) == {
        "ru_2ch_pikabu/labeled.csv",
        "ru_paradetox/train.tsv",
        "ru_paradetox/dev.tsv",
        "ru_paradetox/test.tsv",
    }


def test_load_russian_is_deterministic(data_dir: Path) -> None:
    first = load_russian(DataDir(data_dir), seed=3)
    second = load_russian(DataDir(data_dir), seed=3)
    assert first.test.texts == second.test.texts
    assert first.train.texts == second.train.texts
