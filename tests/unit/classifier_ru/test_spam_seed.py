"""The hand-written Russian spam seed set: its shape, and that it stays apart from the check
it must not leak into."""

from __future__ import annotations

import json
import pathlib
from collections import Counter

import pytest

from moderation.classifier.evaluation_ru import SPAM_CHECK
from moderation.classifier.training.russian_data import text_key
from moderation.classifier.training.sources import DataError
from moderation.classifier.training.spam_ru import load_seed


def test_the_seed_set_has_sixteen_kinds_of_spam_and_civil_comments_on_each() -> None:
    seed = load_seed()
    kinds, subjects = Counter(seed.kinds), Counter(seed.subjects)
    assert len(kinds) == 16 and set(subjects) == set(kinds)
    assert min(kinds.values()) >= 15 and min(subjects.values()) >= 15
    assert len(seed.spam) == len(seed.kinds) and len(seed.civil) == len(seed.subjects)


def test_no_text_is_both_spam_and_civil_or_repeated() -> None:
    seed = load_seed()
    keys = [text_key(t) for t in seed.spam + seed.civil]
    assert len(set(keys)) == len(keys)


def test_the_seed_set_shares_no_text_with_the_check() -> None:
    """``ru_spam_check.json`` is evaluated on: none of it may be trained on."""
    seed = load_seed()
    check = json.loads(SPAM_CHECK.read_text(encoding="utf-8"))["spam"]
    seen = {text_key(t) for t in seed.spam + seed.civil}
    assert not seen & {text_key(t) for t in check}

    # nor a near copy: no check text shares 8 consecutive words with a seed text
    def runs(text: str) -> set[tuple[str, ...]]:
        words = text_key(text).split()
        return {tuple(words[i : i + 8]) for i in range(len(words) - 7)}

    seed_runs = set().union(*(runs(t) for t in seed.spam + seed.civil))
    assert not any(runs(t) & seed_runs for t in check)


@pytest.mark.parametrize(
    "content",
    [b"not json", b'{"spam": [{"text": "x"}], "civil": []}', b'{"spam": 3}', b"\xff\xfe"],
)
def test_a_broken_seed_file_is_a_data_error(tmp_path: pathlib.Path, content: bytes) -> None:
    path = tmp_path / "seed.json"
    path.write_bytes(content)
    with pytest.raises(DataError, match="not a Russian spam seed set"):
        load_seed(path)
