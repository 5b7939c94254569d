"""Hand-written comments against the committed model: each score moves the right way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moderation.classifier.scorer import ModerationScorer
from moderation.domain.scores import CommentInput, CommentScores

EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "examples"
ARTICLE_TITLE = "Ottawa raises the carbon tax to fund rebates for households"
ARTICLE_BODY = (
    "The federal government will raise the carbon tax next April and return most of the money "
    "to households through quarterly rebates, Finance Minister said on Tuesday. Provinces that "
    "run their own carbon pricing systems are exempt. Economists say the rebate offsets the "
    "higher fuel prices for most families, while opposition parties call the tax a burden on "
    "rural drivers and farmers who depend on diesel."
)


def _one(scorer: ModerationScorer, text: str, *, article: bool = True) -> CommentScores:
    comment = CommentInput(
        text, ARTICLE_TITLE if article else None, ARTICLE_BODY if article else None
    )
    return scorer.score([comment])[0]


@pytest.mark.parametrize(
    ("toxic", "civil"),
    [
        ("You are a pathetic idiot and a liar.", "I think the rebate is a sensible design."),
        ("Shut up, you stupid moron.", "Thanks for explaining how the rebate works."),
        ("What a f*cking disgrace, these scumbags should rot.", "Farmers deserve a fair deal too."),
        ("You are an 1d10t", "You are an expert"),
        ("you are an i d i o t", "you are an economist"),
    ],
)
def test_toxic_scores_higher_than_civil(scorer: ModerationScorer, toxic: str, civil: str) -> None:
    assert _one(scorer, toxic).toxicity > _one(scorer, civil).toxicity  # type: ignore[operator]


@pytest.mark.parametrize(
    ("spammy", "normal"),
    [
        (
            "Check out my channel http://bit.ly/abc123 and subscribe!!!",
            "The rebate is too small for farmers.",
        ),
        (
            "EARN $500 PER DAY from home, visit www.easy-money.biz now",
            "Diesel prices are already high.",
        ),
        (
            "Free crypto giveaway!!! Follow me and DM me on telegram",
            "I agree with the economists here.",
        ),
    ],
)
def test_spam_scores_higher_than_normal(scorer: ModerationScorer, spammy: str, normal: str) -> None:
    assert _one(scorer, spammy).spam > _one(scorer, normal).spam  # type: ignore[operator]


@pytest.mark.parametrize(
    ("off_topic", "on_topic"),
    [
        (
            "My cat knocked over the Christmas tree again last night.",
            "The carbon tax rebate will not cover rural diesel costs.",
        ),
        (
            "The Leafs need a better goalie if they want the playoffs.",
            "Provinces with their own carbon pricing should stay exempt.",
        ),
    ],
)
def test_off_topic_pair_scores_higher(
    scorer: ModerationScorer, off_topic: str, on_topic: str
) -> None:
    assert _one(scorer, off_topic).off_topic > _one(scorer, on_topic).off_topic  # type: ignore[operator]


def test_a_reply_that_answers_its_parent_is_more_on_topic(scorer: ModerationScorer) -> None:
    """A reply is judged with the comment it answers (docs/models.md, "Off-topic")."""
    reply = "Sure, but the dairy subsidies you mention cost far more than any hockey arena."
    parent = "Quebec dairy subsidies and the new hockey arena are the real waste of money."
    unrelated = "The Leafs need a better goalie if they want the playoffs this spring."

    def score(answering: str | None) -> float:
        comment = CommentInput(reply, ARTICLE_TITLE, ARTICLE_BODY, parent=answering)
        result = scorer.score([comment])[0].off_topic
        assert result is not None
        return result

    assert score(parent) < score(unrelated)
    assert score(parent) < score(None)


def test_no_article_means_no_off_topic_score(scorer: ModerationScorer) -> None:
    assert _one(scorer, "The rebate is fine.", article=False).off_topic is None


def test_toxicity_never_names_a_function_word(scorer: ModerationScorer) -> None:
    from moderation.classifier.language import PLAIN_WORDS

    for text in ("The USA is better than Russia.", "You are what you are, and that is that."):
        words = {s.text.lower() for s in _one(scorer, text).spans["toxicity"]}
        assert not words & PLAIN_WORDS["en"], words
    russian = _one(scorer, "Ты тупой дебил, и это всё, что я скажу.")
    assert not {s.text.lower() for s in russian.spans["toxicity"]} & PLAIN_WORDS["ru"]


def test_spans_index_the_original_text(scorer: ModerationScorer) -> None:
    text = "Honestly you are a total 1d10t and a m0r0n."
    result = _one(scorer, text)
    spans = result.spans["toxicity"]
    assert spans
    for span in spans:
        assert text[span.start : span.end] == span.text
    assert {"1d10t", "m0r0n"} & {s.text for s in spans}


def test_russian_goes_to_the_russian_model(scorer: ModerationScorer) -> None:
    toxic = _one(scorer, "Ты тупой дебил, заткнись уже.")
    civil = _one(scorer, "Спасибо за статью, всё по делу.")
    for result in (toxic, civil):
        assert result.language == "ru" and result.language_supported
        assert result.spam is not None
        assert result.off_topic is None  # the article is English: no comparison across languages
        assert result.subscores == {}
    assert toxic.toxicity is not None and civil.toxicity is not None
    assert toxic.toxicity > civil.toxicity + 0.5


RU_WATER = (
    "Узбекистан и Таджикистан договорились о воде Амударьи",
    "Правительства подписали соглашение о совместном управлении водой Амударьи: квоты забора "
    "воды на поливной сезон, общая комиссия по мониторингу. Фермеры Хорезма потеряли треть "
    "урожая хлопка из-за засухи; каналы теряют половину воды.",
)
RU_FOOTBALL = (
    "Сборная Казахстана обыграла Данию",
    "Сборная Казахстана по футболу обыграла Данию со счётом 3:2 в отборочном матче Евро. "
    "Победный гол с пенальти на 89-й минуте забил Зайнутдинов; тренер назвал победу главной.",
)


@pytest.mark.parametrize(
    "text",
    [
        "Наконец-то договорились о воде, в Хорезме поля стояли сухие.",
        "Каналы надо чинить, половина воды теряется, а хлопок пьёт слишком много.",
        "Комиссия по мониторингу Амударьи ничего не решит без Афганистана.",
    ],
)
def test_russian_off_topic_compares_with_the_russian_article(
    scorer: ModerationScorer, text: str
) -> None:
    home, away = (scorer.score([CommentInput(text, *a)])[0] for a in (RU_WATER, RU_FOOTBALL))
    assert home.language == away.language == "ru"
    assert home.off_topic is not None and away.off_topic is not None
    # Approved under its own article, held under the other (the Russian operating point).
    point = scorer.card["russian"]["operating_points"]["off_topic"]["approve_below"]
    assert home.off_topic < point <= away.off_topic
    assert away.off_topic - home.off_topic > 0.4
    # Held, so it names the words the football article lacks (spans start at the approve point).
    assert away.spans.get("off_topic")
    assert not home.spans.get("off_topic")


def test_russian_in_latin_letters_goes_to_the_russian_model(scorer: ModerationScorer) -> None:
    toxic = _one(scorer, "ty tupoy debil, zatknis uzhe", article=False)
    civil = _one(scorer, "Spasibo za statyu, ochen interesno i po delu", article=False)
    for result in (toxic, civil):
        assert result.language == "ru-Latn" and result.language_supported
        assert result.spam is not None
    assert toxic.toxicity is not None and civil.toxicity is not None
    assert toxic.toxicity > civil.toxicity + 0.5
    # spans point at the Latin letters the reader typed
    assert {"debil", "tupoy"} & {s.text for s in toxic.spans["toxicity"]}
    # a two-word insult is Russian too, and held by the Russian model's score
    short = _one(scorer, "avtor mudak", article=False)
    assert short.language == "ru-Latn" and short.toxicity is not None and short.toxicity > 0.5
    # under a Russian article, off-topic compares the transliterated words with it
    water = "Nu nakonec-to dogovorilis o vode, eto khorosho dlya fermerov Khorezma"
    home, away = (scorer.score([CommentInput(water, *a)])[0] for a in (RU_WATER, RU_FOOTBALL))
    assert home.language == "ru-Latn" and home.off_topic is not None and away.off_topic is not None
    assert home.off_topic < 0.5 < away.off_topic


def test_other_cyrillic_languages_are_not_scored(scorer: ModerationScorer) -> None:
    result = _one(scorer, "Бұл мақала өте жақсы, рахмет сізге, автор шындықты жазды.")
    assert result.language == "kk" and not result.language_supported
    assert result.toxicity is result.spam is result.off_topic is None


def test_mixed_comment_keeps_the_english_insult(scorer: ModerationScorer) -> None:
    civil = _one(scorer, "Спасибо за статью, всё по делу и очень подробно.", article=False)
    mixed = _one(
        scorer, "Спасибо за статью, всё по делу и очень подробно. You are an idiot.", article=False
    )
    assert mixed.language == "ru"
    assert mixed.toxicity is not None and civil.toxicity is not None
    assert mixed.toxicity > civil.toxicity + 0.3
    assert "idiot" in {s.text for s in mixed.spans["toxicity"]}


@pytest.mark.skipif(not (EXAMPLES / "comments.jsonl").is_file(), reason="shared examples absent")
def test_example_comments_are_civil_on_topic_and_not_spam(scorer: ModerationScorer) -> None:
    article = json.loads((EXAMPLES / "article.json").read_text(encoding="utf-8"))
    lines = (EXAMPLES / "comments.jsonl").read_text(encoding="utf-8").splitlines()
    comments = [json.loads(line) for line in lines if line.strip()]
    points = scorer.card["operating_points"]
    for comment in comments:
        result = scorer.score(
            [CommentInput(comment["text"], article["title"], article["body"], "en")]
        )[0]
        assert result.language == "en"
        assert result.toxicity < points["toxicity"]["reject_at_or_above"]  # type: ignore[operator]
        assert result.toxicity < 0.5  # type: ignore[operator]
        assert result.spam < points["spam"]["approve_below"]  # type: ignore[operator]
        assert result.off_topic < points["off_topic"]["reject_at_or_above"]  # type: ignore[operator]
        assert result.off_topic < 0.5  # type: ignore[operator]
        # "The USA is better than Russia.": naming a country is not what makes a comment toxic
        named = {span.text.lower() for span in result.spans.get("toxicity", ())}
        assert not named & {"usa", "russia"}


@pytest.mark.parametrize(
    ("spammy", "normal"),
    [
        (
            "Заработок от 5000 руб в день! Подпишись на мой канал, переходи по ссылке в профиле.",
            "Спасибо за статью, очень интересно узнать про соглашение о воде.",
        ),
        (
            "Бесплатная консультация, пишите в личку или в телеграм.",
            "Процентная ставка по кредитам выросла, доходы населения падают.",
        ),
    ],
)
def test_russian_spam_scores_higher_and_names_the_cue_words(
    scorer: ModerationScorer, spammy: str, normal: str
) -> None:
    spam, civil = scorer.score([CommentInput(spammy), CommentInput(normal)])
    assert spam.language == civil.language == "ru"
    assert spam.spam is not None and civil.spam is not None
    assert spam.spam > civil.spam + 0.2
    words = {s.text.lower() for s in spam.spans["spam"]}
    assert words & {
        "заработок", "бесплатная", "на мой канал", "пишите в личку", "телеграм", "подпишись",
        "переходи по ссылке", "консультация",
    }  # fmt: skip


def test_off_topic_words_start_at_the_cards_approve_point(scorer: ModerationScorer) -> None:
    """Every comment the shipped policy holds for off-topic names its words."""
    from moderation.classifier.scorer import _explain_from

    english = scorer.card["operating_points"]["off_topic"]["approve_below"]
    russian = scorer.card["russian"]["operating_points"]["off_topic"]["approve_below"]
    assert scorer.routes["en"].off_topic.explain_from == english < 0.5  # type: ignore[union-attr]
    assert scorer.routes["ru"].off_topic.explain_from == russian < 0.5  # type: ignore[union-attr]
    assert _explain_from(None) == _explain_from({"approve_below": 0.8}) == 0.5


TRAVEL = "We spent a week travelling around {} and loved the food."
BRIDGE = "Yesterday {} opened the new bridge over the river."


@pytest.mark.parametrize(
    ("sentence", "name", "no_name"),
    [
        (TRAVEL, "Russia", "the province"),
        (TRAVEL, "Israel", "the province"),
        (TRAVEL, "Syria", "the district"),
        (TRAVEL, "Kazakhstan", "the region"),
        (BRIDGE, "Trump", "the senator"),
        (BRIDGE, "Obama", "the mayor"),
    ],
)
def test_naming_a_country_or_politician_scores_like_naming_no_one(
    scorer: ModerationScorer, sentence: str, name: str, no_name: str
) -> None:
    with_name = _one(scorer, sentence.format(name), article=False).toxicity
    without = _one(scorer, sentence.format(no_name), article=False).toxicity
    assert abs(with_name - without) < 0.01  # type: ignore[operator]
