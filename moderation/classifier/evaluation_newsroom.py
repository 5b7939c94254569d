"""Rows for ``moderation evaluate --labels``: the served models on the newsroom's own decisions.

Every labelled comment goes through the same scorer the worker uses (language routing, the
article when the export has it), so the figures are what the service would have said. Rows
are per score and language (``toxicity`` / ``toxicity_ru`` ...), flagged at the operating
points the policy defaults to; English toxicity also has alt-profanity-check beside it when
it is installed. The notes say, per score, how many comments moderators rejected for it would
have passed that score's approve point: the misses a newsroom should look at before it lets
the service approve on its own. With the policy, it also says what the service would have
decided for each kind of moderator decision: the auto-approval misses and the moderators'
workload, in one table. And it suggests operating points chosen on the newsroom's own
decisions (:mod:`~moderation.classifier.newsroom_points`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from moderation.classifier import Scorer
from moderation.classifier.language_routing import route
from moderation.classifier.newsroom_labels import LabelFile, NewsroomLabel
from moderation.classifier.newsroom_points import Sample, suggest
from moderation.classifier.newsroom_points import notes as points_notes
from moderation.classifier.text_features import MAX_CHARS
from moderation.classifier.training.operating_points import metrics
from moderation.domain.policy import Policy, decide
from moderation.domain.scores import CommentInput, CommentScores

LANGUAGES = ("en", "ru")
SCORES = ("toxicity", "spam", "off_topic")
BATCH = 256


@dataclass(frozen=True)
class NewsroomReport:
    rows: list[dict[str, Any]]  # per score and language, like the shared sets' rows
    notes: list[str]
    agreement: list[dict[str, Any]]  # the policy's actions per kind of moderator decision
    points: list[dict[str, Any]]  # operating points chosen on these labels (newsroom_points)


def newsroom_report(
    label_file: LabelFile,
    scorer: Scorer,
    card: dict[str, Any],
    policy: Policy | None = None,
    baseline: Callable[[list[str]], Any] | None = None,
) -> NewsroomReport:
    """Score the labelled comments once; measure the scores and, with ``policy``, the
    decisions the service would have made against the moderators' ones."""
    scores = _score(scorer, label_file.labels)
    measured = samples(label_file.labels, scores)
    rows, notes = newsroom_rows(label_file, scores, measured, card, baseline)
    points, caveats = suggested_points(measured, card)
    notes += caveats
    if policy is None:
        return NewsroomReport(rows, notes, [], points)
    agreement = policy_agreement(label_file.labels, scores, policy)
    return NewsroomReport(rows, notes + agreement_notes(agreement), agreement, points)


DECISION_GROUPS = ("approve", "reject: toxicity", "reject: spam", "reject: off_topic",
                   "reject: other")  # fmt: skip
ACTIONS = ("approve", "hold", "reject")


def decision_group(label: NewsroomLabel) -> str:
    if label.label == "approve":
        return "approve"
    for score in SCORES:
        if label.target(score) == 1:
            return f"reject: {score}"
    return "reject: other"


def policy_agreement(
    labels: Sequence[NewsroomLabel], scores: Sequence[CommentScores], policy: Policy
) -> list[dict[str, Any]]:
    """Per kind of moderator decision: how many comments, and how many of them the policy
    would have approved, held and rejected on its own."""
    counts: dict[str, Counter[str]] = {}
    for label, scored in zip(labels, scores, strict=True):
        action = decide(scored, policy).action.value
        counts.setdefault(decision_group(label), Counter())[action] += 1
    return [
        {"moderators": group, "n": sum(counts[group].values()),
         **{action: counts[group][action] for action in ACTIONS}}
        for group in DECISION_GROUPS
        if group in counts
    ]  # fmt: skip


def agreement_notes(agreement: Sequence[dict[str, Any]]) -> list[str]:
    """The three numbers a moderation lead asks first, from :func:`policy_agreement`."""
    rejected = [r for r in agreement if r["moderators"] != "approve"]
    approved = [r for r in agreement if r["moderators"] == "approve"]
    notes = []
    if rejected:
        n = sum(r["n"] for r in rejected)
        passed = sum(r["approve"] for r in rejected)
        notes.append(
            f"policy: {passed} of {n} comments moderators rejected would have been approved "
            f"without a moderator ({_share(passed, n)})."
        )
    if approved:
        n, held, rejected_too = approved[0]["n"], approved[0]["hold"], approved[0]["reject"]
        notes.append(
            f"policy: of {n} comments moderators approved, {held} would have waited for a "
            f"moderator ({_share(held, n)}) and {rejected_too} been rejected without one "
            f"({_share(rejected_too, n)})."
        )
    return notes


def format_agreement(agreement: Sequence[dict[str, Any]]) -> str:
    """The agreement as a text table: counts and shares of each row."""
    header = ["moderators", "n", *(f"policy: {a}" for a in ACTIONS)]
    cells = [
        [r["moderators"], str(r["n"]), *(f"{r[a]} ({_share(r[a], r['n'])})" for a in ACTIONS)]
        for r in agreement
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def _share(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"


def newsroom_rows(
    label_file: LabelFile,
    scores: Sequence[CommentScores],
    measured: Sequence[tuple[Sample, list[str]]],
    card: dict[str, Any],
    baseline: Callable[[list[str]], Any] | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """(table rows, notes) for the labels in ``label_file``, scored as ``scores`` and grouped
    per score and language as ``measured`` (:func:`samples`)."""
    labels = label_file.labels
    set_name = f"newsroom_labels ({label_file.path.name})"
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for sample, texts in measured:
        score, language = sample.score, sample.language
        y, p = sample.labels, sample.scores
        point = operating_point(card, score, language)
        name = score if language == "en" else f"{score}_{language}"
        model = str(card["model_version"])
        rows.append({"score": name, "set": set_name, "model": model, **metrics(y, p, point)})
        if baseline is not None and score == "toxicity" and language == "en":
            theirs = np.asarray(baseline(list(texts)), dtype=np.float64)
            flat = {"approve_below": 0.5, "reject_at_or_above": 0.5}
            rows.append(
                {
                    "score": name,
                    "set": set_name,
                    "model": "alt-profanity-check",
                    **metrics(y, theirs, flat),
                }
            )
        if point is not None and y.sum():
            passed = int(((p < point["approve_below"]) & (y == 1)).sum())
            notes.append(
                f"{name}: {passed} of {int(y.sum())} comments moderators rejected for "
                f"{score.replace('_', '-')} score below its approve point "
                f"({point['approve_below']}): that score alone would not have held them."
            )
    other = Counter(s.language for s in scores if route(s.language) not in LANGUAGES)
    if other:
        listed = ", ".join(f"{lang} {n}" for lang, n in sorted(other.items()))
        notes.append(
            f"{sum(other.values())} labelled comments in other languages ({listed}) are not "
            "scored: the policy's unsupported_language action decides them (hold by default)."
        )
    notes.append(
        f"newsroom labels: {len(labels)} comments from {label_file.path.name} "
        f"(sha256 {label_file.sha256[:12]}...), mapped as: approve -> 0 for every score; "
        "rejections count for the score their reason code names."
    )
    return rows, notes


def samples(
    labels: Sequence[NewsroomLabel], scores: Sequence[CommentScores]
) -> list[tuple[Sample, list[str]]]:
    """Per language and score, the labels that speak to it (with their texts), scored."""
    out = []
    for language in LANGUAGES:
        for score in SCORES:
            kept = [
                (x.text, target, value, x.article_id)
                for x, s in zip(labels, scores, strict=True)
                if route(s.language) == language
                and (target := x.target(score)) is not None
                and (value := getattr(s, score)) is not None
            ]
            if kept:
                y = np.array([k[1] for k in kept])
                p = np.array([k[2] for k in kept], dtype=np.float64)
                sample = Sample(score, language, y, p, [k[3] for k in kept])
                out.append((sample, [k[0] for k in kept]))
    return out


def suggested_points(
    measured: Sequence[tuple[Sample, list[str]]], card: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[str]]:
    """(rows, notes): the operating points the newsroom's own decisions choose
    (:mod:`~moderation.classifier.newsroom_points`), next to the card's."""
    rows, skipped = [], []
    for sample, _ in measured:
        row = suggest(sample, operating_point(card, sample.score, sample.language))
        if row is None:
            skipped.append(sample)
        else:
            rows.append(row)
    return rows, points_notes(rows, skipped)


def operating_point(card: dict[str, Any], score: str, language: str) -> dict[str, Any] | None:
    """The card's operating point for ``score`` in ``language`` (the policy's defaults): the
    Russian one where the card has it (a card from before the Russian spam head has none for
    spam: Russian comments then shared the English head and its point)."""
    if language == "ru":
        point = card.get("russian", {}).get("operating_points", {}).get(score)
        if point is not None:
            return dict(point)
    english = card.get("operating_points", {}).get(score)
    return dict(english) if english is not None else None


def _score(scorer: Scorer, labels: Sequence[NewsroomLabel]) -> list[CommentScores]:
    inputs = [
        CommentInput(
            x.text[:MAX_CHARS],
            x.article_title,
            x.article_body,
            x.article_language,
            parent=x.parent_text,
        )
        for x in labels
    ]
    out: list[CommentScores] = []
    for start in range(0, len(inputs), BATCH):
        out += scorer.score(inputs[start : start + BATCH])
    return out
