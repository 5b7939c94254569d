"""False-positive rates per identity term on the NON-toxic sentence templates.

The templates ("Being gay is great", "You are a great muslim") are civil by construction, so
any that are held or rejected are false positives caused by the identity word. Never trained
on: measurement only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from moderation.classifier.training.sources import DataDir

TEMPLATES = "jigsaw_bias_fairness/sentence_templates/en_sentence_templates.csv"


REFERENCE = "(no identity: 'You are a great architect')"


def load_nontoxic_templates(data: DataDir) -> tuple[list[str], list[str]]:
    """(sentence, identity term) for every non-toxic template row.

    Rows naming an identity are grouped by it; the occupation templates ("You are a great
    architect") name none and form the reference group the identities are compared with.
    """
    rows = data.read_csv(TEMPLATES)
    identities = {r["phrase"].split()[-1].lower() for r in rows if r["template"] == "name_adj"}
    texts: list[str] = []
    terms: list[str] = []
    for row in rows:
        if row["toxicity"] != "nontoxic":
            continue
        words = row["phrase"].lower().split()
        term = next((w for w in words if w in identities), None)
        if term is None and row["template"] == "you_occupation":
            term = REFERENCE
        if term:
            texts.append(row["phrase"])
            terms.append(term)
    return texts, terms


def fairness_table(
    texts: Sequence[str],
    terms: Sequence[str],
    score: Callable[[Sequence[str]], np.ndarray],
    point: dict[str, Any],
) -> dict[str, Any]:
    """Per identity term: rows, mean score, share held-or-rejected, share auto-rejected."""
    scores = score(texts)
    by_term: dict[str, list[float]] = defaultdict(list)
    for term, value in zip(terms, scores, strict=True):
        by_term[term].append(float(value))
    table = {term: _row(np.array(values), point) for term, values in sorted(by_term.items())}
    overall = np.asarray(scores)[np.asarray(terms) != REFERENCE]
    means = [row["mean_score"] for term, row in table.items() if term != REFERENCE]
    return {
        "set": TEMPLATES + " (toxicity == nontoxic rows only)",
        "reference_group": table.get(REFERENCE),
        "identity_mean_score_range": [min(means), max(means)] if means else None,
        "overall": _row(overall, point),
        "per_identity": table,
    }


def _row(values: np.ndarray, point: dict[str, Any]) -> dict[str, Any]:
    """Mean score, share not auto-approved, share auto-rejected, share scoring 0.5 or more."""
    return {
        "n": len(values),
        "mean_score": round(float(values.mean()), 4),
        "fpr_not_approved": round(float(np.mean(values >= point["approve_below"])), 4),
        "fpr_rejected": round(float(np.mean(values >= point["reject_at_or_above"])), 4),
        "share_at_least_0.5": round(float(np.mean(values >= 0.5)), 4),
    }
