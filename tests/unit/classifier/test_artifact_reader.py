"""The serving reader builds skops files into plain objects and refuses everything else."""

from __future__ import annotations

import json
import pathlib
import zipfile
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from moderation.classifier import artifact_reader
from moderation.classifier.artifact_reader import (
    FEATURISERS,
    Fitted,
    UnreadableArtifact,
    read_artifact_file,
)
from moderation.classifier.artifacts import save_artifact
from moderation.classifier.spam_cues import SpamCues
from moderation.classifier.text_features import TextFeatures
from moderation.classifier.training import estimators
from moderation.classifier.training.estimators import SpamCuesEstimator, TextFeaturesEstimator

CORPUS = ["you are an idiot", "what an idiot", "taxes are too high", "a fair article on taxes"]


def test_every_training_estimator_is_read_as_the_featuriser_it_extends() -> None:
    named = {
        f"{cls.__module__}.{name}": cls
        for name, cls in vars(estimators).items()
        if isinstance(cls, type) and cls.__module__ == estimators.__name__
    }
    assert named  # every class there is one of the estimators
    for name, cls in named.items():
        assert FEATURISERS[name] in cls.__mro__[1:], name
    assert {n for n in FEATURISERS if n.startswith(estimators.__name__)} == set(named)
    assert artifact_reader.RussianTextFeatures in FEATURISERS.values()  # inside off_topic_ru


def _saved(tmp_path: pathlib.Path, obj: Any) -> pathlib.Path:
    path = tmp_path / "artifact.skops"
    save_artifact(obj, path)
    return path


def test_a_logistic_regression_is_read_as_its_saved_attributes(tmp_path: pathlib.Path) -> None:
    model = LogisticRegression().fit([[0.0, 1.0], [1.0, 0.0], [0.2, 0.9]], [0, 1, 0])
    read = read_artifact_file(_saved(tmp_path, model))
    assert isinstance(read, Fitted)
    assert read.type_name == "sklearn.linear_model._logistic.LogisticRegression"
    assert np.array_equal(read.coef_, model.coef_) and read.coef_.dtype == model.coef_.dtype
    assert np.array_equal(read.intercept_, model.intercept_)
    with pytest.raises(AttributeError, match="LogisticRegression has no attribute 'predict'"):
        read.predict  # noqa: B018 - the attributes are all there is


def test_a_pipeline_of_estimators_is_read_as_plain_featurisers(tmp_path: pathlib.Path) -> None:
    ngrams = TextFeaturesEstimator(min_df=1).fit(CORPUS)
    union = FeatureUnion([("ngrams", ngrams), ("cues", SpamCuesEstimator().fit(CORPUS))])
    classifier = LogisticRegression().fit(union.transform(CORPUS), [1, 1, 0, 0])
    pipeline = Pipeline([("features", union), ("classifier", classifier)])
    read = read_artifact_file(_saved(tmp_path, pipeline))
    features = read.named_steps["features"]
    assert isinstance(features, Fitted) and features.type_name == "sklearn.pipeline.FeatureUnion"
    read_ngrams = features.transformer_list[0][1]
    assert type(read_ngrams) is TextFeatures  # the plain class: serving has no scikit-learn
    assert type(features.transformer_list[1][1]) is SpamCues
    assert (read_ngrams.transform(CORPUS) != ngrams.transform(CORPUS)).nnz == 0
    assert np.array_equal(read.named_steps["classifier"].coef_, classifier.coef_)


def test_model_sets_saved_before_the_estimators_name_the_plain_class(
    tmp_path: pathlib.Path,
) -> None:
    plain = TextFeatures(min_df=1).fit(CORPUS)
    path = _saved(tmp_path, {"ngrams": plain})
    assert (
        "moderation.classifier.text_features" in zipfile.ZipFile(path).read("schema.json").decode()
    )
    read = read_artifact_file(path)["ngrams"]
    assert type(read) is TextFeatures and np.array_equal(read.hashes_, plain.hashes_)


def test_an_object_saved_once_is_read_once(tmp_path: pathlib.Path) -> None:
    ngrams = TextFeatures(min_df=1).fit(CORPUS)
    read = read_artifact_file(_saved(tmp_path, {"a": ngrams, "b": [ngrams]}))
    assert read["a"] is read["b"][0]


def test_sparse_matrices_scalars_and_containers_are_read_as_saved(
    tmp_path: pathlib.Path,
) -> None:
    matrix = sp.csr_matrix(np.array([[0.0, 1.5, 0.0], [2.0, 0.0, 0.0]]))
    scaler = StandardScaler().fit([[1.0], [3.0]])
    saved = {"m": matrix, "scaler": scaler, "t": (1, "two", None, 2.5), "n": {"x": [True]}}
    read = read_artifact_file(_saved(tmp_path, saved))
    assert isinstance(read["m"], sp.csr_matrix) and (read["m"] != matrix).nnz == 0
    assert read["m"].shape == (2, 3)
    assert read["scaler"].mean_.tolist() == [2.0] and read["scaler"].scale_.tolist() == [1.0]
    assert read["t"] == (1, "two", None, 2.5) and read["n"] == {"x": [True]}


@pytest.mark.parametrize(
    ("obj", "named"),
    [
        (DecisionTreeClassifier().fit([[0.0], [1.0]], [0, 1]), "DecisionTreeClassifier"),
        ({"f": np.log}, "numpy.log"),
        ({"a": np.array(["a", 1], dtype=object)}, "numpy.ndarray"),
        ({"s": {1, 2}}, "builtins.set"),
        ({"c": np.complex128(1j)}, "numpy.complex128"),
    ],
)
def test_other_types_are_refused_before_anything_is_built(
    tmp_path: pathlib.Path, obj: Any, named: str
) -> None:
    with pytest.raises(UnreadableArtifact, match=rf"untrusted types: \['[^']*{named}"):
        read_artifact_file(_saved(tmp_path, obj))


def _zip(tmp_path: pathlib.Path, members: dict[str, bytes]) -> pathlib.Path:
    path = tmp_path / "made.skops"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_malformed_files_are_a_clear_error(tmp_path: pathlib.Path) -> None:
    not_zip = tmp_path / "plain.skops"
    not_zip.write_bytes(b"not a zip at all")
    array = {
        "__class__": "ndarray",
        "__module__": "numpy",
        "__loader__": "NdArrayNode",
        "type": "numpy",
        "file": "1.npy",
        "__id__": 1,
    }
    cases = {
        not_zip: "File is not a zip file",
        _zip(tmp_path, {"1.npy": b""}): "schema.json",
        _zip(tmp_path, {"schema.json": b'{"protocol": 1}'}): "protocol 1",
        _zip(tmp_path, {"schema.json": b"[]"}): "protocol None",
        _zip(tmp_path, {"schema.json": json.dumps({"protocol": 2, **array}).encode()}): "1.npy",
        _zip(tmp_path, {"schema.json": b"\xff"}): "cannot be read",
    }
    for path, message in cases.items():
        with pytest.raises(UnreadableArtifact, match=message):
            read_artifact_file(path)
