"""Write ``models/model_card.json``: what was trained on what, how well, and how to use it.

The loader trusts artifacts only through this card (sha256 and scikit-learn version), and the
moderation policy reads its operating points, so the card is part of the model, not prose.
"""

from __future__ import annotations

import json
import pathlib
import platform
from typing import Any

import numpy as np
import scipy
import sklearn
import skops

from moderation.classifier.artifacts import CARD
from moderation.classifier.language import CANDIDATES, PREFIX_CHARS, SHORT_TEXT_LETTERS
from moderation.classifier.off_topic_features import COMMENT_CHARS
from moderation.classifier.text_features import MAX_CHARS
from moderation.classifier.training.kernels import kernels_now
from moderation.classifier.training.train_russian import LICENCES as RUSSIAN_LICENCES

LICENCES = {
    "socc_c3": "SOCC upstream is CC BY-NC-SA 4.0 (this copy states none): NON-COMMERCIAL, "
    "share-alike. A model trained on it must not be used commercially until the licence "
    "is cleared.",
    "civil_toxic_spans": "CC0 1.0",
    "wiki_talk_context": "Apache-2.0 (repository); no separate data licence",
    "tweeteval_offensive_hate": "released without restrictions by TweetEval; original task "
    "licences (OffensEval 2019, HatEval 2019) and Twitter terms apply",
    "davidson_hate_offensive": "MIT",
    "youtube_spam": "no licence stated; authors request citation of TubeSpam (ICMLA 2015)",
    "gnm_article_comment_pairs": "MIT for the repository code; article and comment texts are "
    "the publisher's and users': research use only",
    "jigsaw_bias_fairness": "CC BY 4.0 (used for fairness measurement only, never trained on)",
    **RUSSIAN_LICENCES,
}
LIMITATIONS = [
    "English and Russian only; other detected languages get no scores "
    "(language_supported = false).",
    "Russian off-topic was learned from English pairs and checked only on hand-written Russian "
    "pairs (see russian.off_topic). Russian spam uses the English spam model; its recall on "
    "Russian spam is not validated (no labelled Russian spam).",
    "Russian toxicity: see the 'russian' section (forum and social-media data, not news "
    "comments; calibrated on a one-third-toxic forum; no sub-type scores).",
    "Toxicity is calibrated to C3's crowd label (mean level >= 2 of 4), a strict, noisy label; "
    "scores on other sites' comments are not calibrated probabilities of their labels.",
    "Off-topic pairs are synthetic (a real comment moved to a random other article); comments "
    "that drift within the same subject are much harder: see validation.off_topic."
    "gnm_pairs_nearest_article_leave_one_article_out (the other article is one of the 3 most "
    "similar to the comment's own).",
    "Spam was trained on YouTube music-video spam (+ news comments as ham); news-site spam may "
    "differ. Off-topic trained on 4 Globe and Mail articles only.",
    f"Comments are scored on their first {MAX_CHARS} characters (the service limit).",
    "Bag-of-n-grams: no understanding of sarcasm, negation or context of a reply.",
]

# How language detection treats short and plainly English texts, as the card states it.
SHORT_TEXT_RULE = (
    f"fewer than {SHORT_TEXT_LETTERS} letters and >= 80% ASCII letters -> en, unless it has an "
    "Uzbek/Kazakh Latin spelling (q without u, o' or g') or at most half of its words are in "
    "the English models' word vocabularies: then py3langid decides; no letters at all -> en"
)
PLAINLY_ENGLISH_RULE = (
    "ASCII text of at least 6 words of which >= 25% are English function words and none a "
    "function word of Russian in Latin letters -> en without running py3langid (speed)"
)


def write_card(output_dir: pathlib.Path, **fields: Any) -> dict[str, Any]:
    card = {
        "model_version": fields["model_version"],
        "seed": fields["seed"],
        "libraries": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "skops": skops.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "py3langid": _version("py3langid"),
            # The kernels the numbers were computed with (training.kernels): the same on
            # another machine means the same bytes.
            "numeric_kernels": kernels_now(),
        },
        "artifacts": fields["artifacts"],
        "data_files": fields["data_files"],
        "data_root": "../shared/data (relative to the repository root; --data-dir)",
        "label_mappings": fields["label_mappings"],
        "training_sets": fields["training_sets"],
        "text_handling": {
            "max_chars": MAX_CHARS,
            "long_comments": f"truncated to the first {MAX_CHARS} characters in training and "
            "serving (350 C3 comments are longer)",
            "off_topic_comment_chars": COMMENT_CHARS,
            "off_topic_long_comments": "off-topic compares the n-grams of a comment's (and its "
            f"parent's) first {COMMENT_CHARS} normalised characters, cut between words, with "
            "the article; its text cues read the whole comment",
        },
        "language": {
            "detector": "py3langid restricted to candidates",
            "candidates": list(CANDIDATES),
            "short_text_rule": SHORT_TEXT_RULE,
            "plainly_english_rule": PLAINLY_ENGLISH_RULE,
            "prefix_chars": PREFIX_CHARS,
            "supported": ["en", "ru"],
            "refine_rule": "an unsure (< 0.9) detection of a Cyrillic neighbour language for a "
            "text in Russian/Latin letters only -> ru (or en when Latin letters dominate)",
            "mixed_en_ru": "words of 3+ letters in both scripts: scored by both models and "
            "combined (docs/russian.md)",
        },
        "operating_points": fields["operating_points"],
        "validation": fields["validation"],
        "calibration": {
            "about": "reliability bins of the out-of-fold (never fitted on) probabilities: "
            "mean predicted probability against the observed positive rate per bin; "
            "brier and ece in each validation entry",
            **fields["calibration"],
        },
        "fairness": fields["fairness"],
        "licences": LICENCES,
        "commercial_use": "NOT cleared: the toxicity model is trained on C3 (CC BY-NC-SA); "
        "the Russian model on ru_2ch_pikabu (no licence stated).",
        "limitations": LIMITATIONS,
        "russian": fields["russian"],
    }
    if fields.get("newsroom_labels"):
        card["newsroom_labels"] = fields["newsroom_labels"]
    (output_dir / CARD).write_text(
        json.dumps(card, indent=2, sort_keys=False) + "\n", encoding="utf-8"
    )
    return card


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)
