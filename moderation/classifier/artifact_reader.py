"""Read a skops artifact into what serving needs, without importing scikit-learn or skops.

Serving needs a fitted model's arrays, not scikit-learn's classes, and importing scikit-learn
and skops was most of a worker's start (docs/models.md, "Load time"). A skops file is a zip of
``schema.json`` (the saved object tree) and ``.npy`` / ``.npz`` arrays. This reader walks the
tree and builds only:

* our featurisers, as the plain classes with their serving methods (:data:`FEATURISERS`: each
  saved type, the training estimator or the plain class itself, to the plain class);
* scikit-learn's ``Pipeline``, ``FeatureUnion``, ``LogisticRegression`` and ``StandardScaler``
  as :class:`Fitted` records of their saved attributes (``steps``, ``coef_``, ``scale_``...):
  never their classes;
* dicts with string keys, lists, tuples, JSON values, numpy arrays and float64/int64 scalars
  (``numpy.load`` with ``allow_pickle=False``) and CSR matrices (their npz arrays, likewise).

Anything else is refused with :class:`UnreadableArtifact`, as ``skops.io.load`` refuses types
it is not told to trust; unlike it, nothing named in the file is imported or called. Tests check
that this reads every committed artifact into the same arrays as ``skops.io.load`` and that
both give the same scores.
"""

from __future__ import annotations

import json
import pathlib
import zipfile
from typing import Any

import numpy as np
import scipy.sparse as sp

from moderation.classifier.lexicon import ToxicLexicon
from moderation.classifier.lexicon_ru import RussianLexicon
from moderation.classifier.off_topic_features import OffTopicFeatures
from moderation.classifier.off_topic_features_ru import RussianOffTopicFeatures
from moderation.classifier.spam_cues import SpamCues
from moderation.classifier.text_features import TextFeatures
from moderation.classifier.text_features_ru import RussianTextFeatures, RussianWordBoundedFeatures

PROTOCOL = 2  # the skops file format this reader knows (skops 0.10 and later write it)
_TRAINING = "moderation.classifier.training.estimators"
# The featurisers training fits in a pipeline, each as "<its name>Estimator" in
# training/estimators.py (a test holds the two lists together).
_ESTIMATED = (
    TextFeatures,
    RussianWordBoundedFeatures,
    ToxicLexicon,
    RussianLexicon,
    OffTopicFeatures,
    RussianOffTopicFeatures,
    SpamCues,
)
# Saved type -> the class serving builds. Artifacts name the training estimators; the plain
# classes are saved inside them (off-topic's n-grams, RussianTextFeatures among them), and
# model sets trained before the estimators existed name the plain classes alone.
FEATURISERS: dict[str, type[Any]] = {
    f"{c.__module__}.{c.__name__}": c for c in (*_ESTIMATED, RussianTextFeatures)
} | {f"{_TRAINING}.{c.__name__}Estimator": c for c in _ESTIMATED}
SKLEARN_RECORDS = frozenset(
    {
        "sklearn.pipeline.Pipeline",
        "sklearn.pipeline.FeatureUnion",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.preprocessing._data.StandardScaler",
    }
)
_SCALARS = {"numpy.float64": np.float64, "numpy.int64": np.int64}
_KEY_TYPES = {"builtins.str": str, "builtins.int": int}


class UnreadableArtifact(ValueError):
    """The file is not a skops artifact this reader can build, or holds a type it refuses."""


class Fitted:
    """The saved attributes of a fitted scikit-learn object (``coef_``, ``steps``, ...)."""

    def __init__(self, type_name: str, attributes: dict[str, Any]) -> None:
        self.type_name = type_name
        self.__dict__.update(attributes)

    def __getattr__(self, name: str) -> Any:  # only called for a missing attribute
        raise AttributeError(f"the saved {self.type_name} has no attribute {name!r}")

    @property
    def named_steps(self) -> dict[str, Any]:
        """A Pipeline's steps by name, as ``Pipeline.named_steps`` gives them."""
        return dict(self.steps)


def read_artifact_file(path: pathlib.Path) -> Any:
    """The object saved in the skops file at ``path``, built as the module docstring says."""
    try:
        with zipfile.ZipFile(path) as archive:
            schema = json.loads(archive.read("schema.json").decode("utf-8"))
            if not isinstance(schema, dict) or schema.get("protocol") != PROTOCOL:
                found = schema.get("protocol") if isinstance(schema, dict) else None
                raise UnreadableArtifact(
                    f"it is skops protocol {found}, this reader knows {PROTOCOL}"
                )
            return _Reader(archive).build(schema)
    except UnreadableArtifact:
        raise
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile, RecursionError) as error:
        raise UnreadableArtifact(f"it cannot be read as a skops artifact: {error!r}") from error


class _Reader:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.built: dict[int, Any] = {}  # skops writes an object once and refers to it by id

    def build(self, node: dict[str, Any]) -> Any:
        ident = node.get("__id__")
        if ident is not None and ident in self.built:
            return self.built[ident]
        value = self._build(node)
        if ident is not None:
            self.built[ident] = value
        return value

    def _build(self, node: dict[str, Any]) -> Any:
        loader = node["__loader__"]
        type_name = f"{node['__module__']}.{node['__class__']}"
        if loader == "JsonNode":
            return json.loads(node["content"])
        if loader == "ListNode" and type_name == "builtins.list":
            return [self.build(child) for child in node["content"]]
        if loader == "TupleNode" and type_name == "builtins.tuple":
            return tuple(self.build(child) for child in node["content"])
        if loader == "DictNode" and type_name == "builtins.dict":
            return self._dict(node)
        if loader == "NdArrayNode" and node.get("type") == "numpy":
            return self._array(node, type_name)
        if (
            loader == "SparseMatrixNode"
            and node.get("type") == "scipy"
            and type_name == "scipy.sparse._csr.csr_matrix"
        ):
            return self._csr(node["file"])
        if loader == "ObjectNode":
            return self._object(node, type_name)
        raise _untrusted(type_name)

    def _dict(self, node: dict[str, Any]) -> dict[Any, Any]:
        key_types = [self._key_type(t) for t in node["key_types"]["content"]]
        items = node["content"].items()  # one key type per key, or zip raises ValueError
        return {
            kind(key): self.build(value)
            for kind, (key, value) in zip(key_types, items, strict=True)
        }

    def _key_type(self, node: dict[str, Any]) -> type:
        name = f"{node['__module__']}.{node['__class__']}"
        if node["__loader__"] != "TypeNode" or name not in _KEY_TYPES:
            raise _untrusted(name)
        return _KEY_TYPES[name]

    def _array(self, node: dict[str, Any], type_name: str) -> Any:
        if type_name != "numpy.ndarray" and type_name not in _SCALARS:
            raise _untrusted(type_name)
        with self.archive.open(node["file"]) as handle:
            array = np.load(handle, allow_pickle=False)
        return array if type_name == "numpy.ndarray" else _SCALARS[type_name](array)

    def _csr(self, name: str) -> sp.csr_matrix:
        with self.archive.open(name) as handle:
            matrix = sp.load_npz(handle)  # numpy.load with allow_pickle=False underneath
        if not isinstance(matrix, sp.csr_matrix):
            raise UnreadableArtifact(f"a sparse matrix is saved as {type(matrix).__name__}")
        return matrix

    def _object(self, node: dict[str, Any], type_name: str) -> Any:
        cls = FEATURISERS.get(type_name)
        if cls is None and type_name not in SKLEARN_RECORDS:
            raise _untrusted(type_name)  # before building anything it holds
        attributes = self.build(node["content"]) if node.get("content") is not None else {}
        if not isinstance(attributes, dict):
            raise UnreadableArtifact(f"the saved {type_name} has no attribute table")
        if cls is None:
            return Fitted(type_name, attributes)
        instance = object.__new__(cls)
        instance.__dict__.update(attributes)
        return instance


def _untrusted(type_name: str) -> UnreadableArtifact:
    return UnreadableArtifact(f"it contains untrusted types: ['{type_name}']")
