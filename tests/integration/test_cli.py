"""The ``moderation`` command against real databases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import inspect

from moderation.cli import main
from moderation.storage.database import Database
from moderation.storage.tables import Article, CallbackDelivery, Comment, Decision, utcnow

ROOT = Path(__file__).resolve().parents[2]
HAS_MODEL = (ROOT / "models" / "model_card.json").exists()


def test_db_upgrade_creates_the_schema(database_url: str) -> None:
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    tables = set(inspect(Database(database_url).engine).get_table_names())
    assert {
        "articles",
        "comments",
        "decisions",
        "callback_deliveries",
        "callback_attempts",
    } <= tables


def test_db_upgrade_with_an_unreachable_database_is_a_message_not_a_traceback() -> None:
    result = CliRunner().invoke(
        main, ["db", "upgrade"], env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    )
    assert result.exit_code == 1
    assert "migration failed" in result.output
    assert "Traceback" not in result.output


def _dead_letter(app: Flask) -> int:
    svc = app.extensions["moderation"]
    with svc.db.session() as session:
        session.add(Article(id="a1", title="T"))
        session.add(
            Comment(
                id="c1",
                article_id="a1",
                author_name="R",
                text="t",
                content_hash="h",
                status="approved",
            )
        )
        session.flush()
        decision = Decision(
            comment_id="c1", action="approve", reasons=[], scores={}, decided_by="model"
        )
        session.add(decision)
        session.flush()
        delivery = CallbackDelivery(
            comment_id="c1",
            decision_id=decision.id,
            url="http://127.0.0.1:9/",
            payload={},
            status="failed",
            attempts=12,
            last_error="HTTP 500",
        )
        session.add(delivery)
        session.commit()
        return delivery.id


@pytest.mark.parametrize("args", [["callbacks", "list"], ["callbacks", "replay"]])
@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://nobody@127.0.0.1:1/none", "Connection refused"),
        ("sqlite:///{tmp}/empty.sqlite3", "no such table: callback_deliveries"),
    ],
)
def test_callbacks_without_a_usable_database_say_so_in_one_line(
    args: list[str], url: str, reason: str, tmp_path: Path, redis_url: str
) -> None:
    env = {"DATABASE_URL": url.format(tmp=tmp_path), "REDIS_URL": redis_url}
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 1, result.output
    assert "Error: database error: " in result.output and reason in result.output
    assert "has `moderation db upgrade` been run?" in result.output
    assert "Traceback" not in result.output


def test_callbacks_list_and_replay_the_dead_letter_list(
    app: Flask, test_config: dict[str, Any]
) -> None:
    delivery_id = _dead_letter(app)
    env = {"DATABASE_URL": test_config["DATABASE_URL"], "REDIS_URL": test_config["REDIS_URL"]}
    listed = CliRunner().invoke(main, ["callbacks", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert f"{delivery_id}\tc1\tfailed\tattempts=12\tHTTP 500" in listed.output
    unknown = CliRunner().invoke(main, ["callbacks", "replay", str(delivery_id + 1)], env=env)
    assert unknown.exit_code == 0 and "0 deliveries put back in line" in unknown.output
    assert "not failed deliveries" in unknown.stderr
    huge = CliRunner().invoke(main, ["callbacks", "replay", "9" * 30], env=env)
    assert huge.exit_code == 2 and "Traceback" not in huge.output
    assert "is not in the range" in huge.output
    replayed = CliRunner().invoke(main, ["callbacks", "replay"], env=env)
    assert replayed.exit_code == 0, replayed.output
    assert "1 deliveries put back in line" in replayed.output
    with app.extensions["moderation"].db.session() as session:
        delivery = session.get(CallbackDelivery, delivery_id)
        assert delivery is not None and delivery.status == "pending"
        assert delivery.next_attempt_at > utcnow().replace(year=2000)


@pytest.mark.skipif(not HAS_MODEL, reason="no trained model in models/ (run `moderation train`)")
def test_score_writes_one_decision_per_line(
    tmp_path: Path, example_article: dict[str, Any]
) -> None:
    lines = [
        {
            "id": "civil",
            "text": "Thank you for this balanced report.",
            "article": {"title": example_article["title"], "body": example_article["body"]},
        },
        {"id": 7, "text": "You are an idiot and a moron."},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = CliRunner().invoke(main, ["score", "--input", str(source), "--output", "-"])
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["civil", 7]
    assert out[0]["action"] in {"approve", "hold"}  # never rejected
    assert not any(r["code"] == "toxicity" for r in out[0]["reasons"])
    assert out[1]["action"] in {"hold", "reject"}
    assert out[1]["scores"]["toxicity"] > out[0]["scores"]["toxicity"]
    assert out[1]["scores"]["off_topic"] is None  # no article given
    assert any(r["code"] == "toxicity" and r["spans"] for r in out[1]["reasons"])


@pytest.mark.skipif(not HAS_MODEL, reason="no trained model in models/ (run `moderation train`)")
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"id": 1, "text": "ok"}\nnot json\n', "line 2"),
        (b'{"id": 1}\n', "line 1: {'text': ['Missing data for required field.']}"),
        (b'{"id": 1, "text": "' + b"x" * 1501 + b'"}\n', "the limit is 1500"),
        (b"[1, 2]\n", "must be a JSON object"),
        (b'{"id": 1, "text": "ok"}\n{"id": 2, "text": "\xff\xfe"}\n', "line 2: ['not UTF-8"),
        (b"[" * 50_000 + b"\n", "line 1: ['the JSON is nested too deeply"),
        (
            b'{"id": 1, "text": "ok", "article": {"body": "' + b"x" * 3_000_000 + b'"}}\n',
            "line 1: ['the line is longer than 2,097,152 bytes']",
        ),
    ],
)
def test_score_reports_bad_lines_precisely(tmp_path: Path, content: bytes, message: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(content)
    result = CliRunner().invoke(main, ["score", "--input", str(source), "--output", "-"])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.skipif(not HAS_MODEL, reason="no trained model in models/ (run `moderation train`)")
def test_score_reads_the_comment_a_reply_answers(
    tmp_path: Path, example_article: dict[str, Any]
) -> None:
    article = {"title": example_article["title"], "body": example_article["body"]}
    reply = "Sure, but the dairy subsidies you mention cost far more than any hockey arena."
    parent = "Quebec dairy subsidies and the new hockey arena are the real waste of money."
    lines = [
        {"id": "alone", "text": reply, "article": article},
        {"id": "reply", "text": reply, "article": article, "parent": parent},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = CliRunner().invoke(main, ["score", "--input", str(source), "--output", "-"])
    assert result.exit_code == 0, result.output
    alone, answering = (json.loads(x)["scores"]["off_topic"] for x in result.stdout.splitlines())
    assert answering < alone
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": 1, "text": "ok", "parent": "x" * 1501}) + "\n")
    refused = CliRunner().invoke(main, ["score", "--input", str(bad), "--output", "-"])
    assert refused.exit_code == 1 and "line 1" in refused.output and "1500" in refused.output


@pytest.mark.skipif(not HAS_MODEL, reason="no trained model in models/ (run `moderation train`)")
def test_score_can_skip_bad_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    huge = '{"id": 9, "text": "ok", "article": {"body": "' + "x" * 3_000_000 + '"}}'
    lines = ['{"id": 1, "text": "fine"}', "not json", huge, '{"id": 2, "text": "also fine"}']
    source.write_text("\ufeff" + "\n".join(lines) + "\n")  # with a byte order mark
    result = CliRunner().invoke(
        main, ["score", "--input", str(source), "--output", "-", "--skip-invalid"]
    )
    assert result.exit_code == 0
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == [1, 2]
    assert "skipped line 2" in result.stderr and "skipped line 3" in result.stderr


@pytest.mark.skipif(not HAS_MODEL, reason="no trained model in models/ (run `moderation train`)")
def test_score_counts_copies_among_the_earlier_lines(tmp_path: Path) -> None:
    text = "Thank you for covering the water agreement so carefully."
    lines = [{"id": n, "text": text if n % 2 == 0 else text.upper()} for n in range(4)]
    lines.append({"id": "short", "text": "Thanks!"})
    lines.append({"id": "short2", "text": "Thanks!"})
    lines.append({"id": "short3", "text": "thanks"})
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = CliRunner().invoke(main, ["score", "--input", str(source), "--output", "-"])
    assert result.exit_code == 0, result.output
    repeated = {
        o["id"]: [r["detail"] for r in o["reasons"] if r["code"] == "repeated"]
        for o in map(json.loads, result.stdout.splitlines())
    }
    assert repeated[0] == repeated[1] == [] and repeated["short3"] == []
    assert repeated[2] == [
        "the same or a nearly identical text was posted 2 times before"
    ]  # no window offline
    assert repeated[3] and "3 times" in repeated[3][0]


@pytest.mark.skipif(not HAS_MODEL, reason="no trained model in models/ (run `moderation train`)")
def test_score_counts_near_copies_too_unless_the_policy_wants_exact_ones(tmp_path: Path) -> None:
    campaign = "Earn {} a day from home! Call Aigerim on +7 701 555 12 34 or visit quick-cash.kz"
    lines = [
        {"id": n, "text": campaign.format(price)} for n, price in enumerate(["$5", "$7", "$9"])
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    exact = tmp_path / "exact.toml"
    exact.write_text(
        (ROOT / "config" / "policy.toml")
        .read_text(encoding="utf-8")
        .replace("similarity = 0.7", "similarity = 1.0")
    )
    for policy, expected in ((None, True), (exact, False)):
        args = ["score", "--input", str(source), "--output", "-"]
        result = CliRunner().invoke(main, args + (["--policy", str(policy)] if policy else []))
        assert result.exit_code == 0, result.output
        last = json.loads(result.stdout.splitlines()[-1])
        assert ("repeated" in [r["code"] for r in last["reasons"]]) is expected, last
