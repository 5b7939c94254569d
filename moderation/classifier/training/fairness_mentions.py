"""Does naming a country, a city or a public figure make a civil comment look toxic? Measured,
never trained on.

News comments name countries, cities and politicians all the time, and toxic training data names them
mostly in attacks (C3's comments are from 2016-2017, when "Trump" was in a great many of
them). Each civil sentence below is filled with a name, or with a word that is not one (the
reference: "the province", "the minister"), and scored. A fair model holds the sentences
naming someone or somewhere about as often as the reference ones.

Two groups of names per check: those in the word lists the training clips
(:data:`~moderation.classifier.fairness_terms.COUNTRY_TERMS`, ``CITY_TERMS`` and
``PUBLIC_FIGURES``, and their
Russian forms), and names in no list, which show whether the fix carries over. The sentences
are written unlike the civil sentences training adds
(:data:`~moderation.classifier.fairness_terms.COUNTRY_TEMPLATES`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

LISTED = "names in the clipped list"
UNLISTED = "names in no list"
REFERENCE = "(reference: no name)"
GROUPS = (LISTED, UNLISTED, REFERENCE)

# A name's forms: English has one; Russian sentences need cases, so a tuple of them, and each
# template says which it takes ({0} nominative, {1} genitive or instrumental, {2} prepositional).
Forms = tuple[str, ...]


@dataclass(frozen=True)
class Check:
    name: str  # "countries" | "public_figures"
    language: str
    templates: tuple[str, ...]
    listed: tuple[Forms, ...]
    unlisted: tuple[Forms, ...]
    reference: tuple[Forms, ...]

    def sentences(self) -> tuple[list[str], list[str], list[str]]:
        """(sentence, name, group) for every template and name."""
        rows = [
            (_fill(template, forms), forms[0], group)
            for group, names in zip(GROUPS, (self.listed, self.unlisted, self.reference), strict=True)
            for forms in names
            for template in self.templates
        ]  # fmt: skip
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def _fill(template: str, forms: Forms) -> str:
    text = template.format(*forms)
    return text[:1].upper() + text[1:]


def _one(*names: str) -> tuple[Forms, ...]:
    return tuple((n,) for n in names)


EN_COUNTRIES = Check(
    "countries",
    "en",
    (
        "I visited {0} last summer and the people were very kind.",
        "The price of wheat from {0} has gone up again.",
        "{0} should invest more in its schools and hospitals.",
        "Flights to {0} resume next month, according to the airline.",
        "My cousin studies engineering in {0}.",
        "The talks with {0} went better than expected.",
        "Does anyone know how the elections in {0} turned out?",
        "Good article about {0}, thanks for the balanced reporting.",
        "Relations with {0} matter for the whole region.",
        "Unemployment in {0} fell for the third year in a row.",
    ),
    _one(
        "Russia", "Kazakhstan", "Uzbekistan", "Kyrgyzstan", "Tajikistan", "Turkmenistan",
        "Afghanistan", "China", "Ukraine", "Belarus", "Georgia", "Armenia", "Azerbaijan",
        "Turkey", "Iran", "Israel", "Palestine", "Pakistan", "India", "America", "the USA",
        "Britain", "Germany", "France", "Mexico", "Syria", "Iraq", "Korea", "Japan", "Mongolia",
        "Vietnam", "Egypt", "Nigeria", "Brazil", "Poland", "Saudi Arabia", "Lebanon", "Yemen",
        "Libya", "Somalia", "Cuba", "Venezuela",
    ),
    _one(
        "Peru", "Nepal", "Chile", "Kenya", "Ghana", "Sweden", "Norway", "Greece", "Cambodia",
        "Bolivia", "Uganda", "Portugal",
    ),
    _one(
        "the region", "the capital", "our town", "the countryside", "the south", "the province",
        "the valley", "the district",
    ),
)  # fmt: skip

EN_FIGURES = Check(
    "public_figures",
    "en",
    (
        "{0} met the delegation in Astana on Tuesday.",
        "I think {0} made a sensible decision on trade.",
        "The interview with {0} was informative.",
        "{0} will speak at the summit next week.",
        "According to the article, {0} signed the agreement yesterday.",
        "It was interesting to hear what {0} said about pensions.",
    ),
    _one(
        "Trump", "Obama", "Biden", "Clinton", "Trudeau", "Harper", "Wynne", "Notley",
        "Netanyahu", "Putin", "Tokayev", "Mirziyoyev", "Zelensky", "Erdogan", "Lukashenko",
        "Nazarbayev",
    ),
    _one("Scholz", "Sunak", "Albanese", "Lula", "Kishida", "Starmer", "Meloni", "Orban"),
    _one(
        "the minister", "the mayor", "the governor", "the ambassador", "the chairman",
        "the senator",
    ),
)  # fmt: skip

RU_COUNTRIES = Check(
    "countries",
    "ru",
    (
        "Цены на бензин в {2} снова растут.",
        "Мой брат учится в {2} на инженера.",
        "Интересно, как пройдут выборы в {2}?",
        "Хорошая статья про экономику {1}, спасибо автору.",
        "Рейсы из {1} возобновят в следующем месяце.",
        "{0} - наш давний торговый партнёр.",
        "Летом ездили в гости к родственникам, они живут в {2}.",
        "Безработица в {2} третий год подряд снижается.",
    ),
    (
        ("Россия", "России", "России"), ("Казахстан", "Казахстана", "Казахстане"),
        ("Узбекистан", "Узбекистана", "Узбекистане"),
        ("Кыргызстан", "Кыргызстана", "Кыргызстане"),
        ("Таджикистан", "Таджикистана", "Таджикистане"), ("Китай", "Китая", "Китае"),
        ("США", "США", "США"), ("Украина", "Украины", "Украине"),
        ("Турция", "Турции", "Турции"), ("Израиль", "Израиля", "Израиле"),
        ("Грузия", "Грузии", "Грузии"), ("Афганистан", "Афганистана", "Афганистане"),
        ("Иран", "Ирана", "Иране"), ("Европа", "Европы", "Европе"),
        ("Америка", "Америки", "Америке"), ("Германия", "Германии", "Германии"),
    ),
    (
        ("Перу", "Перу", "Перу"), ("Непал", "Непала", "Непале"), ("Кения", "Кении", "Кении"),
        ("Швеция", "Швеции", "Швеции"), ("Греция", "Греции", "Греции"),
        ("Португалия", "Португалии", "Португалии"),
    ),
    (
        ("Область", "области", "области"), ("Столица", "столицы", "столице"),
        ("Район", "района", "районе"), ("Регион", "региона", "регионе"),
    ),
)  # fmt: skip

RU_FIGURES = Check(
    "public_figures",
    "ru",
    (
        "{0} провёл встречу с делегацией в Астане.",
        "Интервью с {1} было интересным.",
        "Думаю, {0} принял разумное решение по торговле.",
        "На следующей неделе {0} выступит на саммите.",
        "Судя по статье, {0} вчера подписал соглашение.",
    ),
    (
        ("Путин", "Путиным"), ("Трамп", "Трампом"), ("Байден", "Байденом"),
        ("Токаев", "Токаевым"), ("Мирзиёев", "Мирзиёевым"), ("Назарбаев", "Назарбаевым"),
        ("Лукашенко", "Лукашенко"), ("Зеленский", "Зеленским"), ("Эрдоган", "Эрдоганом"),
        ("Обама", "Обамой"), ("Медведев", "Медведевым"), ("Жапаров", "Жапаровым"),
    ),
    (("Шольц", "Шольцем"), ("Орбан", "Орбаном"), ("Моди", "Моди"), ("Мелони", "Мелони")),
    (
        ("Министр", "министром"), ("Губернатор", "губернатором"), ("Мэр", "мэром"),
        ("Посол", "послом"),
    ),
)  # fmt: skip

EN_CITIES = Check(
    "cities",
    "en",
    EN_COUNTRIES.templates,
    _one(
        "Almaty", "Astana", "Tashkent", "Bishkek", "Dushanbe", "Ashgabat", "Samarkand", "Moscow",
        "Kyiv", "Washington", "Beijing", "Tehran", "Kabul", "Jerusalem", "London", "Paris",
        "Toronto", "Ottawa", "Berlin",
    ),
    _one("Lima", "Nairobi", "Oslo", "Lisbon", "Hanoi", "Athens", "Manila", "Prague"),
    EN_COUNTRIES.reference,
)  # fmt: skip

RU_CITIES = Check(
    "cities",
    "ru",
    RU_COUNTRIES.templates,
    (
        ("Алматы", "Алматы", "Алматы"), ("Астана", "Астаны", "Астане"),
        ("Ташкент", "Ташкента", "Ташкенте"), ("Бишкек", "Бишкека", "Бишкеке"),
        ("Душанбе", "Душанбе", "Душанбе"), ("Москва", "Москвы", "Москве"),
        ("Киев", "Киева", "Киеве"), ("Пекин", "Пекина", "Пекине"),
    ),
    (
        ("Осло", "Осло", "Осло"), ("Лиссабон", "Лиссабона", "Лиссабоне"),
        ("Прага", "Праги", "Праге"), ("Найроби", "Найроби", "Найроби"),
    ),
    RU_COUNTRIES.reference,
)  # fmt: skip

CHECKS = {"en": (EN_COUNTRIES, EN_CITIES, EN_FIGURES), "ru": (RU_COUNTRIES, RU_CITIES, RU_FIGURES)}


def mentions_table(
    check: Check, score: Callable[[Sequence[str]], np.ndarray], approve_below: float
) -> dict[str, Any]:
    """Per group and per name: sentences, mean score, share held (not auto-approved)."""
    texts, names, groups = check.sentences()
    scores = np.asarray(score(texts), dtype=np.float64)

    def row(selected: np.ndarray) -> dict[str, Any]:
        values = scores[selected]
        return {
            "n": int(selected.sum()),
            "mean_score": round(float(values.mean()), 4),
            "held_share": round(float(np.mean(values >= approve_below)), 4),
        }

    group_of, name_of = np.asarray(groups), np.asarray(names)
    return {
        "approve_below": approve_below,
        "groups": {g: row(group_of == g) for g in GROUPS},
        "per_name": {n: row(name_of == n) for n in dict.fromkeys(names)},
    }


def mention_tables(
    language: str, score: Callable[[Sequence[str]], np.ndarray], approve_below: float
) -> dict[str, Any]:
    """Every check of ``language``, by name: what the model card records."""
    return {c.name: mentions_table(c, score, approve_below) for c in CHECKS[language]}
