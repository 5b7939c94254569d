from pathlib import Path

import pytest
from click.testing import CliRunner

from moderation import settings
from moderation.cli import main
from moderation.supervisor import ensure_secrets


def test_defaults_need_no_environment() -> None:
    config = settings.from_environment({}, instance_path="/srv/moderation")
    assert config["DATABASE_URL"] == "sqlite:////srv/moderation/moderation.sqlite3"
    assert config["SIGNATURE_TOLERANCE"] == 300
    assert config["CALLBACK_URL"] == ""
    assert config["MAX_CONTENT_LENGTH"] == 64 * 1024


def test_values_are_cast_to_the_default_type() -> None:
    config = settings.from_environment(
        {
            "MODERATION_SIGNATURE_TOLERANCE": "60",
            "MODERATION_CALLBACK_TIMEOUT": "2.5",
            "MODERATION_SECURE_COOKIES": "true",
        }
    )
    assert config["SIGNATURE_TOLERANCE"] == 60
    assert config["CALLBACK_TIMEOUT"] == 2.5
    assert config["SECURE_COOKIES"] is True


def test_a_bad_value_names_the_variable() -> None:
    with pytest.raises(ValueError, match="MODERATION_SIGNATURE_TOLERANCE='soon' is not valid"):
        settings.from_environment({"MODERATION_SIGNATURE_TOLERANCE": "soon"})


@pytest.mark.parametrize(
    ("name", "raw", "wanted"),
    [
        ("MODERATION_SESSION_HOURS", "nan", "above 0"),
        ("MODERATION_SESSION_HOURS", "-3", "above 0"),
        ("MODERATION_CALLBACK_TIMEOUT", "inf", "above 0"),
        ("MODERATION_SIGNATURE_TOLERANCE", "0", "above 0"),
        ("MODERATION_TRUSTED_PROXIES", "-1", "0 or more"),
        ("MODERATION_SWEEP_PENDING_AGE", "-0.5", "0 or more"),
    ],
)
def test_numbers_must_be_finite_and_not_negative(name: str, raw: str, wanted: str) -> None:
    with pytest.raises(settings.SettingError, match=f"{name}='{raw}' is not valid: .*{wanted}"):
        settings.from_environment({name: raw})
    assert (
        settings.from_environment({"MODERATION_SWEEP_PENDING_AGE": "0"})["SWEEP_PENDING_AGE"] == 0
    )


def test_every_command_names_a_bad_variable_in_one_line() -> None:
    for args in (["list-users"], ["callbacks", "list"], ["db", "upgrade"]):
        bad = CliRunner().invoke(main, args, env={"MODERATION_SESSION_HOURS": "soon"})
        assert bad.exit_code == 1, (args, bad.output)
        assert "Error: environment variable MODERATION_SESSION_HOURS='soon'" in bad.output
        assert "Traceback" not in bad.output


def test_run_refuses_bad_configuration_with_one_clear_line(tmp_path: Path) -> None:
    bad = CliRunner().invoke(main, ["run"], env={"MODERATION_SWEEP_INTERVAL": "often"})
    assert bad.exit_code == 1
    assert "MODERATION_SWEEP_INTERVAL='often' is not valid" in bad.output
    policy = tmp_path / "policy.toml"
    policy.write_text('version = "x"\n')
    bad_policy = CliRunner().invoke(main, ["run"], env={"MODERATION_POLICY_FILE": str(policy)})
    assert bad_policy.exit_code == 1
    assert "thresholds" in bad_policy.output
    assert "Traceback" not in bad.output + bad_policy.output


def test_secrets_are_generated_once_private_and_env_wins(tmp_path: Path) -> None:
    env: dict[str, str] = {"MODERATION_CALLBACK_SECRET": "from-env"}
    path = ensure_secrets(tmp_path, env)
    assert path.stat().st_mode & 0o777 == 0o600
    assert env["MODERATION_CALLBACK_SECRET"] == "from-env"
    first = env["MODERATION_WEBHOOK_SECRET"]
    assert len(first) == 64
    again: dict[str, str] = {}
    ensure_secrets(tmp_path, again)
    assert again["MODERATION_WEBHOOK_SECRET"] == first


def test_sqlite_synchronous_takes_only_the_three_safe_values() -> None:
    assert settings.from_environment({})["SQLITE_SYNCHRONOUS"] == "NORMAL"
    env = {"MODERATION_SQLITE_SYNCHRONOUS": "full"}
    assert settings.from_environment(env)["SQLITE_SYNCHRONOUS"] == "FULL"
    with pytest.raises(ValueError, match="MODERATION_SQLITE_SYNCHRONOUS"):
        settings.from_environment({"MODERATION_SQLITE_SYNCHRONOUS": "OFF; DROP TABLE x"})


@pytest.mark.parametrize(
    ("name", "raw", "wanted"),
    [
        ("DATABASE_URL", "mysql://db/moderation", "sqlite:/// or postgresql://"),
        ("DATABASE_URL", "moderation.sqlite3", "sqlite:/// or postgresql://"),
        ("REDIS_URL", "http://127.0.0.1:6379", "redis://, rediss:// or unix://"),
        ("MODERATION_LOG_LEVEL", "chatty", "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
    ],
)
def test_urls_and_log_level_name_what_they_take(name: str, raw: str, wanted: str) -> None:
    with pytest.raises(settings.SettingError, match=f"{name}='{raw}' is not valid: use"):
        settings.from_environment({name: raw})
    bad = CliRunner().invoke(main, ["callbacks", "list"], env={name: raw})
    assert bad.exit_code == 1 and wanted in bad.output and "Traceback" not in bad.output


def test_the_urls_and_levels_in_use_are_taken() -> None:
    config = settings.from_environment(
        {
            "DATABASE_URL": "postgres://moderation@db/moderation",
            "REDIS_URL": "rediss://:secret@cache:6380/1",
            "MODERATION_LOG_LEVEL": "warning",
        }
    )
    assert config["DATABASE_URL"] == "postgres://moderation@db/moderation"
    assert config["REDIS_URL"] == "rediss://:secret@cache:6380/1"
    assert config["LOG_LEVEL"] == "WARNING"
    assert settings.from_environment({"DATABASE_URL": "postgresql+psycopg://h/d"})[
        "DATABASE_URL"
    ].startswith("postgresql+psycopg://")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WEB_CONCURRENCY": "many"}, "Invalid value for '--web-workers': 'many'"),
        ({"WEB_CONCURRENCY": "0"}, "Invalid value for '--web-workers': 0 is not in the range"),
        (
            {"MODERATION_INSTANCE_PATH": "{tmp}/a-file/instance"},
            "cannot use the instance folder {tmp}/a-file/instance (MODERATION_INSTANCE_PATH): "
            "Not a directory",
        ),
    ],
)
def test_run_refuses_a_bad_web_concurrency_or_instance_folder(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("")
    env = {name: value.format(tmp=tmp_path) for name, value in env.items()}
    bad = CliRunner().invoke(main, ["run"], env=env)
    assert bad.exit_code in (1, 2), bad.output
    assert message.format(tmp=tmp_path) in bad.output and "Traceback" not in bad.output
