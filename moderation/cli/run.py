"""``moderation run``: the whole service in one terminal (what ``make run`` calls)."""

from __future__ import annotations

from typing import Any

import click


def _processes(flag: str, envvar: str, default: int, what: str) -> Any:
    return click.option(
        flag,
        envvar=envvar,
        type=click.IntRange(1, 64),
        default=default,
        show_default=True,
        help=what,
    )


@click.command()
@click.option(
    "--port", envvar="PORT", type=click.IntRange(1, 65535), default=8000, show_default=True
)
@_processes("--workers", "MODERATION_WORKER_CONCURRENCY", 2, "Celery worker processes.")
@_processes("--web-workers", "WEB_CONCURRENCY", 3, "gunicorn worker processes.")
def run(port: int, workers: int, web_workers: int) -> None:
    """Start Redis (unless REDIS_URL is set), migrations, web, worker and sweeper."""
    from moderation import settings
    from moderation.policy_file import PolicyError, load_policy
    from moderation.supervisor import instance_folder, run_service

    # Check configuration before starting anything, so a mistake is one clear line.
    try:
        config = settings.from_environment()
        load_policy(config["POLICY_FILE"])
    except (ValueError, PolicyError) as exc:
        raise click.ClickException(str(exc)) from exc
    instance = instance_folder()
    try:
        instance.mkdir(parents=True, exist_ok=True)
        probe = instance / ".writable"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise click.ClickException(
            f"cannot use the instance folder {instance} (MODERATION_INSTANCE_PATH): "
            f"{exc.strerror or exc}"
        ) from exc
    raise SystemExit(run_service(port, workers, web_workers))
