"""Loading refuses artifacts whose checksum, scikit-learn version or types are not vouched for:
with skops (``load_artifact``) and with the serving reader (``read_artifact``) alike."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest
import sklearn
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from moderation.classifier.artifacts import (
    CARD,
    ModelIntegrityError,
    compare_model_dirs,
    load_artifact,
    read_artifact,
    read_card,
    save_artifact,
)

LOADERS = pytest.mark.parametrize("load", [load_artifact, read_artifact])


class Untrusted(BaseEstimator):
    """A type that is not on the trusted list."""


def _write(models: pathlib.Path, obj: Any, *, version: str = sklearn.__version__) -> dict[str, Any]:
    sha = save_artifact(obj, models / "toy.skops")
    card = {
        "libraries": {"scikit-learn": version},
        "artifacts": {"toy": {"file": "toy.skops", "sha256": sha}},
    }
    (models / CARD).write_text(json.dumps(card))
    return card


def _toy() -> LogisticRegression:
    return LogisticRegression().fit([[0.0], [1.0]], [0, 1])


def test_loads_a_vouched_for_artifact(tmp_path: pathlib.Path) -> None:
    _write(tmp_path, _toy())
    model = load_artifact(tmp_path, "toy", read_card(tmp_path))
    assert model.predict([[1.0]]).tolist() == [1]
    read = read_artifact(tmp_path, "toy", read_card(tmp_path))
    assert read.coef_.tolist() == model.coef_.tolist()


def test_saving_twice_gives_identical_bytes(tmp_path: pathlib.Path) -> None:
    first = save_artifact(_toy(), tmp_path / "a.skops")
    second = save_artifact(_toy(), tmp_path / "b.skops")
    assert first == second


@LOADERS
def test_refuses_a_tampered_file(tmp_path: pathlib.Path, load: Any) -> None:
    card = _write(tmp_path, _toy())
    with (tmp_path / "toy.skops").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelIntegrityError, match="sha256"):
        load(tmp_path, "toy", card)


@LOADERS
def test_refuses_another_scikit_learn_version(tmp_path: pathlib.Path, load: Any) -> None:
    card = _write(tmp_path, _toy(), version="0.24.2")
    with pytest.raises(ModelIntegrityError, match=r"scikit-learn 0\.24\.2"):
        load(tmp_path, "toy", card)


@LOADERS
def test_refuses_untrusted_types(tmp_path: pathlib.Path, load: Any) -> None:
    card = _write(tmp_path, Untrusted())
    with pytest.raises(ModelIntegrityError, match="untrusted"):
        load(tmp_path, "toy", card)


def test_missing_card_is_a_clear_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ModelIntegrityError, match="no model card"):
        read_card(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{", "cannot be read: Expecting property name"),
        (b"\xff{}", "cannot be read: 'utf-8' codec"),
        (b"[" * 100_000 + b"]" * 100_000, "cannot be read"),
        (b"[1, 2]", "is not a JSON object"),
    ],
)
def test_a_card_that_is_not_a_json_object_is_a_clear_error(
    tmp_path: pathlib.Path, content: bytes, message: str
) -> None:
    (tmp_path / CARD).write_bytes(content)
    with pytest.raises(ModelIntegrityError, match=message):
        read_card(tmp_path)


@pytest.mark.parametrize(
    "card",
    [
        {"libraries": ["scikit-learn"], "artifacts": {}},
        {"libraries": {"scikit-learn": sklearn.__version__}, "artifacts": ["toy"]},
        {"libraries": {"scikit-learn": sklearn.__version__}, "artifacts": {"toy": "toy.skops"}},
        {"libraries": {"scikit-learn": sklearn.__version__}, "artifacts": {"toy": {"file": 1}}},
        {
            "libraries": {"scikit-learn": sklearn.__version__},
            "artifacts": {"toy": {"file": "toy.skops"}},
        },
    ],
)
@LOADERS
def test_a_card_with_misshapen_entries_is_refused(
    tmp_path: pathlib.Path, card: dict[str, Any], load: Any
) -> None:
    _write(tmp_path, _toy())
    with pytest.raises(ModelIntegrityError, match=r"scikit-learn None|no artifact 'toy'"):
        load(tmp_path, "toy", card)


def test_comparing_model_folders_lists_the_card_and_every_listed_file(
    tmp_path: pathlib.Path,
) -> None:
    committed, trained = tmp_path / "committed", tmp_path / "trained"
    committed.mkdir()
    trained.mkdir()
    _write(committed, _toy())
    card = _write(trained, _toy())
    card["artifacts"]["extra"] = {"file": "extra.skops", "sha256": "0" * 64}
    card["artifacts"]["odd"] = {"file": 7}
    (trained / CARD).write_text(json.dumps(card))
    rows = {name: (before, after) for name, before, after in compare_model_dirs(committed, trained)}
    assert set(rows) == {CARD, "toy.skops", "extra.skops"}
    assert rows["toy.skops"][0] == rows["toy.skops"][1] is not None
    assert rows["extra.skops"] == (None, None)
    assert rows[CARD][0] != rows[CARD][1]
