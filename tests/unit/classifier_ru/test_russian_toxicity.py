"""The Russian trainer on a tiny synthetic data set: structure, fast head, card section."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from sklearn.pipeline import Pipeline

from moderation.classifier.evaluation_ru import russian_measured, russian_rows
from moderation.classifier.heads import ToxicityHead
from moderation.classifier.lexicon_ru import SLURS, STEMS, RussianLexicon, _matches
from moderation.classifier.normalise_ru import normalise_ru
from moderation.classifier.text_features_ru import RussianTextFeatures
from moderation.classifier.training.linear import linear_head
from moderation.classifier.training.train_russian import train_russian
from tests.unit.classifier_ru.tables import write_table

_CLEAN = ["хорошая статья", "спасибо автору", "интересная новость", "согласен с мнением"]
_TOXIC = ["ты дебил", "иди нахуй", "тупой урод", "заткнись, сука"]
_TAIL = ["про выборы", "о погоде", "в городе", "на работе", "вчера", "сегодня утром"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    root = tmp_path_factory.mktemp("ru_data")
    rng = random.Random(1)
    forum = [[f"{rng.choice(_CLEAN)} {rng.choice(_TAIL)} {i}", "0.0"] for i in range(240)]
    forum += [[f"{rng.choice(_TOXIC)} {rng.choice(_TAIL)} {i}", "1.0"] for i in range(120)]
    write_table(root / "ru_2ch_pikabu/labeled.csv", ["comment", "toxic"], forum)
    header = ["index", "toxic_comment", "neutral_comment1", "neutral_comment2", "neutral_comment3"]
    train = [
        [str(i), f"{rng.choice(_TOXIC)} опять {i}", f"ты неправ опять {i}", "", ""]
        for i in range(80)
    ]
    write_table(root / "ru_paradetox/train.tsv", header, train, "\t")
    dev = [
        [f"{rng.choice(_TOXIC)} снова {i}", f"ты ошибаешься снова {i}", "", ""] for i in range(20)
    ]
    write_table(root / "ru_paradetox/dev.tsv", header[1:], dev, "\t")
    write_table(root / "ru_paradetox/test.tsv", ["toxic_comment"], [[t] for t in _TOXIC], "\t")
    objects, section = train_russian(root)
    return root, objects, section


def test_artifact_has_the_english_structure(trained: tuple[Path, dict, dict]) -> None:
    _, objects, _ = trained
    model: Pipeline = objects["toxicity_ru"]["model"]
    union = model.named_steps["features"]
    assert isinstance(union.transformer_list[0][1], RussianTextFeatures)
    assert isinstance(union.transformer_list[1][1], RussianLexicon)
    assert objects["toxicity_ru"]["subtypes"] == {}
    scores = model.predict_proba(["ты дебил про выборы", "хорошая статья о погоде"])[:, 1]
    assert scores[0] > scores[1]


def test_fast_head_matches_the_pipeline(trained: tuple[Path, dict, dict]) -> None:
    _, objects, _ = trained
    model: Pipeline = objects["toxicity_ru"]["model"]
    n = model.named_steps["classifier"].coef_.shape[1] - 3
    head = ToxicityHead(model, {"none": linear_head(np.zeros(n), 0.0)})
    for text in ["ты дeбил", "ну ты с у к а", "спасибо автору"]:
        scored = head.score(head.ngrams.vectorise(text), text)
        assert scored.probability == pytest.approx(model.predict_proba([text])[0, 1], abs=1e-9)
        assert all(text[s.start : s.end] == s.text for s in scored.spans)


def test_card_section_names_files_licences_and_figures(trained: tuple[Path, dict, dict]) -> None:
    _, _, section = trained
    assert set(section["data_files"]) == {
        "ru_2ch_pikabu/labeled.csv",
        "ru_paradetox/train.tsv",
        "ru_paradetox/dev.tsv",
        "ru_paradetox/test.tsv",
    }
    assert all(len(h) == 64 for h in section["data_files"].values())
    assert "NOT STATED" in section["licences"]["ru_2ch_pikabu"]
    assert "openrail++" in section["licences"]["ru_paradetox"]
    point = section["operating_points"]["toxicity"]
    assert 0.0 <= point["approve_below"] <= point["reject_at_or_above"] <= 1.0
    for model in ("full_model", "forum_only_model"):
        assert "paradetox_dev_toxic_vs_rewrites" in section["validation"][model]
    assert "latin_lookalikes" in section["obfuscation_robustness"]


def test_evaluate_rows(trained: tuple[Path, dict, dict]) -> None:
    root, objects, section = trained
    measured = russian_measured(root, objects["toxicity_ru"]["model"], section)
    rows = russian_rows(measured, section, "test")
    names = [r["set"] for r in rows]
    assert names[0] == "ru_2ch_pikabu_test (random split)"
    assert any("trained without ParaDetox" in n for n in names)
    assert all(r["score"] == "toxicity_ru" for r in rows)


def test_grouped_lexicon_stems_find_what_the_plain_alternation_finds() -> None:
    """The lexicon's stem search, grouped by first letter, gives the same matches (start, end
    and the same stem chosen) as the plain alternation of the stems, on random mixes of
    stems, their neighbours and ordinary words."""
    import re

    from moderation.classifier.lexicon_ru import _ANY_STEM, ANY_STEM_PLAIN

    plain = re.compile(ANY_STEM_PLAIN)
    samples = [re.sub(r"\\[wb]|[\\()?*+|\[\]!]", "", stem)[:6] for stem in STEMS.values()]
    pieces = [*samples, "ёб", "еб", "сука", "сучка", "хер", "херня", "хач", "хачапури", " ",
              "а", "ть", "ый", "привет", "на", "вы", "2", "x"]  # fmt: skip
    rng = random.Random(20261128)
    found = 0
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        expected = [(m.start(), m.end(), m.group()) for m in plain.finditer(text)]
        assert [(m.start(), m.end(), m.group()) for m in _ANY_STEM.finditer(text)] == expected
        found += len(expected)
    assert found > 10_000


def test_slurs_shrink_towards_the_slurs_rate_and_other_words_towards_the_base_rate() -> None:
    """A slur the data never has weighs like the slurs it has; an unseen insult weighs 0."""
    texts = [f"обычный текст {i}" for i in range(60)] + [f"хохол опять {i}" for i in range(40)]
    labels = [0] * 60 + [1] * 36 + [0] * 4
    lexicon = RussianLexicon().fit(texts, labels)
    rates = dict(zip(STEMS, lexicon.rates_, strict=True))
    base = 36 / 100
    assert {"чучмек", "калбит", "хохол"} <= SLURS and "кретин" not in SLURS
    # хохол: 36 of 40 toxic, its own and the slurs' pooled rate; unseen slurs get the same.
    assert rates["хохол"] == pytest.approx((0.9 - base) / (1 - base))
    assert rates["чучмек"] == pytest.approx(rates["хохол"])
    assert rates["кретин"] == 0.0
    assert [r for r, _, _ in lexicon.word_rates("опять эти чучмеки")] == [rates["чучмек"]]


def test_a_lexicon_trained_before_the_newer_stems_gives_them_no_weight() -> None:
    """New stems go at the end of STEMS: a model trained with fewer holds the earlier ones as a
    prefix, still scores, and weighs the new ones (чучмек, added in 2026.11.30.3) at nothing."""
    names = list(STEMS)
    older = names.index("чучмек")
    texts = [f"обычный текст {i}" for i in range(60)] + [f"хохол опять {i}" for i in range(40)]
    lexicon = RussianLexicon().fit(texts, [0] * 60 + [1] * 40)
    lexicon.rates_, lexicon.words_ = lexicon.rates_[:older], "\n".join(names[:older])
    assert lexicon.rates_[names.index("хохол")] > 0
    found = lexicon.word_rates("опять чучмеки и хохлы")
    assert [(start, end) for _, start, end in found] == [(16, 21)]  # хохлы, not чучмеки


@pytest.mark.parametrize(
    "text",
    [
        "Педро Санчес", "на Даунинг-стрит", "Чуркин", "депутат Рашкин", "Хачатурян",
        "Хачатрян", "министр Козлова", "Козловский", "Хохлова", "хохломская роспись", "Москалев",
        "Москаленко", "Хернандес", "урожай уродился", "хачапури", "жидкость", "нерусское слово",
    ],
)  # fmt: skip
def test_names_and_words_that_begin_like_a_stem_are_not_lexicon_words(text: str) -> None:
    """Surnames, places and ordinary words sharing a slur's or insult's first letters: news
    comments name them every day (the slurs' rates are high, so a wrong match would hold)."""
    assert _matches(normalise_ru(text).text) == []


@pytest.mark.parametrize(
    "text",
    [
        "пидор", "дауны", "чурки", "рашка", "хачи", "козлы", "этих козлов", "с хохлом", "хохлы",
        "москали", "москальский", "херня", "уроды", "кацапы", "чучмеки", "калбиты", "нерусь",
    ],
)  # fmt: skip
def test_the_insults_themselves_still_are(text: str) -> None:
    assert len(_matches(normalise_ru(text).text)) == 1
