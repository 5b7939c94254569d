"""The ``moderation`` command: run the service, migrate, score offline, train, manage callbacks."""

from __future__ import annotations

from typing import Any

import click

from moderation.cli.callbacks import callbacks
from moderation.cli.db import db
from moderation.cli.labels import export_labels
from moderation.cli.run import run
from moderation.cli.score import score
from moderation.cli.users import COMMANDS as USER_COMMANDS
from moderation.settings import SettingError


class _Main(click.Group):
    """Every command: a bad environment variable is one line naming it, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SettingError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Reader-comment moderation service."""


main.add_command(run)
main.add_command(db)
main.add_command(score)
main.add_command(callbacks)
for _command in (*USER_COMMANDS, export_labels):
    main.add_command(_command)

try:  # the model commands live with the classifier package
    from moderation.cli.model_commands import evaluate, train

    main.add_command(train)
    main.add_command(evaluate)
except ImportError:  # pragma: no cover - only while the classifier package is incomplete
    pass
