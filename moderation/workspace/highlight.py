"""Comment text as inert HTML, with the words that drove each reason wrapped in ``<mark>``.

The text is sliced at the spans' character offsets and every slice is escaped, so nothing a
reader wrote can ever become markup; only our own ``<mark>`` tags are added.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from markupsafe import Markup, escape

_CSS_SAFE = re.compile(r"^[a-z0-9_]{1,32}$")


def _spans(text: str, reasons: Iterable[Any]) -> list[tuple[int, int, set[str]]]:
    found: list[tuple[int, int, set[str]]] = []
    for reason in reasons or []:
        if not isinstance(reason, dict):
            continue
        code = str(reason.get("code") or "reason")
        for span in reason.get("spans") or []:
            try:
                start, end = int(span["start"]), int(span["end"])
            except (KeyError, TypeError, ValueError):
                continue
            start, end = max(0, start), min(len(text), end)
            if start < end:
                found.append((start, end, {code}))
    found.sort(key=lambda s: (s[0], s[1]))
    merged: list[tuple[int, int, set[str]]] = []
    for start, end, codes in found:
        if merged and start < merged[-1][1]:  # overlapping spans become one mark
            last_start, last_end, last_codes = merged[-1]
            merged[-1] = (last_start, max(last_end, end), last_codes | codes)
        else:
            merged.append((start, end, codes))
    return merged


def highlight(text: str, reasons: Iterable[Any], label: Callable[[str], str] = str) -> Markup:
    """The escaped text with each reason's spans marked; the mark's title names the reasons
    (each code as ``label`` gives it: the workspace passes the names in the moderator's
    language)."""
    pieces: list[str] = []
    position = 0
    for start, end, codes in _spans(text, reasons):
        names = sorted(codes)
        classes = " ".join(f"reason-{c}" for c in names if _CSS_SAFE.match(c))
        pieces.append(escape(text[position:start]))
        pieces.append(
            Markup('<mark class="{}" title="{}">{}</mark>').format(
                classes, ", ".join(label(name) for name in names), text[start:end]
            )
        )
        position = end
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)
