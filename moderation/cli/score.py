"""``moderation score``: score JSONL comments offline through the worker's own code path."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

import click
from marshmallow import EXCLUDE, Schema, ValidationError, fields
from tqdm import tqdm

from moderation import settings
from moderation.classify import score_and_decide
from moderation.decisions import reasons_document
from moderation.domain.policy import Repetition
from moderation.domain.repetition import NEAR_CANDIDATES_CHECKED, CopiesSeen, folded
from moderation.domain.scores import CommentInput
from moderation.jsonl import NotUtf8, decode, numbered_lines
from moderation.policy_file import PolicyError, load_policy
from moderation.schemas import CommentText, SafeString

CHUNK = 256


class ScoreArticleSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    title = SafeString(load_default=None, allow_none=True)
    body = SafeString(load_default=None, allow_none=True)
    language = SafeString(load_default=None, allow_none=True)


class ScoreLineSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.Raw(required=True, validate=lambda v: isinstance(v, (str, int)))
    text = CommentText(required=True)
    article = fields.Nested(ScoreArticleSchema, load_default=None, allow_none=True)
    parent = CommentText(load_default=None, allow_none=True)  # the comment it replies to


# The longest input line read: a comment and its parent (1,500 characters each) under an
# article of up to 200,000 characters (the API's limit), JSON-escaped. Longer lines are refused
# without being held in memory.
MAX_LINE_BYTES = 2 * 1024 * 1024


def _lines(stream: IO[bytes], skip_invalid: bool) -> Iterator[tuple[Any, CommentInput]]:
    schema = ScoreLineSchema()
    for number, line in numbered_lines(stream, MAX_LINE_BYTES):
        try:
            if line is None:
                raise ValidationError(f"the line is longer than {MAX_LINE_BYTES:,} bytes")
            try:
                decoded = decode(line, byte_order_mark=number == 1)
            except NotUtf8 as exc:
                raise ValidationError(str(exc)) from exc
            if not decoded.strip():
                continue
            try:
                raw = json.loads(decoded)
            except RecursionError as exc:
                raise ValidationError("the JSON is nested too deeply to be read") from exc
            if not isinstance(raw, dict):
                raise ValidationError("each line must be a JSON object")
            item = schema.load(raw)
        except (json.JSONDecodeError, ValidationError) as exc:
            detail = exc.messages if isinstance(exc, ValidationError) else exc.msg
            message = f"line {number}: {detail}"
            if not skip_invalid:
                raise click.ClickException(message) from exc
            click.echo(f"skipped {message}", err=True)
            continue
        article = item["article"] or {}
        yield (
            item["id"],
            CommentInput(
                text=item["text"],
                article_title=article.get("title"),
                article_body=article.get("body"),
                article_language=article.get("language"),
                parent=item["parent"],
            ),
        )


def _chunks(items: Iterator[tuple[Any, CommentInput]]) -> Iterator[list[tuple[Any, CommentInput]]]:
    chunk: list[tuple[Any, CommentInput]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Copies:
    """Copies of each text among the earlier lines of the input (the file has no times: the
    policy's repetition window does not apply, its thresholds and ``min_chars`` do; the
    reason's detail names no window)."""

    def __init__(self, rule: Repetition) -> None:
        self.rule = rule
        self.seen = CopiesSeen(rule.similarity, NEAR_CANDIDATES_CHECKED)

    def count(self, text: str) -> int:
        key = folded(text)  # what the fingerprint and the near-copy keys are taken of
        if not self.rule.enabled or len(key) < self.rule.min_chars:
            return 0
        return self.seen.add(key)


@click.command()
@click.option(
    "--input",
    "input_file",
    type=click.File("rb"),
    required=True,
    help="JSONL (UTF-8) with id, text, optional article {title, body, language} and optional parent "
    "(the text of the comment it replies to); - for stdin.",
)
@click.option(
    "--output",
    "output_file",
    type=click.File("w", encoding="utf-8"),
    required=True,
    help="JSONL with id, action, scores, reasons; - for stdout.",
)
@click.option("--models-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option(
    "--policy", "policy_file", type=click.Path(dir_okay=False, path_type=Path), default=None
)
@click.option("--skip-invalid", is_flag=True, help="Report bad lines on stderr and go on.")
def score(
    input_file: IO[bytes],
    output_file: IO[str],
    models_dir: Path | None,
    policy_file: Path | None,
    skip_invalid: bool,
) -> None:
    """Score comments offline exactly as the worker does."""
    from moderation.classifier import load_scorer, settle_after_loading

    config = settings.from_environment()
    try:
        policy = load_policy(policy_file or config["POLICY_FILE"])
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        scorer = load_scorer(models_dir or Path(config["MODELS_DIR"]))
    except Exception as exc:
        raise click.ClickException(f"could not load the models: {exc}") from exc
    settle_after_loading()
    progress = tqdm(unit=" comments", disable=not sys.stderr.isatty(), file=sys.stderr)
    policy = replace(policy, repetition=replace(policy.repetition, window_hours=math.inf))
    copies = _Copies(policy.repetition)
    for chunk in _chunks(_lines(input_file, skip_invalid)):
        inputs = [inp for _, inp in chunk]
        counts = [copies.count(inp.text) for inp in inputs]
        decisions = score_and_decide(scorer, policy, inputs, counts)
        for (comment_id, _), decision in zip(chunk, decisions, strict=True):
            output_file.write(
                json.dumps(
                    {
                        "id": comment_id,
                        "action": decision.action.value,
                        "scores": decision.scores,
                        "language": decision.language,
                        "reasons": reasons_document(decision),
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
        progress.update(len(chunk))
    progress.close()
