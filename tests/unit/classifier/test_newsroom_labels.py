"""Reading moderators' decisions (``export-labels`` JSONL) into labelled sets, and the
sets ``train --labels`` splits them into."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from moderation.classifier.newsroom_labels import (
    HELD_OUT_SHARE,
    LabelFileError,
    labelled,
    read_labels,
    with_languages,
)
from moderation.classifier.training.newsroom_sets import NewsroomSets, newsroom_version
from moderation.classifier.training.sources import Labelled, split_by_article
from moderation.classifier.training.toxicity import newsroom_levels


def record(comment_id: str, label: str = "approve", **fields: Any) -> dict[str, Any]:
    base = {
        "comment_id": comment_id,
        "article_id": fields.pop("article_id", "a1"),
        "text": fields.pop("text", f"comment {comment_id} about the water deal"),
        "label": label,
        "language": "en",
        "model_scores": {"toxicity": 0.1},  # export fields training does not need are ignored
    }
    return {**base, **fields}


def under(article: str, **fields: Any) -> dict[str, Any]:
    """A record's fields for a comment under ``article``, with the article's text."""
    return {"article_id": article, "article_title": f"Title {article}",
            "article_body": f"Body of {article}", **fields}  # fmt: skip


def write(tmp_path: pathlib.Path, *records: object, raw: str = "") -> pathlib.Path:
    path = tmp_path / "labels.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n" + raw, encoding="utf-8")
    return path


def test_reads_an_export_and_keeps_the_last_label_of_a_comment(tmp_path: pathlib.Path) -> None:
    path = write(
        tmp_path,
        record("1", "approve"),
        record("2", "reject", reason_code="spam"),
        record("1", "reject", reason_code="abusive"),  # a re-review of comment 1
    )
    read = read_labels(path)
    assert [(x.comment_id, x.label, x.reason_code) for x in read.labels] == [
        ("2", "reject", "spam"),
        ("1", "reject", "abusive"),
    ]
    assert (read.lines, read.relabelled) == (3, 1)
    assert len(read.sha256) == 64
    assert read.summary()["decisions"] == {"reject/abusive": 1, "reject/spam": 1}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({"comment_id": "1", "article_id": "a", "label": "approve"}), "text:"),
        (json.dumps(record("1", "maybe")), "label:"),
        (json.dumps(record("1", "reject")), "reason_code: a rejection needs one of"),
        (
            json.dumps(record("1", "reject", reason_code="rude")),
            "reason_code: a rejection needs one of",
        ),
        (json.dumps(record("1", text="x" * 20_001)), "text:"),
        (json.dumps(record("1", text="")), "text:"),
        (json.dumps({**record("1"), "comment_id": 7}), "comment_id:"),
    ],
)
def test_a_bad_record_is_a_clear_error_naming_its_line(
    tmp_path: pathlib.Path, content: str, message: str
) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(f"{json.dumps(record('0'))}\n\n{content}\n", encoding="utf-8")
    with pytest.raises(LabelFileError, match=f"labels.jsonl line 3: {message}"):
        read_labels(path)


def test_line_separators_inside_a_comment_do_not_split_its_record(
    tmp_path: pathlib.Path,
) -> None:
    text = "first part\u2028second part\x85third\u2029end"
    read = read_labels(write(tmp_path, record("1", text=text)))
    assert [x.text for x in read.labels] == [text]


def test_an_over_long_line_is_refused_without_reading_it_whole(tmp_path: pathlib.Path) -> None:
    from moderation.classifier.newsroom_labels import MAX_LINE_BYTES

    path = write(tmp_path, record("1"), raw="x" * (MAX_LINE_BYTES + 10) + "\n")
    with pytest.raises(LabelFileError, match=r"labels\.jsonl line 2: longer than"):
        read_labels(path)


def test_a_file_without_labels_is_refused(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(LabelFileError, match="holds no labels"):
        read_labels(path)


def test_unreadable_and_non_utf8_files_are_clear_errors(tmp_path: pathlib.Path) -> None:
    with pytest.raises(LabelFileError, match="cannot read"):
        read_labels(tmp_path / "missing.jsonl")
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b'{"text": "\xff\xfe"}\n')
    with pytest.raises(LabelFileError, match="not UTF-8"):
        read_labels(binary)
    nested = tmp_path / "nested.jsonl"
    nested.write_bytes(b"[" * 50_000 + b"\n")
    with pytest.raises(LabelFileError, match=r"nested\.jsonl line 1: JSON nested too deeply"):
        read_labels(nested)


def test_each_decision_labels_only_the_scores_it_speaks_for(tmp_path: pathlib.Path) -> None:
    path = write(
        tmp_path,
        record("ok", "approve"),
        record("rude", "reject", reason_code="harassment"),
        record("ad", "reject", reason_code="spam"),
        record("away", "reject", reason_code="off_topic"),
        record("lie", "reject", reason_code="misinformation"),
    )
    labels = read_labels(path).labels
    toxicity = labelled(labels, "toxicity", "t")
    spam = labelled(labels, "spam", "s")
    assert dict(zip(toxicity.texts, toxicity.labels, strict=True)) == {
        "comment ok about the water deal": 0,
        "comment rude about the water deal": 1,
    }
    assert sorted(spam.labels) == [0, 1]
    assert labelled(labels, "off_topic", "o").labels == [0, 1]


def test_split_keeps_whole_articles_on_one_side_and_is_repeatable() -> None:
    groups = [f"a{i % 10}" for i in range(100)]
    data = Labelled("n", [str(i) for i in range(100)], [i % 2 for i in range(100)], groups)
    train, held = split_by_article(data, seed=1, share=HELD_OUT_SHARE)
    assert not set(train.groups) & set(held.groups)
    assert len(set(held.groups)) == 3 and len(train) + len(held) == 100
    assert split_by_article(data, seed=1, share=HELD_OUT_SHARE)[1].texts == held.texts
    one_each = Labelled("n", ["a", "b"], [0, 1], ["x", "y"])
    assert [len(part) for part in split_by_article(one_each, seed=1, share=HELD_OUT_SHARE)] == [
        1,
        1,
    ]


def test_newsroom_sets_route_by_language_and_describe_themselves(tmp_path: pathlib.Path) -> None:
    records = [
        record(f"en{i}", "reject" if i % 3 == 0 else "approve", article_id=f"e{i % 5}",
               reason_code="abusive" if i % 3 == 0 else None)
        for i in range(30)
    ] + [
        record(f"ru{i}", "reject" if i % 2 else "approve", article_id=f"r{i % 4}",
               language="ru", text=f"Комментарий номер {i} о сделке по воде",
               reason_code="spam" if i % 2 else None)
        for i in range(12)
    ]  # fmt: skip
    label_file = read_labels(write(tmp_path, *records))
    sets = NewsroomSets.of(label_file, seed=3)
    train_en, held_en = sets.toxicity_en
    assert train_en is not None and held_en is not None
    assert len(train_en) + len(held_en) == 30
    assert sets.toxicity_ru is not None  # Russian approvals are toxicity negatives
    assert sum(len(p) for p in sets.toxicity_ru) == 6
    # Spam: Russian labels teach the Russian spam head, the rest the shared one.
    assert sum(len(p) for p in sets.spam if p is not None) == 30 - 10
    assert sum(len(p) for p in sets.spam_ru if p is not None) == 12
    section = sets.card_section()
    assert section is not None
    assert section["languages"] == {"en": 30, "ru": 12}
    assert section["used"]["toxicity_en"]["train"]["comments"] == len(train_en)  # type: ignore[index]
    assert newsroom_version("2026.1", label_file).startswith("2026.1+newsroom.")
    assert NewsroomSets.of(None).card_section() is None


def test_missing_languages_are_detected_as_the_service_would(tmp_path: pathlib.Path) -> None:
    path = write(
        tmp_path,
        record("1", language=None, text="Thank you for this careful report on the water deal."),
        record("2", language=None, text="Спасибо за подробный рассказ о соглашении по воде."),
    )
    assert [x.language for x in with_languages(read_labels(path).labels)] == ["en", "ru"]


def test_newsroom_labels_take_the_mean_c3_level_of_their_side() -> None:
    levels = [1.0, 1.5, 2.0, 3.0]
    assert newsroom_levels([0, 1, 0], levels).tolist() == [1.25, 2.5, 1.25]


def test_newsroom_spam_labels_teach_the_spam_model_a_new_kind_of_spam() -> None:
    from moderation.classifier.text_features import TextFeatures
    from moderation.classifier.training.spam import train_spam

    videos = [f"v{i}" for i in range(3)]
    spam = ["Subscribe to my channel for music videos", "Check out my new video please"]
    ham = ["Love this song so much", "Great melody and voice"]
    youtube = Labelled(
        "youtube",
        [t for _ in videos for t in spam + ham],
        [y for _ in videos for y in (1, 1, 0, 0)],
        [v for v in videos for _ in range(4)],
    )
    news = ["The council approved the budget", "Rates rose again this month"] * 3
    scam = [f"Гадалка Алия снимет порчу, звоните {n}" for n in range(6)]
    civil = [f"Совет одобрил бюджет на {n} год" for n in range(6)]
    own = Labelled("newsroom_spam_train", scam + civil, [1] * 6 + [0] * 6, ["a1", "a2"] * 6)
    ngrams = TextFeatures(min_df=1).fit(youtube.texts + news + own.texts)
    probe = ["Гадалка Алия снимет порчу, звоните завтра"]
    without = train_spam(youtube, news, ngrams).model.predict_proba(probe)[0, 1]
    with_own = train_spam(youtube, news, ngrams, newsroom=own).model.predict_proba(probe)[0, 1]
    assert with_own > without + 0.2


def test_off_topic_pairs_pair_approvals_with_other_articles_and_keep_rejections(
    tmp_path: pathlib.Path,
) -> None:
    from moderation.classifier.training.newsroom_sets import off_topic_pairs

    records = [record(f"{a}{k}", **under(a)) for a in "abcd" for k in range(2)]
    records += [
        record("away", "reject", reason_code="off_topic", **under("a")),
        record("bare", article_id="e"),  # no article text: cannot be paired
        record("cross", **under("f", article_language="ru")),  # article in another language
        record("lie", "reject", reason_code="misinformation", **under("b")),
    ]
    labels = read_labels(write(tmp_path, *records)).labels
    train, held = off_topic_pairs(labels, "en", seed=5, share=0.5)
    assert train is not None and held is not None
    assert not set(train.groups) & set(held.groups)
    assert set(train.groups) | set(held.groups) == set("abcd")
    both = [
        (c, t, y, g)
        for p in (train, held)
        for c, t, y, g in zip(p.comments, p.titles, p.labels, p.groups, strict=True)
    ]
    assert len(both) == 8 * 2 + 1
    for comment, title, label, home in both:
        if comment == "comment away about the water deal":
            assert (title, label) == ("Title a", 1)  # the rejection, under its own article
        elif label == 0:
            assert title == f"Title {home}"
        else:
            assert title != f"Title {home}" and title != "Title f"
    assert off_topic_pairs(labels, "ru", seed=5) == (None, None)


def test_policy_agreement_counts_the_policys_actions_per_kind_of_decision(
    tmp_path: pathlib.Path,
) -> None:
    from moderation.classifier.evaluation_newsroom import (
        agreement_notes,
        format_agreement,
        policy_agreement,
    )
    from moderation.domain.scores import CommentScores
    from moderation.policy_file import load_policy
    from moderation.settings import REPO_ROOT

    policy = load_policy(REPO_ROOT / "config" / "policy.toml")
    labels = read_labels(
        write(
            tmp_path,
            record("ok"),
            record("rude", "reject", reason_code="abusive"),
            record("ad", "reject", reason_code="spam"),
            record("lie", "reject", reason_code="misinformation"),
        )
    ).labels

    def scored(toxicity: float, spam: float) -> CommentScores:
        return CommentScores(toxicity, None, spam, "en", True)

    clean, toxic = scored(0.001, 0.001), scored(0.99, 0.001)
    agreement = policy_agreement(labels, [clean, toxic, clean, clean], policy)
    by_group = {row["moderators"]: row for row in agreement}
    assert list(by_group) == ["approve", "reject: toxicity", "reject: spam", "reject: other"]
    assert by_group["reject: toxicity"]["approve"] == 0
    assert by_group["reject: spam"]["approve"] == 1  # the spam the policy would have let through
    assert agreement_notes(agreement)[0].startswith(
        "policy: 2 of 3 comments moderators rejected would have been approved"
    )
    table = format_agreement(agreement).splitlines()
    assert table[0].split()[:2] == ["moderators", "n"]
    assert "1 (100.0%)" in table[3]


def test_replies_keep_their_parent_at_home_and_answer_another_article_away(
    tmp_path: pathlib.Path,
) -> None:
    from moderation.classifier.training.newsroom_sets import off_topic_pairs

    records = [record(f"{a}{k}", **under(a)) for a in "ab" for k in range(2)]
    records.append(record("r", text="a reply", **under("a", parent_text="the comment above")))
    labels = read_labels(write(tmp_path, *records)).labels
    assert [x.parent_text for x in labels if x.comment_id == "r"] == ["the comment above"]
    assert {x.parent_text for x in labels if x.comment_id != "r"} == {None}
    train, held = off_topic_pairs(labels, "en", seed=5, share=0.5)
    rows = [row for p in (train, held) if p is not None for row in p.rows()]
    reply = {title: parent for comment, title, _, parent in rows if comment == "a reply"}
    assert reply["Title a"] == "the comment above"
    assert reply["Title b"] in {
        "comment b0 about the water deal",
        "comment b1 about the water deal",
    }
    assert all(parent is None for comment, _, _, parent in rows if comment != "a reply")
