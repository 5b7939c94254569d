"""``moderation create-user | list-users | disable-user | create-token`` against real databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from moderation import review
from moderation.cli import main
from tests.support.held import add_decided_comment
from tests.support.workspace import login


@pytest.fixture
def run(app: Flask, database_url: str) -> CliRunner:
    return CliRunner(env={"DATABASE_URL": database_url})


def test_create_list_disable(run: CliRunner, app: Flask) -> None:
    created = run.invoke(
        main,
        ["create-user", "Alice", "--role", "admin", "--password-stdin"],
        input="a long passphrase\n",
    )
    assert created.exit_code == 0, created.output
    assert "created admin 'alice'" in created.output
    listed = run.invoke(main, ["list-users"])
    assert listed.exit_code == 0 and "alice\tadmin\tactive\tlast login: never" in listed.output
    disabled = run.invoke(main, ["disable-user", "alice"])
    assert disabled.exit_code == 0 and "disabled 'alice'" in disabled.output
    assert "alice\tadmin\tdisabled" in run.invoke(main, ["list-users"]).output


def test_the_password_prompt_asks_twice(run: CliRunner) -> None:
    result = run.invoke(
        main, ["create-user", "bob"], input="a long passphrase\na long passphrase\n"
    )
    assert result.exit_code == 0, result.output
    assert "a long passphrase" not in result.output  # hidden input is never echoed


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["create-user", "x y", "--password-stdin"], "a long passphrase\n", "a username is"),
        (["create-user", "model", "--password-stdin"], "a long passphrase\n", "reserved"),
        (["create-user", "carol", "--password-stdin"], "short\n", "at least 12"),
        (["disable-user", "nobody"], "", "no user named 'nobody'"),
        (["create-token", "nobody"], "", "no user named 'nobody'"),
    ],
)
def test_mistakes_are_one_line_errors(
    run: CliRunner, args: list[str], stdin: str, message: str
) -> None:
    result = run.invoke(main, args, input=stdin)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_a_duplicate_user_is_refused(run: CliRunner) -> None:
    run.invoke(main, ["create-user", "dave", "--password-stdin"], input="a long passphrase\n")
    again = run.invoke(
        main, ["create-user", "DAVE", "--password-stdin"], input="a long passphrase\n"
    )
    assert again.exit_code == 1 and "already exists" in again.output


def test_a_created_token_works_once_printed_and_is_stored_hashed(
    run: CliRunner, app: Flask
) -> None:
    run.invoke(main, ["create-user", "erin", "--password-stdin"], input="a long passphrase\n")
    result = run.invoke(main, ["create-token", "erin", "--label", "cms plugin"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("mod_")
    response = app.test_client().get("/api/v1/queue", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    from sqlalchemy import select

    from moderation.storage.moderators import ApiToken

    with app.extensions["moderation"].db.session() as s:
        stored = s.scalar(select(ApiToken))
        assert stored.token_hash != token and token[4:] not in stored.token_hash
    run.invoke(main, ["disable-user", "erin"])
    refused = run.invoke(main, ["create-token", "erin"])
    assert refused.exit_code == 1 and "disabled" in refused.output


def test_an_unmigrated_database_is_a_clear_error(tmp_path: Path) -> None:
    runner = CliRunner(env={"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    result = runner.invoke(main, ["list-users"])
    assert result.exit_code == 1
    assert "moderation db upgrade" in result.output and "Traceback" not in result.output


def test_enable_set_password_and_revoke_tokens(run: CliRunner, app: Flask) -> None:
    run.invoke(main, ["create-user", "fay", "--password-stdin"], input="a long passphrase\n")
    token = run.invoke(main, ["create-token", "fay"]).stdout.strip()
    revoked = run.invoke(main, ["revoke-tokens", "fay"])
    assert revoked.exit_code == 0 and "revoked 1 token" in revoked.output
    client = app.test_client()
    assert (
        client.get("/api/v1/queue", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    )
    run.invoke(main, ["disable-user", "fay"])
    assert run.invoke(main, ["enable-user", "fay"]).exit_code == 0
    changed = run.invoke(
        main, ["set-password", "fay", "--password-stdin"], input="another long one\n"
    )
    assert changed.exit_code == 0, changed.output
    assert login(client, "fay", "another long one").status_code == 303


def test_export_labels_writes_jsonl_for_retraining(run: CliRunner, app: Flask) -> None:
    sessions = app.extensions["moderation"].db.session
    add_decided_comment(sessions, "c1", "you idiot", words=("idiot",))
    review.submit_review(sessions, "c1", review.make_review("reject", "abusive", "n"), "alice")
    result = run.invoke(main, ["export-labels"])
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    record = json.loads(line)
    assert (record["text"], record["label"], record["reason_code"]) == (
        "you idiot",
        "reject",
        "abusive",
    )
    assert record["model_action"] == "hold" and record["labelled_by"] == "alice"
    # The article travels with the label: off-topic needs it (moderation evaluate --labels).
    assert (record["article_id"], record["article_title"]) == ("a1", "Water deal signed")
    assert record["parent_text"] is None
    assert run.invoke(main, ["export-labels", "--since", "2999-01-01"]).stdout == ""


def test_export_labels_carries_the_comment_a_reply_answers(run: CliRunner, app: Flask) -> None:
    sessions = app.extensions["moderation"].db.session
    add_decided_comment(sessions, "p1", "The deal shares the river fairly.", action="approve")
    add_decided_comment(
        sessions, "r1", "My cat ate my homework", reason="off_topic", parent_id="p1"
    )
    review.submit_review(sessions, "r1", review.make_review("reject", "off_topic", ""), "alice")
    result = run.invoke(main, ["export-labels"])
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    record = json.loads(line)
    assert (record["comment_id"], record["parent_text"]) == (
        "r1",
        "The deal shares the river fairly.",
    )
