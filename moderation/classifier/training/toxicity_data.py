"""Label mappings for the toxicity data sets (written once here, copied into the model card)."""

from __future__ import annotations

from moderation.classifier.training.sources import DataDir, Labelled, number

C3_TOXIC_AT = 2.0
LABEL_MAPPINGS = {
    "socc_c3": "toxic = mean crowd_toxicity_level >= 2.0 (scale 1-4, 1 = not toxic); grouped by "
    "article_id; texts truncated to 1,500 characters like the service limit",
    "civil_toxic_spans": "every post toxic (pre-selected by Civil Comments raters): label 1; "
    "sub-types from data/spans.csv: a post has insult/threat/identity_attack when any "
    "annotator marked a span of that type",
    "wiki_talk_context": "CAT_LARGE gn.csv and gc.csv: label column (0/1) as given",
    "tweeteval_offensive": "offensive train/val: 1 offensive, 0 not offensive",
    "tweeteval_hate": "hate train/val: 1 hate, 0 not hate",
    "davidson_hate_offensive": "class 0 hate or 1 offensive -> 1, class 2 neither -> 0",
}
SUBTYPES = {"Insult": "insult", "Threat": "threat", "Identity based Attack": "identity_attack"}


def load_c3(data: DataDir) -> tuple[Labelled, list[float]]:
    """C3 comments with binary labels and the raw mean toxicity level."""
    rows = [r for f in data.glob("socc_c3/split/*.csv") for r in data.read_csv(f)]
    levels = [r.number("crowd_toxicity_level") for r in rows]
    return (
        Labelled(
            "socc_c3",
            [r["comment_text"] for r in rows],
            [int(level >= C3_TOXIC_AT) for level in levels],
            [r["article_id"] for r in rows],
        ),
        levels,
    )


def load_civil_spans(data: DataDir) -> tuple[Labelled, dict[str, list[int]]]:
    """Civil Comments toxic posts, all label 1, plus 0/1 sub-type labels per post."""
    comments = data.read_csv("civil_toxic_spans/data/comments.csv")
    annotation_post = {
        r["annotation"]: r["comment_id"]
        for r in data.read_csv("civil_toxic_spans/data/annotations.csv")
    }
    kinds: dict[str, set[str]] = {}
    for span in data.read_csv("civil_toxic_spans/data/spans.csv"):
        kind = SUBTYPES.get(span["type"])
        post = annotation_post.get(span["annotation"])
        if kind and post:
            kinds.setdefault(post, set()).add(kind)
    ids = [r["comment_id"] for r in comments]
    subtypes = {k: [int(k in kinds.get(i, set())) for i in ids] for k in SUBTYPES.values()}
    texts = [r["comment_text"] for r in comments]
    return Labelled("civil_toxic_spans", texts, [1] * len(texts), ["civil"] * len(texts)), subtypes


def load_wiki(data: DataDir) -> Labelled:
    rows = data.read_csv("wiki_talk_context/data/CAT_LARGE/gn.csv")
    rows += data.read_csv("wiki_talk_context/data/CAT_LARGE/gc.csv")
    seen: set[str] = set()
    unique = [r for r in rows if not (r["id"] in seen or seen.add(r["id"]))]  # type: ignore[func-returns-value]
    return Labelled(
        "wiki_talk_context",
        [r["text"] for r in unique],
        [int(r.number("label")) for r in unique],
        ["wiki"] * len(unique),
    )


def load_tweeteval(data: DataDir, task: str, split: str) -> Labelled:
    base = f"tweeteval_offensive_hate/datasets/{task}/{split}"
    texts = data.read_lines(f"{base}_text.txt")
    labels = data.read_lines(f"{base}_labels.txt")
    pairs = [
        (t, int(number(y, f"{base}_labels.txt line {line}")))
        for line, (t, y) in enumerate(zip(texts, labels, strict=False), start=1)
        if t.strip() and y.strip()
    ]
    return Labelled(
        f"tweeteval_{task}_{split}",
        [t for t, _ in pairs],
        [y for _, y in pairs],
        [f"tweeteval_{task}"] * len(pairs),
    )


def load_davidson(data: DataDir) -> Labelled:
    rows = data.read_csv("davidson_hate_offensive/data/labeled_data.csv")
    return Labelled(
        "davidson_hate_offensive",
        [r["tweet"] for r in rows],
        [int(r["class"] != "2") for r in rows],
        ["davidson"] * len(rows),
    )
