"""``moderation train`` and ``moderation evaluate``: build the models and compare them.

``evaluate`` measures the committed models on the toxicity validation sets next to
alt-profanity-check (a dev-only dependency, imported lazily), and prints the cross-validated
spam and off-topic figures recorded at training time.
"""

from __future__ import annotations

import errno
import os
import pathlib
import tempfile
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from moderation.classifier.newsroom_labels import LabelFile

DEFAULT_DATA_DIR = pathlib.Path("../shared/data")
data_dir_option = click.option(
    "--data-dir",
    type=click.Path(path_type=pathlib.Path),
    default=DEFAULT_DATA_DIR,
    show_default=True,
    help="the labelled data sets (never copied into the repository)",
)


labels_option = click.option(
    "--labels",
    type=click.Path(path_type=pathlib.Path, dir_okay=False),
    default=None,
    help="moderators' decisions from `moderation export-labels` (JSONL)",
)


@contextmanager
def _readable_data(data_dir: pathlib.Path) -> Iterator[None]:
    """A data file that cannot be used is one line naming it, not a traceback."""
    from moderation.classifier.training.sources import DataError

    try:
        yield
    except DataError as error:
        raise click.ClickException(f"the data under {data_dir} cannot be used: {error}") from None


@contextmanager
def _loadable_models() -> Iterator[None]:
    """Models that are missing or do not match their card are one line, as in ``score``."""
    from moderation.classifier.artifacts import ModelIntegrityError

    try:
        yield
    except ModelIntegrityError as error:
        raise click.ClickException(f"could not load the models: {error}") from None


def _read_labels(path: pathlib.Path | None) -> LabelFile | None:
    """The validated labels file, or a one-line error naming the bad record."""
    if path is None:
        return None
    from moderation.classifier.newsroom_labels import LabelFileError, read_labels

    try:
        return read_labels(path)
    except LabelFileError as error:
        raise click.ClickException(str(error)) from None


@click.command()
@data_dir_option
@click.option(
    "--output-dir",
    type=click.Path(path_type=pathlib.Path),
    default=pathlib.Path("models"),
    show_default=True,
)
@labels_option
@click.option(
    "--check",
    is_flag=True,
    help="train into a temporary folder and compare it byte for byte with --output-dir "
    "(the committed models), which is left as it is; exit 1 if anything differs",
)
def train(
    data_dir: pathlib.Path, output_dir: pathlib.Path, labels: pathlib.Path | None, check: bool
) -> None:
    """Train toxicity, spam and off-topic models; write skops artifacts and the model card.

    With --labels, the newsroom's own moderators' decisions join the training data (30% of
    their articles held out and reported as newsroom_labels_validation in the card). With
    --check, show that the code and data reproduce the models in --output-dir.
    """
    if not (data_dir / "socc_c3").is_dir():
        raise click.ClickException(f"no training data under {data_dir} (expected socc_c3/ etc.)")
    label_file = _read_labels(labels)  # a bad file is one line here, before anything is trained
    if check:
        if not (output_dir / "model_card.json").is_file():
            raise click.ClickException(f"no models to check in {output_dir} (no model_card.json)")
        with tempfile.TemporaryDirectory(prefix="moderation-train-") as scratch:
            _train_into(data_dir, pathlib.Path(scratch), label_file)
            _report_reproduction(output_dir, pathlib.Path(scratch))
        return
    card = _train_into(data_dir, output_dir, label_file)
    click.echo(f"model {card['model_version']} written to {output_dir}")
    for name, point in card["operating_points"].items():
        click.echo(
            f"  {name}: approve below {point['approve_below']}, reject at or above {point['reject_at_or_above']}"
        )


def _train_into(
    data_dir: pathlib.Path, output_dir: pathlib.Path, labels: LabelFile | None
) -> dict[str, Any]:
    """Train with the pinned kernels into ``output_dir``; its problems are one line each."""
    from moderation.classifier.training.kernels import run_with_pinned_kernels

    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        if not os.access(output_dir, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, "not writable")
        with _readable_data(data_dir):
            return run_with_pinned_kernels(_train, data_dir, output_dir, labels)
    except BrokenProcessPool:
        raise click.ClickException(
            "the training process stopped before it finished (killed, or out of memory?); "
            f"what is in {output_dir} may be incomplete: run it again"
        ) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise click.ClickException(f"cannot write the models to {output_dir}: {reason}") from None


def _report_reproduction(committed: pathlib.Path, trained: pathlib.Path) -> None:
    from moderation.classifier.artifacts import compare_model_dirs

    differing = []
    for name, before, after in compare_model_dirs(committed, trained):
        same = before is not None and before == after
        click.echo(
            f"  {name}: {'same' if same else 'DIFFERS'} ({_short(before)} / {_short(after)})"
        )
        if not same:
            differing.append(name)
    if differing:
        raise click.ClickException(
            f"the trained models differ from those in {committed}: {', '.join(differing)}"
        )
    click.echo(f"the models in {committed} are reproduced byte for byte")


def _short(sha: str | None) -> str:
    return sha[:12] if sha else "missing"


def _train(
    data_dir: pathlib.Path, output_dir: pathlib.Path, labels: LabelFile | None
) -> dict[str, Any]:
    """The training run itself, with its progress line; in a child process where the CPU can
    run the committed files' kernels (``training.kernels``)."""
    from tqdm import tqdm

    from moderation.classifier.training.run import train_all

    with tqdm(
        desc="training", unit="step", bar_format="{desc}: {n} steps, {elapsed} {postfix}"
    ) as bar:

        def progress(label: str) -> None:
            bar.set_postfix_str(label)
            bar.update(1)

        return train_all(data_dir, output_dir, progress=progress, labels=labels)


@click.command()
@data_dir_option
@click.option(
    "--models-dir",
    type=click.Path(path_type=pathlib.Path),
    default=None,
    help="default: the repository's models/",
)
@labels_option
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(dir_okay=False, path_type=pathlib.Path),
    default=None,
    help="with --labels: the policy to compare with the moderators "
    "(default: MODERATION_POLICY_FILE, else config/policy.toml)",
)
def evaluate(
    data_dir: pathlib.Path,
    models_dir: pathlib.Path | None,
    labels: pathlib.Path | None,
    policy_file: pathlib.Path | None,
) -> None:
    """Print ROC-AUC, PR-AUC and F1 at the operating points, next to alt-profanity-check.

    With --labels, also measure the models on the newsroom's own moderators' decisions, and
    what the policy would have decided against theirs; the shared validation sets are then
    optional (skipped when --data-dir has none).
    """
    from moderation import settings
    from moderation.classifier.evaluation import evaluate_models
    from moderation.classifier.evaluation_newsroom import format_agreement
    from moderation.classifier.newsroom_points import policy_lines
    from moderation.policy_file import PolicyError, load_policy

    label_file = _read_labels(labels)
    policy = None
    if label_file is not None:
        try:
            policy = load_policy(policy_file or settings.from_environment()["POLICY_FILE"])
        except PolicyError as error:
            raise click.ClickException(str(error)) from None
    has_data = (data_dir / "socc_c3").is_dir()
    if not has_data and label_file is None:
        raise click.ClickException(f"no validation data under {data_dir} (expected socc_c3/ etc.)")
    if not has_data:
        click.echo(f"no validation data under {data_dir}: newsroom labels only", err=True)
    with _readable_data(data_dir), _loadable_models():
        report = evaluate_models(data_dir if has_data else None, models_dir, label_file, policy)
    if report["baseline_missing"]:
        click.echo(
            "alt-profanity-check is not installed (dev-only dependency: "
            "pip install alt-profanity-check); baseline rows skipped.",
            err=True,
        )
    click.echo(format_table(report["rows"]))
    sections = (
        (
            "explanations",
            "toxicity explanations against what people marked as toxic "
            '(character level, per post; docs/models.md, "Explanations"):',
            EXPLANATION_COLUMNS,
        ),
        (
            "intervals",
            "toxicity ROC-AUC of the served models with its 95% interval, bootstrap of 1,000 "
            "resamples (C3 by article): how precisely each set measures the model:",
            INTERVAL_COLUMNS,
        ),
        (
            "comparisons",
            "toxicity ROC-AUC against alt-profanity-check on the same texts: difference with "
            "its 95% interval, paired bootstrap of 1,000 resamples (C3 by article):",
            COMPARISON_COLUMNS,
        ),
        (
            "mentions",
            "toxicity on civil sentences naming a country, a city or a public figure, or no one "
            '(docs/models.md, "Countries, cities and public figures"):',
            MENTION_COLUMNS,
        ),
    )
    for key, title, columns in sections:
        if report[key]:
            click.echo(f"\n{title}")
            click.echo(format_table(report[key], columns))
    click.echo("")
    if report["agreement"] and policy is not None:
        click.echo(f"\npolicy {policy.version} against the moderators' decisions:")
        click.echo(format_agreement(report["agreement"]))
        click.echo("")
    if report["points"]:
        click.echo(
            "\noperating points chosen on the moderators' decisions, with the card's targets "
            '(docs/models.md, "Operating points from your own decisions"):'
        )
        click.echo(format_table(report["points"], POINT_COLUMNS))
        click.echo(
            "\nto use them, change config/policy.toml (and give it a new version; a "
            "[languages.<code>.thresholds.<score>] table replaces the default one for that "
            "language, so give it every key it needs):"
        )
        for line in policy_lines(report["points"]):
            click.echo(f"  {line}")
        click.echo("")
    for line in report["notes"]:
        click.echo(line)


SCORE_COLUMNS = (
    "score",
    "set",
    "model",
    "n",
    "positives",
    "roc_auc",
    "pr_auc",
    "brier",
    "ece",
    "f1_flag_at_approve_below",
    "f1_reject_at",
)
POINT_COLUMNS = (
    "score",
    "language",
    "n",
    "positives",
    "current_approve_below",
    "current_missed",
    "current_held_or_rejected",
    "target_missed",
    "approve_below",
    "missed",
    "held_or_rejected",
    "missed_other_half",
    "held_or_rejected_other_half",
    "reject_at_or_above",
    "reject_precision",
)
INTERVAL_COLUMNS = ("score", "set", "model", "resampled", "roc_auc", "ci95_low", "ci95_high")
COMPARISON_COLUMNS = (
    "set",
    "resampled",
    "ours",
    "alt-profanity-check",
    "difference",
    "ci95_low",
    "ci95_high",
    "resamples_ours_higher",
)
MENTION_COLUMNS = (
    "language",
    "check",
    "model",
    "sentences naming",
    "n",
    "mean_score",
    "held_share",
)
EXPLANATION_COLUMNS = (
    "set",
    "model",
    "n_posts",
    "n_marked",
    "f1",
    "precision",
    "recall",
    "top_span_hit",
    "any_span_hit",
    "f1_all_posts",
)


def format_table(rows: list[dict[str, Any]], columns: tuple[str, ...] = SCORE_COLUMNS) -> str:
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.4f}" if isinstance(value, float) else str(value)
