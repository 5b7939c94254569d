"""Moderators' decisions (``moderation export-labels``) as labelled sets, per score and language.

A newsroom's own decisions are the only labelled data from its own readers. ``moderation
evaluate --labels`` measures the models on them; ``moderation train --labels`` also learns
from the articles it does not hold out. The mapping from a decision to a label is written
once, here (:data:`LABEL_MAPPING`), and copied into the model card:

* an approved comment is a negative for every score (moderators let it stand);
* a rejection says which score it is a positive for by its reason code: offensive, abusive,
  hate speech and harassment are toxicity; spam is spam; off-topic is off-topic;
* other rejections (misinformation, other) say nothing about the scores and are left out, as
  is an off-topic label without the article's text.

The file is untrusted input: every record is validated, and the first bad one stops the run
with its line number. A comment labelled twice keeps its last label (a re-review). How
training splits them per model is :mod:`moderation.classifier.training.newsroom_sets`.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from moderation.classifier.training.sources import Labelled
from moderation.jsonl import NotUtf8, decode, numbered_lines

TOXIC_REASONS = frozenset({"offensive", "abusive", "hate_speech", "harassment"})
SCORE_REASONS = {"toxicity": TOXIC_REASONS, "spam": frozenset({"spam"}), "off_topic": {"off_topic"}}
ALL_REASONS = ("offensive", "abusive", "spam", "off_topic", "hate_speech", "harassment",
               "misinformation", "other")  # fmt: skip
LABEL_MAPPING = (
    "newsroom labels (moderation export-labels): approve -> 0 for toxicity, spam and "
    "off-topic; reject with offensive/abusive/hate_speech/harassment -> toxicity 1; reject "
    "with spam -> spam 1; reject with off_topic -> off-topic 1 (only with the article text); "
    "rejections for misinformation or other are left out; the last label of a comment wins"
)
MAX_TEXT = 20_000  # generous: the service stores at most 1,500 characters per comment
MAX_ARTICLE = 200_000
MAX_LINE_BYTES = 4 * (MAX_TEXT + 2 * MAX_ARTICLE) + 100_000  # UTF-8: at most 4 bytes a character
HELD_OUT_SHARE = 0.3  # of the newsroom's articles, held out for validation by train --labels


class LabelFileError(ValueError):
    """A labels file that cannot be used; the message names the line."""


class _RecordSchema(Schema):
    """One line of ``moderation export-labels`` (fields it does not need are ignored)."""

    class Meta:
        unknown = EXCLUDE

    comment_id = fields.String(required=True, validate=validate.Length(1, 128))
    article_id = fields.String(required=True, validate=validate.Length(1, 128))
    text = fields.String(required=True, validate=validate.Length(1, MAX_TEXT))
    label = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    reason_code = fields.String(load_default=None, allow_none=True)
    language = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16))
    article_title = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=MAX_ARTICLE)
    )
    article_body = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=MAX_ARTICLE)
    )
    article_language = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=16)
    )
    parent_text = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=MAX_TEXT)
    )


@dataclass(frozen=True)
class NewsroomLabel:
    comment_id: str
    article_id: str
    text: str
    label: str  # approve | reject
    reason_code: str | None
    language: str | None  # as detected when the comment was scored
    article_title: str | None = None
    article_body: str | None = None
    article_language: str | None = None
    parent_text: str | None = None  # the comment it replies to (off-topic reads it)

    def target(self, score: str) -> int | None:
        """1 or 0 for ``score``, or None when this decision says nothing about it."""
        if self.label == "approve":
            return 0
        return 1 if self.reason_code in SCORE_REASONS[score] else None


@dataclass(frozen=True)
class LabelFile:
    path: pathlib.Path
    sha256: str
    labels: list[NewsroomLabel]
    lines: int  # records read, before later labels replaced earlier ones
    relabelled: int  # records that replaced an earlier label of the same comment

    def summary(self) -> dict[str, object]:
        """What the model card records about the file."""
        return {
            "file": self.path.name,
            "sha256": self.sha256,
            "records": self.lines,
            "comments": len(self.labels),
            "relabelled": self.relabelled,
            "decisions": dict(sorted(Counter(_decision(x) for x in self.labels).items())),
            "mapping": LABEL_MAPPING,
        }


def read_labels(path: pathlib.Path) -> LabelFile:
    """Read and validate a JSONL export; raises :class:`LabelFileError` naming the bad line.

    Read line by line (:func:`moderation.jsonl.numbered_lines`), each line at most
    :data:`MAX_LINE_BYTES`.
    """
    digest = hashlib.sha256()
    by_comment: dict[str, NewsroomLabel] = {}
    lines = relabelled = 0
    try:
        with path.open("rb") as handle:
            for number, raw in numbered_lines(handle, MAX_LINE_BYTES):
                where = f"{path.name} line {number}"
                if raw is None:
                    raise LabelFileError(f"{where}: longer than {MAX_LINE_BYTES:,} bytes")
                digest.update(raw)
                try:
                    line = decode(raw)
                except NotUtf8 as error:
                    raise LabelFileError(f"{where}: {error}") from None
                if not line.strip():
                    continue
                label = _parse(line, where)
                lines += 1
                relabelled += label.comment_id in by_comment
                by_comment.pop(label.comment_id, None)  # keep the file's order of last labels
                by_comment[label.comment_id] = label
    except OSError as error:
        raise LabelFileError(f"cannot read {path}: {error.strerror or error}") from None
    if not by_comment:
        raise LabelFileError(f"{path} holds no labels")
    return LabelFile(path, digest.hexdigest(), list(by_comment.values()), lines, relabelled)


def _parse(line: str, where: str) -> NewsroomLabel:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise LabelFileError(f"{where}: not JSON ({error.msg})") from None
    except RecursionError:
        raise LabelFileError(f"{where}: JSON nested too deeply to be read") from None
    if not isinstance(record, dict):
        raise LabelFileError(f"{where}: expected a JSON object")
    try:
        data = _RecordSchema().load(record)
    except ValidationError as error:
        problems = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in _flat(error.messages))
        raise LabelFileError(f"{where}: {problems}") from None
    reason = data["reason_code"]
    if data["label"] == "reject" and reason not in ALL_REASONS:
        raise LabelFileError(
            f"{where}: reason_code: a rejection needs one of {', '.join(ALL_REASONS)}"
        )
    return NewsroomLabel(
        data["comment_id"],
        data["article_id"],
        data["text"],
        data["label"],
        reason if data["label"] == "reject" else None,
        base_language(data["language"]),
        data["article_title"],
        data["article_body"],
        data["article_language"],
        data["parent_text"] or None,
    )


def _flat(messages: object) -> Iterable[tuple[str, list[object]]]:
    if isinstance(messages, dict):
        for key, value in sorted(messages.items(), key=lambda kv: str(kv[0])):
            yield str(key), value if isinstance(value, list) else [value]
    else:
        yield "record", [messages]


def base_language(tag: str | None) -> str | None:
    """``ru-RU`` -> ``ru``; None stays None (unknown)."""
    return tag.split("-")[0].split("_")[0].lower() or None if tag else None


def _decision(label: NewsroomLabel) -> str:
    return label.label if label.reason_code is None else f"reject/{label.reason_code}"


def labelled(labels: Iterable[NewsroomLabel], score: str, name: str) -> Labelled:
    """The comments whose decision says something about ``score``, grouped by article."""
    kept = [(x, y) for x in labels if (y := x.target(score)) is not None]
    return Labelled(
        name,
        [x.text for x, _ in kept],
        [y for _, y in kept],
        [x.article_id for x, _ in kept],
    )


def in_language(labels: Iterable[NewsroomLabel], language: str) -> list[NewsroomLabel]:
    """Labels of comments detected as ``language`` when they were scored."""
    return [x for x in labels if x.language == language]


def with_languages(labels: Iterable[NewsroomLabel]) -> list[NewsroomLabel]:
    """``labels``, each with a language: as recorded, else detected as the service would."""
    labels = list(labels)
    if all(x.language for x in labels):
        return labels
    from dataclasses import replace

    from moderation.classifier.language import LanguageDetector
    from moderation.classifier.language_routing import refine_language

    detector = LanguageDetector()
    return [
        x if x.language else replace(x, language=refine_language(x.text, detector.detect(x.text)).language)
        for x in labels
    ]  # fmt: skip
