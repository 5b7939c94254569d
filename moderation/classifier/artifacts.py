"""Save and load model artifacts with skops, refusing anything the model card does not vouch for.

pickle and joblib execute code on load; skops does not, as long as we name the exact types we
trust. Before loading we also check the artifact's sha256 and the scikit-learn version it was
trained with against ``model_card.json``: a silently different file or library is a different
model, and scores from it would not match the card's operating points.

Two ways to load, after the same checks: :func:`load_artifact` (``skops.io.load``: the fitted
scikit-learn objects, for training, evaluation and tests) and :func:`read_artifact` (what
serving needs, read without importing scikit-learn or skops: :mod:`.artifact_reader`).
This module imports neither until it has to.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import pathlib
import re
import zipfile
from typing import Any

from moderation.classifier.artifact_reader import (
    FEATURISERS,
    UnreadableArtifact,
    read_artifact_file,
)

CARD = "model_card.json"
_OBJECT_ID = re.compile(r'(?<="__id__": )\d+|(?<=")\d+(?=\.np[yz]")')
ARTIFACTS = {
    "toxicity": "toxicity.skops",
    "spam": "spam.skops",
    "off_topic": "off_topic.skops",
    "toxicity_ru": "toxicity_ru.skops",
    "spam_ru": "spam_ru.skops",
    "off_topic_ru": "off_topic_ru.skops",
}
# Artifacts a model set trained before they existed does not have: loaded when its card lists
# them. Without spam_ru, Russian comments take the shared spam head, as they did then.
OPTIONAL = frozenset({"spam_ru"})
# Our featurisers (the training estimators the artifacts name and the plain classes inside
# them or in older model sets: artifact_reader.FEATURISERS) plus the one non-sklearn container
# they hold. sklearn and numpy types are trusted by skops itself; everything else makes
# loading fail.
TRUSTED_TYPES = (*sorted(FEATURISERS), "scipy.sparse._csr.csr_matrix")


class ModelIntegrityError(RuntimeError):
    """An artifact or its model card does not match what is installed or recorded."""


def sha256_of(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_artifact(obj: Any, path: pathlib.Path) -> str:
    """Write ``obj`` with skops and return the file's sha256.

    skops stamps zip entries with the current time; we rewrite them with a fixed time so a
    retrain with the same data and seed reproduces the committed bytes exactly.
    """
    import skops.io as sio

    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    sio.dump(obj, buffer)
    with zipfile.ZipFile(buffer) as source:
        members = {info.filename: source.read(info.filename) for info in source.infolist()}
    # skops names objects by id(), which changes between runs: renumber in schema order.
    schema = members.pop("schema.json").decode("utf-8")
    renumber: dict[str, str] = {}
    for found in _OBJECT_ID.findall(schema):
        renumber.setdefault(found, str(len(renumber) + 1))
    schema = _OBJECT_ID.sub(lambda m: renumber[m.group()], schema)
    renamed = {_rename(name, renumber): data for name, data in members.items()}
    renamed["schema.json"] = schema.encode("utf-8")
    with zipfile.ZipFile(path, "w") as target:
        for name in sorted(renamed):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, renamed[name], compresslevel=6)
    return sha256_of(path)


def _rename(name: str, renumber: dict[str, str]) -> str:
    stem, dot, suffix = name.partition(".")
    return f"{renumber.get(stem, stem)}{dot}{suffix}"


def compare_model_dirs(
    committed: pathlib.Path, trained: pathlib.Path
) -> list[tuple[str, str | None, str | None]]:
    """``(file, sha256 in committed, sha256 in trained)`` for the model card and every file
    either card lists (None: not there), in name order."""
    names = {CARD}
    for directory in (committed, trained):
        try:
            entries = read_card(directory).get("artifacts")
        except ModelIntegrityError:
            continue
        if isinstance(entries, dict):
            names |= {
                e["file"]
                for e in entries.values()
                if isinstance(e, dict) and isinstance(e.get("file"), str)
            }
    return [
        (name, _sha_or_none(committed / name), _sha_or_none(trained / name))
        for name in sorted(names)
    ]


def _sha_or_none(path: pathlib.Path) -> str | None:
    try:
        return sha256_of(path)
    except OSError:
        return None


def read_card(models_dir: pathlib.Path) -> dict[str, Any]:
    path = models_dir / CARD
    if not path.is_file():
        raise ModelIntegrityError(f"no model card at {path}; run `moderation train` first")
    try:
        card = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ModelIntegrityError(f"the model card {path} cannot be read: {exc}") from exc
    if not isinstance(card, dict):
        raise ModelIntegrityError(f"the model card {path} is not a JSON object")
    return card


def artifact_names(card: dict[str, Any]) -> list[str]:
    """The artifacts to load for ``card``: every required one, and the optional ones it lists."""
    listed = card.get("artifacts")
    listed = listed if isinstance(listed, dict) else {}
    return [name for name in ARTIFACTS if name not in OPTIONAL or name in listed]


def installed_scikit_learn() -> str:
    """The installed scikit-learn's version, read from its package metadata (no import)."""
    return importlib.metadata.version("scikit-learn")


def verified_path(models_dir: pathlib.Path, name: str, card: dict[str, Any]) -> pathlib.Path:
    """The file of artifact ``name``, after checking the scikit-learn version the card records
    and the file's sha256 against it."""
    libraries = card.get("libraries")
    recorded = libraries.get("scikit-learn") if isinstance(libraries, dict) else None
    installed = installed_scikit_learn()
    if recorded != installed:
        raise ModelIntegrityError(
            f"model card says scikit-learn {recorded}, installed is {installed}; "
            "retrain or install the recorded version"
        )
    artifacts = card.get("artifacts")
    entry = artifacts.get(name) if isinstance(artifacts, dict) else None
    if not (
        isinstance(entry, dict)
        and isinstance(entry.get("file"), str)
        and isinstance(entry.get("sha256"), str)
    ):
        raise ModelIntegrityError(f"model card has no artifact {name!r} (its file and sha256)")
    path = models_dir / entry["file"]
    if not path.is_file():
        raise ModelIntegrityError(f"artifact {path} is missing")
    actual = sha256_of(path)
    if actual != entry["sha256"]:
        raise ModelIntegrityError(
            f"{path} has sha256 {actual}, the model card records {entry['sha256']}"
        )
    return path


def load_artifact(models_dir: pathlib.Path, name: str, card: dict[str, Any]) -> Any:
    """Load artifact ``name`` with skops after checking versions, checksum and types: the
    fitted scikit-learn objects."""
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    path = verified_path(models_dir, name, card)
    # skops refuses any type it does not trust and we do not name, before constructing
    # anything; one read of the file (asking get_untrusted_types first read it twice).
    try:
        return sio.load(path, trusted=list(TRUSTED_TYPES))
    except UntrustedTypesFoundException as error:
        untrusted = sorted(set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
        raise ModelIntegrityError(f"{path} contains untrusted types: {untrusted}") from error


def read_artifact(models_dir: pathlib.Path, name: str, card: dict[str, Any]) -> Any:
    """Read artifact ``name`` for serving after the same checks as :func:`load_artifact`:
    our featurisers and the saved attributes of scikit-learn's objects, without importing
    scikit-learn (:mod:`moderation.classifier.artifact_reader`)."""
    path = verified_path(models_dir, name, card)
    try:
        return read_artifact_file(path)
    except UnreadableArtifact as error:
        raise ModelIntegrityError(f"{path}: {error}") from error
