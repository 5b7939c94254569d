"""Read the shared labelled data sets, remembering every file used and its sha256.

The data never enters the repository: training reads it from ``--data-dir`` and the model
card lists each file with its checksum, so a reader can tell exactly what a model saw.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import pathlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field


class DataError(Exception):
    """A data file that cannot be used as it is: missing, unreadable, not UTF-8, not CSV, or
    without a column the loaders need. The message names the file (relative to the data
    directory) and what is wrong; the commands print it as one line."""


class Row(dict[str, str]):
    """A CSV row that names its file and line when a loader asks for a column it does not have
    or reads a number that is not there."""

    def __init__(self, relative: str, line: int, row: dict[str, str]) -> None:
        super().__init__(row)
        self.relative = relative
        self.line = line

    def __missing__(self, key: str) -> str:
        raise DataError(f"{self.relative}: no column {key!r}")

    def number(self, key: str) -> float:
        """Column ``key`` as a finite number."""
        return number(self[key], f"{self.relative} line {self.line}, column {key!r}")


def number(value: str, where: str) -> float:
    """``value`` as a finite number, else a :class:`DataError` saying ``where`` it was."""
    try:
        result = float(value)
    except ValueError:
        result = math.nan
    if not math.isfinite(result):
        raise DataError(f"{where}: {value[:40]!r} is not a number")
    return result


@dataclass
class DataDir:
    """A data directory that records which files were read (path relative to root -> sha256)."""

    root: pathlib.Path
    used: dict[str, str] = field(default_factory=dict)

    def read_text(self, relative: str) -> str:
        try:
            raw = (self.root / relative).read_bytes()
        except OSError as exc:
            raise DataError(f"{relative}: cannot read ({exc.strerror or exc})") from exc
        self.used[relative] = hashlib.sha256(raw).hexdigest()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(f"{relative}: not UTF-8 (byte {exc.start})") from exc

    def read_csv(self, relative: str, *, delimiter: str = ",") -> list[Row]:
        reader = csv.DictReader(
            io.StringIO(self.read_text(relative), newline=""), delimiter=delimiter
        )
        try:
            return [Row(relative, reader.line_num, row) for row in reader]
        except csv.Error as exc:
            raise DataError(f"{relative}: not CSV ({exc})") from exc

    def read_lines(self, relative: str) -> list[str]:
        return self.read_text(relative).split("\n")

    def glob(self, pattern: str) -> list[str]:
        return sorted(str(p.relative_to(self.root)) for p in self.root.glob(pattern))

    def exists(self) -> bool:
        return (self.root / "socc_c3").is_dir()


@dataclass(frozen=True)
class Labelled:
    """Texts with 0/1 labels and a grouping key (article, video, source) for honest splits."""

    name: str
    texts: list[str]
    labels: list[int]
    groups: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, keep: list[bool], name: str | None = None) -> Labelled:
        pick = [i for i, k in enumerate(keep) if k]
        return Labelled(
            name or self.name,
            [self.texts[i] for i in pick],
            [self.labels[i] for i in pick],
            [self.groups[i] for i in pick],
        )


def split_by_article(
    labelled_set: Labelled, *, seed: int, share: float
) -> tuple[Labelled, Labelled]:
    """(train, held out): whole articles on either side, ``share`` of them held out (at
    least one when there are two or more), seeded so a rerun splits the same way."""
    articles = sorted(set(labelled_set.groups))
    random.Random(seed).shuffle(articles)
    n_held = round(len(articles) * share)
    if len(articles) >= 2:
        n_held = min(max(n_held, 1), len(articles) - 1)
    held = set(articles[:n_held])
    return (
        labelled_set.subset([g not in held for g in labelled_set.groups], f"{labelled_set.name}_train"),
        labelled_set.subset([g in held for g in labelled_set.groups], f"{labelled_set.name}_validation"),
    )  # fmt: skip


Progress = Callable[[str], None] | None


def tick(progress: Progress, label: str) -> None:
    """Report a training step to the CLI's progress display, if there is one."""
    if progress is not None:
        progress(label)
