"""Write small CSV/TSV files shaped like the shared Russian data sets."""

from __future__ import annotations

import csv
from pathlib import Path


def write_table(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
