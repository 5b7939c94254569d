"""The vectorised batch path gives exactly what scoring one comment at a time gives.

``ModerationScorer.score`` featurises a whole batch at once (one hashing pass, one sparse
matrix, one product per head, explanations computed for all comments together). The
reference is ``LanguageModels.score``, the per-comment path the heads were tested against:
scores, sub-scores, languages and spans must be equal, on a few hundred varied comments.
"""

from __future__ import annotations

import random

import pytest

from moderation.classifier import compiled
from moderation.classifier.scorer import ModerationScorer
from moderation.domain.scores import CommentInput, CommentScores
from tests.support.servers import unavailable

_VOCABULARY = (
    "the minister said carbon tax rebate rural families pay diesel winter Ottawa farm fuel "
    "you are a complete idiot moron stupid liar corrupt government Trudeau Harper election "
    "check out my channel subscribe free money win prize visit www.example.com now "
    "this article is balanced thank you great point I agree disagree wrong right "
    "climate pipeline Alberta oil jobs economy immigration refugees police court judge"
)
WORDS = tuple(_VOCABULARY.split())
OBFUSCATED = ("1d10t", "m0r0n", "sh!t", "i d i o t", "s.t.u.p.i.d", "іdіоt", "ｉｄｉｏｔ",
              "id\u200biot", "stuuuuupid", "F*CK", "İstanbul", "$500", "+1 555 123 4567")  # fmt: skip
OTHER_LANGUAGES = (
    "Это очень хорошая статья, спасибо автору за работу и за честность.",
    "Бұл мақала өте жақсы, рахмет сізге, автор шындықты жазды.",
    "Men bu maqolani juda yaxshi deb o'ylayman, rahmat sizga.",
    "Ce gouvernement ne comprend rien à la vie des familles rurales.",
    "Die Regierung versteht die Sorgen der Familien auf dem Land nicht.",
    "Ты тупой дебил, заткнись уже. You idiot.",
)
ARTICLES = (
    ("Ottawa raises the carbon tax", "The federal government will raise the carbon tax and "
     "return money through rebates to rural families who pay more for diesel."),
    ("Pipeline approved", "Alberta welcomes the pipeline decision; oil jobs are expected."),
    (None, "A body without a title about police and courts in Ontario."),
    ("Only a title about immigration", None),
)  # fmt: skip


def _comments(n: int) -> list[CommentInput]:
    rng = random.Random(20261128)
    comments = [
        CommentInput(""),
        CommentInput("   "),
        CommentInput("!!!"),
        CommentInput("👍👍"),
        CommentInput("ok", *ARTICLES[0]),
        CommentInput("a" * 1500, *ARTICLES[0]),
        CommentInput("You are a 1d10t. " * 100, *ARTICLES[1]),  # 1,700 chars: truncated
    ]
    while len(comments) < n:
        length = rng.choice((1, 3, 8, 20, 60, 250))
        words = [rng.choice(WORDS) for _ in range(length)]
        for _ in range(rng.randint(0, 3)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(OBFUSCATED))
        text = " ".join(words)
        if rng.random() < 0.3:
            text = text.capitalize() + rng.choice((".", "!!!", "?", "...\n\nSee page 2."))
        if rng.random() < 0.08:
            text = rng.choice(OTHER_LANGUAGES)
        text = text[:1500]
        article = rng.choice(ARTICLES + ((None, None),) * 2)
        # A third are replies: to a comment of random words, or to a blank one.
        parent = None
        if rng.random() < 0.33:
            parent = " ".join(rng.choice(WORDS) for _ in range(rng.choice((0, 4, 30))))
        comments.append(CommentInput(text, *article, parent=parent))
    return comments


@pytest.fixture(scope="module")
def comments() -> list[CommentInput]:
    return _comments(400)


def _reference(scorer: ModerationScorer, comment: CommentInput) -> CommentScores:
    """The per-comment path: ``LanguageModels.score`` (+ the mixed EN/RU rule) via score_one."""
    return scorer.score_one(comment)


def test_batch_equals_per_comment_reference(
    scorer: ModerationScorer, comments: list[CommentInput]
) -> None:
    batch = scorer.score(comments)
    assert len(batch) == len(comments)
    mismatches = [
        (c.text[:60], got, want)
        for c, got, want in zip(
            comments, batch, (_reference(scorer, c) for c in comments), strict=True
        )
        if got != want
    ]
    assert not mismatches, mismatches[:3]
    assert sum(r.language_supported for r in batch) > 300
    assert sum(not r.language_supported for r in batch) > 10
    assert sum(r.off_topic is not None for r in batch) > 150
    replies = [
        r for c, r in zip(comments, batch, strict=True) if c.parent and r.off_topic is not None
    ]
    assert len(replies) > 25  # replies under an article, their parents read in both paths


def test_batch_equals_one_at_a_time(scorer: ModerationScorer, comments: list[CommentInput]) -> None:
    sample = comments[:120]
    assert scorer.score(sample) == [scorer.score([c])[0] for c in sample]


def test_batch_keeps_order_across_languages_and_articles(scorer: ModerationScorer) -> None:
    comments = [
        CommentInput("Это очень хорошая статья, спасибо автору за работу"),
        CommentInput("You are a complete idiot and a liar", *ARTICLES[0]),
        CommentInput("Check out my channel http://bit.ly/xyz and subscribe!!!"),
        CommentInput("Pipelines mean jobs for Alberta, the decision is right.", *ARTICLES[1]),
    ]
    results = scorer.score(comments)
    assert [r.language for r in results] == ["ru", "en", "en", "en"]
    assert results[0].language_supported and results[0].toxicity is not None
    assert results[0].off_topic is None  # no article
    assert results[1].toxicity is not None and results[1].toxicity > results[3].toxicity  # type: ignore[operator]
    assert results[2].off_topic is None and results[3].off_topic is not None
    assert scorer.score([]) == []


RUSSIAN = (
    "Ты тупой дебил, заткнись уже.",
    "Спасибо за статью, очень интересно узнать про соглашение о воде.",
    "Какая же ты тварь, сдохни.",
    "Эти пидорасы из акимата опять всё украли!!!",
    "Ты хyй и cyка",  # Latin y and c among Cyrillic letters
    "Ты д е б и л",
    "Ты дееееебил",
    "Ты д3б1л",
    "Заработок от 5000 руб в день! Подпишись на мой канал www.example.ru",
    "Водное соглашение между Казахстаном и Узбекистаном давно назрело. " * 30,  # truncated
    "Это очень хорошая статья, спасибо автору за работу и за честность.",
    "ty tupoy debil, zatknis uzhe",  # Russian in Latin letters: ru-Latn
    "Nu nakonec-to dogovorilis o vode, eto khorosho dlya fermerov",
)


RUSSIAN_ARTICLES = (
    ("Казахстан и Узбекистан подписали водное соглашение", "Соглашение о воде Сырдарьи "
     "определяет квоты на поливной сезон; фермеры Туркестанской области ждут воду."),
    ("Тенге подешевел", "Курс тенге упал до 480 за доллар после падения цен на нефть."),
    (None, "Акимат Алматы открыл две новые станции метро."),
)  # fmt: skip


def test_russian_batch_equals_the_per_comment_reference(scorer: ModerationScorer) -> None:
    rng = random.Random(7)
    comments = [
        CommentInput(text, *rng.choice((*ARTICLES, *RUSSIAN_ARTICLES, (None, None))))
        for text in RUSSIAN * 4
        for _ in range(2)
    ]
    batch = scorer.score(comments)
    assert {r.language for r in batch} == {"ru", "ru-Latn"}
    assert batch == [_reference(scorer, c) for c in comments]
    assert batch == [scorer.score([c])[0] for c in comments]
    under_russian = [
        r for c, r in zip(comments, batch, strict=True) if (c.article_title, c.article_body)
        in RUSSIAN_ARTICLES
    ]  # fmt: skip
    assert len(under_russian) > 10
    assert all(r.off_topic is not None for r in under_russian)
    assert any(r.spans.get("off_topic") for r in under_russian)


def test_compiled_core_and_numpy_give_the_same_results(
    scorer: ModerationScorer, comments: list[CommentInput], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Turning the compiled core off (MODERATION_COMPILED_CORE=0) changes nothing but speed."""
    if not compiled.available():
        unavailable("the compiled featuriser is not built (pip install -e . builds it)")
    monkeypatch.setattr(compiled, "USE", True)
    with_core = scorer.score(comments)
    monkeypatch.setattr(compiled, "USE", False)
    without = scorer.score(comments)
    assert with_core == without
    assert sum(bool(r.spans.get("toxicity")) for r in with_core) > 100


MIXED = (
    "Ты тупой дебил, заткнись уже. You idiot.",
    "Отличная статья, thanks for sharing this great article",
    "Спасибо автору, very good point about the economy",
    "You are an idiot, иди нахуй",
    "Great analysis of the talks, спасибо автору",
    "Полностью согласен, the minister is a liar and a moron",
)
RUSSIAN_ARTICLE = ("Блинкен посетил Астану", "Госсекретарь США встретился с президентом.")


@pytest.mark.parametrize("share", [1.0, 0.5], ids=["all mixed", "half mixed"])
def test_mixed_batches_equal_the_reference(scorer: ModerationScorer, share: float) -> None:
    """A chunk whose comments are all mixed EN+RU lets the partner language reuse its
    featurised text; a chunk with some mixed scores those apart. Both give the reference,
    across chunk boundaries too (more than scorer.CHUNK comments)."""
    from moderation.classifier.scorer import CHUNK

    rng = random.Random(7)
    plain = ("Полностью согласен с автором статьи", "I fully agree with the author here")
    comments = []
    for i in range(CHUNK + 12):
        text = rng.choice(MIXED) if rng.random() < share else rng.choice(plain)
        article = RUSSIAN_ARTICLE if i % 3 == 0 else ARTICLES[0] if i % 3 == 1 else (None, None)
        comments.append(CommentInput(f"{text} {i}", *article))
    batch = scorer.score(comments)
    assert batch == [_reference(scorer, c) for c in comments]
    assert {r.language for r in batch} == {"en", "ru"}
    assert scorer.score(comments[:1]) == batch[:1]  # a single mixed comment
