"""``moderation train --labels``: a full training run that learns from moderators' decisions.

Slow (a whole training run, a few minutes): it is the one test that shows the labels reach
every model, the card says what was learned from, and the result loads and scores.
"""

from __future__ import annotations

import json
import pathlib

import pytest
from click.testing import CliRunner

from moderation.classifier import load_scorer
from moderation.classifier.training.run import MODEL_VERSION
from moderation.cli.model_commands import train
from moderation.domain.scores import CommentInput

DATA = pathlib.Path(__file__).resolve().parents[3] / "shared" / "data"


def _labels(path: pathlib.Path) -> pathlib.Path:
    rows = []
    for n in range(10):
        english = {
            "article_id": f"article-{n}",
            "article_title": f"Water talks, round {n}: Kazakhstan and Uzbekistan share the Syr Darya",
            "article_body": "Officials met in Tashkent to agree on water quotas for farmers "
            "along the Syr Darya before the irrigation season.",
            "article_language": "en",
            "language": "en",
        }
        russian = {
            "article_id": f"ru-article-{n}",
            "article_title": f"Переговоры о воде, раунд {n}: Казахстан и Узбекистан делят Сырдарью",
            "article_body": "Чиновники встретились в Ташкенте, чтобы согласовать квоты на воду "
            "для фермеров вдоль Сырдарьи перед поливным сезоном.",
            "article_language": "ru",
            "language": "ru",
        }
        for k, (text, label, reason, article) in enumerate(
            [
                (f"Thanks for the report on the water talks, round {n}.", "approve", None, english),
                (f"You are a worthless clown, author {n}.", "reject", "abusive", english),
                (f"Call the fortune teller Aliya, she removes curses, {n}00 tenge!",
                 "reject", "spam", english),
                (f"Who won the football match last night? Asking for {n} friends.",
                 "reject", "off_topic", english),
                (f"Спасибо за статью о переговорах по воде, раунд {n}.", "approve", None, russian),
                (f"Автор клоун никчёмный, статья {n} позор.", "reject", "abusive", russian),
                (f"Кто знает хороший рецепт плова? Гостей будет {n}.",
                 "reject", "off_topic", russian),
                (f"Гадалка Алия снимет порчу и венец безбрачия, всего {n}00 тенге!",
                 "reject", "spam", russian),
            ]
        ):  # fmt: skip
            rows.append(
                {
                    "comment_id": f"{n}-{k}",
                    "text": text,
                    "label": label,
                    "reason_code": reason,
                    **article,
                }
            )
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    return path


@pytest.mark.slow
@pytest.mark.skipif(not (DATA / "socc_c3").is_dir(), reason="../shared/data not available")
def test_train_with_labels_learns_from_them_and_says_so(tmp_path: pathlib.Path) -> None:
    labels = _labels(tmp_path / "labels.jsonl")
    out = tmp_path / "models"
    result = CliRunner().invoke(
        train,
        ["--data-dir", str(DATA), "--output-dir", str(out), "--labels", str(labels)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    card = json.loads((out / "model_card.json").read_text())
    assert card["model_version"].startswith(f"{MODEL_VERSION}+newsroom.")
    section = card["newsroom_labels"]
    assert (section["records"], section["languages"]) == (80, {"en": 40, "ru": 40})
    used = section["used"]
    assert (
        used["toxicity_en"]["train"]["comments"] + used["toxicity_en"]["validation"]["comments"]
        == 20
    )
    assert used["toxicity_ru"]["validation"]["articles"] == 3
    assert "newsroom_toxicity_en_train" in card["training_sets"]["toxicity"]
    assert used["off_topic_ru"]["train"]["pairs"] == 7 * 3  # approvals twice, rejections once
    for entry in (
        card["validation"]["toxicity"]["newsroom_labels_validation"],
        card["validation"]["spam"]["newsroom_labels_validation"],
        card["validation"]["off_topic"]["newsroom_labels_validation"],
        card["russian"]["validation"]["newsroom_labels_validation"],
        card["russian"]["off_topic"]["validation"]["newsroom_labels_validation"],
        card["russian"]["spam"]["validation"]["newsroom_labels_validation"],
    ):
        assert entry["n"] > 0 and entry["roc_auc"] is not None
    assert "newsroom_labels" in card["label_mappings"]
    # The newsroom's own spam is learned: its held-out copies score as spam.
    assert card["validation"]["spam"]["newsroom_labels_validation"]["roc_auc"] == 1.0
    scorer = load_scorer(out)
    assert scorer.model_version == card["model_version"]
    (scored,) = scorer.score([CommentInput("Call the fortune teller Aliya, 500 tenge!")])
    assert scored.spam is not None and scored.spam > 0.5
    # ... and the Russian edition's, by the Russian spam head.
    assert used["spam_ru"]["train"]["comments"] + used["spam_ru"]["validation"]["comments"] == 20
    (scored,) = scorer.score([CommentInput("Гадалка Алия снимет порчу, всего 700 тенге!")])
    assert scored.language == "ru" and scored.spam is not None
    assert scored.spam >= card["russian"]["operating_points"]["spam"]["approve_below"]
