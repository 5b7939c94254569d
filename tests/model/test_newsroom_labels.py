"""``moderation evaluate --labels``: the committed models measured on moderators' decisions.

The labels are what ``moderation export-labels`` writes: the example article's two real
reader comments approved under it, plus hand-written comments a moderator would reject.
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

import pytest
from click.testing import CliRunner

from moderation.classifier.evaluation_newsroom import newsroom_report
from moderation.classifier.newsroom_labels import read_labels
from moderation.classifier.scorer import ModerationScorer
from moderation.cli.model_commands import evaluate
from moderation.policy_file import load_policy
from moderation.settings import REPO_ROOT

EXAMPLES = pathlib.Path(__file__).resolve().parents[3] / "shared" / "examples"
POLICY = REPO_ROOT / "config" / "policy.toml"

ENGLISH_TOXIC = [
    "You are a complete idiot and everyone here knows it.",
    "Shut up, you pathetic moron.",
    "Only a brainless fool would write this garbage.",
]
ENGLISH_CIVIL = [
    "Thank you for the detailed report on Blinken and the talks in Astana.",
    "I hope co-operation with the US brings more trade to Central Asia.",
    "Kazakhstan should keep good relations with both Washington and Moscow.",
]
SPAM = [
    "Earn $500 per day from home!!! Visit www.easy-cash.biz now",
    "Subscribe to my channel and check out my video http://bit.ly/abc",
]
RUSSIAN_TOXIC = ["Ты тупой идиот, заткнись уже.", "Автор дебил, пишет полную херню."]
RUSSIAN_CIVIL = [
    "Спасибо за статью, очень интересно было прочитать.",
    "Надеюсь, переговоры помогут торговле в регионе.",
]
OFF_TOPIC = "Does anyone know a good recipe for plov with lamb?"


def _records() -> list[dict[str, Any]]:
    article = json.loads((EXAMPLES / "article.json").read_text(encoding="utf-8"))
    real = [
        json.loads(line)["text"]
        for line in (EXAMPLES / "comments.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    under = {
        "article_id": article["id"],
        "article_title": article["title"],
        "article_body": article["body"],
        "article_language": article["language"],
    }
    rows: list[tuple[str, str, str | None, dict[str, Any]]] = []
    rows += [(t, "approve", None, under) for t in real + ENGLISH_CIVIL + RUSSIAN_CIVIL]
    rows += [(t, "reject", "abusive", under) for t in ENGLISH_TOXIC + RUSSIAN_TOXIC]
    rows += [(t, "reject", "spam", under) for t in SPAM]
    rows += [(OFF_TOPIC, "reject", "off_topic", under)]
    rows += [("Бул жаңылыкты окуп, абдан кубандым, рахмат!", "approve", None, {"article_id": "k"})]
    return [
        {"comment_id": str(i), "text": text, "label": label, "reason_code": reason, **extra}
        for i, (text, label, reason, extra) in enumerate(rows)
    ]


@pytest.fixture
def labels_path(tmp_path: pathlib.Path) -> pathlib.Path:
    if not (EXAMPLES / "article.json").is_file():
        pytest.skip("../shared/examples not available")
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in _records()) + "\n")
    return path


def test_rows_per_score_and_language_separate_the_decisions(
    scorer: ModerationScorer, labels_path: pathlib.Path
) -> None:
    report = newsroom_report(read_labels(labels_path), scorer, scorer.card, load_policy(POLICY))
    rows, notes = report.rows, report.notes
    by_score = {row["score"]: row for row in rows}
    assert set(by_score) >= {"toxicity", "toxicity_ru", "spam", "off_topic"}
    assert by_score["toxicity"]["n"] == 2 + 3 + 3 and by_score["toxicity"]["positives"] == 3
    # Clearly toxic against clearly civil, each language by its own model.
    assert by_score["toxicity"]["roc_auc"] == 1.0
    assert by_score["toxicity_ru"]["roc_auc"] == 1.0
    assert by_score["spam"]["roc_auc"] >= 0.9
    # The plov question is the one off-topic rejection; approved comments are its negatives.
    off_topic = by_score["off_topic"]  # Russian comments under this English article: no score
    assert (off_topic["n"], off_topic["positives"], off_topic["roc_auc"]) == (6, 1, 1.0)
    assert any("ky 1" in note and "unsupported_language" in note for note in notes)
    assert any(note.startswith("toxicity: 0 of 3 comments moderators rejected") for note in notes)
    # What the shipped policy would have decided, per kind of moderator decision.
    agreement = {row["moderators"]: row for row in report.agreement}
    assert set(agreement) == {"approve", "reject: toxicity", "reject: spam", "reject: off_topic"}
    assert agreement["approve"]["n"] == 2 + 3 + 2 + 1  # the Kyrgyz comment too
    assert agreement["approve"]["hold"] >= 1  # unsupported language: held for a moderator
    assert agreement["reject: toxicity"]["approve"] == 0  # no insult auto-approved
    assert agreement["reject: spam"]["approve"] == 0
    assert sum(agreement["reject: toxicity"][a] for a in ("approve", "hold", "reject")) == 5
    assert any(note.startswith("policy: 0 of 8 comments moderators rejected") for note in notes)


def test_evaluate_labels_runs_without_the_shared_data(labels_path: pathlib.Path) -> None:
    result = CliRunner().invoke(
        evaluate,
        ["--labels", str(labels_path), "--data-dir", str(labels_path.parent / "nowhere")],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "newsroom labels only" in result.stderr
    lines = [
        line for line in result.stdout.splitlines() if "newsroom_labels (labels.jsonl)" in line
    ]
    assert {line.split()[0] for line in lines} >= {"toxicity", "toxicity_ru", "spam", "off_topic"}
    assert "against the moderators' decisions:" in result.stdout
    assert re.search(r"^reject: toxicity +5 +0 \(0\.0%\)", result.stdout, re.MULTILINE)


def test_evaluate_refuses_a_broken_labels_file_by_line(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text('{"comment_id": "1"}\n', encoding="utf-8")
    result = CliRunner().invoke(evaluate, ["--labels", str(path)])
    assert result.exit_code == 1
    assert "labels.jsonl line 1:" in result.output and "text:" in result.output
    assert "Traceback" not in result.output


def test_evaluate_labels_suggests_points_from_enough_decisions(tmp_path: pathlib.Path) -> None:
    """40 rejected insults and 40 approved comments over 8 articles: enough for a point."""
    insults = ["idiot", "moron", "pathetic liar", "brainless fool", "disgusting clown"]
    topics = ["the rebate", "the minister", "the tax", "the council", "the budget"]
    records = []
    for i in range(40):
        insult, topic = insults[i % 5], topics[(i // 5) % 5]
        records += [
            {"comment_id": f"t{i}", "article_id": f"a{i % 8}", "label": "reject",
             "reason_code": "abusive", "text": f"Anyone who defends {topic} is a {insult} ({i})."},
            {"comment_id": f"c{i}", "article_id": f"a{i % 8}", "label": "approve",
             "reason_code": None, "text": f"I read the piece on {topic} twice ({i}), thank you."},
        ]  # fmt: skip
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        evaluate,
        ["--labels", str(path), "--data-dir", str(tmp_path / "nowhere")],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "operating points chosen on the moderators' decisions" in out
    row = re.search(r"^toxicity +en +80 +40 +(0\.\d+) +(0\.\d+) .*$", out, re.MULTILINE)
    assert row is not None, out
    card_point = json.loads((REPO_ROOT / "models" / "model_card.json").read_text())[
        "operating_points"
    ]["toxicity"]["approve_below"]
    assert float(row.group(1)) == card_point
    suggested = re.search(r"^  \[thresholds\.toxicity\] approve_below = (0\.\d+)", out, re.M)
    assert suggested is not None
    # Every insult scores above every thank-you here, so the point separates them.
    assert float(suggested.group(1)) > card_point
    assert "points: spam (en) has 0 rejections and 40 approvals" in out
