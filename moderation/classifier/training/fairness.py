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


def load_nontoxic_templates(data: DataDir) -> tuple[list[str], list[str]]:
    """(sentence, identity term) for every non-toxic template row naming an identity."""
    rows = data.read_csv(TEMPLATES)
    identities = {r["phrase"].split()[-1].lower() for r in rows if r["template"] == "name_adj"}
    texts: list[str] = []
    terms: list[str] = []
    for row in rows:
        if row["toxicity"] != "nontoxic":
            continue
        term = next((w for w in row["phrase"].lower().split() if w in identities), None)
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
    table = {
        term: {
            "n": len(values),
            "mean_score": round(float(np.mean(values)), 4),
            "fpr_not_approved": round(
                float(np.mean(np.array(values) >= point["approve_below"])), 4
            ),
            "fpr_rejected": round(
                float(np.mean(np.array(values) >= point["reject_at_or_above"])), 4
            ),
        }
        for term, values in sorted(by_term.items())
    }
    overall = np.asarray(scores)
    return {
        "set": TEMPLATES + " (toxicity == nontoxic rows only)",
        "overall": {
            "n": len(overall),
            "fpr_not_approved": round(float(np.mean(overall >= point["approve_below"])), 4),
            "fpr_rejected": round(float(np.mean(overall >= point["reject_at_or_above"])), 4),
        },
        "per_identity": table,
    }
