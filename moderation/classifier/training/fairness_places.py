"""Does naming a country make a civil comment look toxic? Measured, never trained on.

News comments name countries all the time, and toxic training data names them mostly in
attacks. Each civil sentence below is filled with a country, or with a place that is not a
country ("the province": the reference group), and scored. A fair model holds the country
sentences about as often as the reference ones.

Two groups of countries: those in the word lists the training clips
(:data:`~moderation.classifier.fairness_terms.COUNTRY_TERMS`, and their Russian forms), and
countries in no list, which show whether the fix carries over. The sentences are written
unlike the civil sentences training adds (:data:`~moderation.classifier.fairness_terms.COUNTRY_TEMPLATES`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

REFERENCE = "(reference: not a country)"
LISTED = "countries in the clipped list"
UNLISTED = "countries in no list"

EN_TEMPLATES = (
    "I visited {X} last summer and the people were very kind.",
    "The price of wheat from {X} has gone up again.",
    "{X} should invest more in its schools and hospitals.",
    "Flights to {X} resume next month, according to the airline.",
    "My cousin studies engineering in {X}.",
    "The talks with {X} went better than expected.",
    "Does anyone know how the elections in {X} turned out?",
    "Good article about {X}, thanks for the balanced reporting.",
    "Relations with {X} matter for the whole region.",
    "Unemployment in {X} fell for the third year in a row.",
)
EN_LISTED = (
    "Russia", "Kazakhstan", "Uzbekistan", "Kyrgyzstan", "Tajikistan", "Turkmenistan",
    "Afghanistan", "China", "Ukraine", "Belarus", "Georgia", "Armenia", "Azerbaijan", "Turkey",
    "Iran", "Israel", "Palestine", "Pakistan", "India", "America", "the USA", "Britain",
    "Germany", "France", "Mexico", "Syria", "Iraq", "Korea", "Japan", "Mongolia", "Vietnam",
    "Egypt", "Nigeria", "Brazil", "Poland", "Saudi Arabia", "Lebanon", "Yemen", "Libya",
    "Somalia", "Cuba", "Venezuela",
)  # fmt: skip
EN_UNLISTED = (
    "Peru", "Nepal", "Chile", "Kenya", "Ghana", "Sweden", "Norway", "Greece", "Cambodia",
    "Bolivia", "Uganda", "Portugal",
)  # fmt: skip
EN_REFERENCE = (
    "the region", "the capital", "our town", "the countryside", "the south", "the province",
    "the valley", "the district",
)  # fmt: skip

# Russian: (nominative, genitive, prepositional), since the sentences need the cases.
RU_TEMPLATES = (
    "Цены на бензин в {p} снова растут.",
    "Мой брат учится в {p} на инженера.",
    "Интересно, как пройдут выборы в {p}?",
    "Хорошая статья про экономику {g}, спасибо автору.",
    "Рейсы из {g} возобновят в следующем месяце.",
    "{n} - наш давний торговый партнёр.",
    "Летом ездили в гости к родственникам, они живут в {p}.",
    "Безработица в {p} третий год подряд снижается.",
)
RU_LISTED = (
    ("Россия", "России", "России"), ("Казахстан", "Казахстана", "Казахстане"),
    ("Узбекистан", "Узбекистана", "Узбекистане"), ("Кыргызстан", "Кыргызстана", "Кыргызстане"),
    ("Таджикистан", "Таджикистана", "Таджикистане"), ("Китай", "Китая", "Китае"),
    ("США", "США", "США"), ("Украина", "Украины", "Украине"), ("Турция", "Турции", "Турции"),
    ("Израиль", "Израиля", "Израиле"), ("Грузия", "Грузии", "Грузии"),
    ("Афганистан", "Афганистана", "Афганистане"), ("Иран", "Ирана", "Иране"),
    ("Европа", "Европы", "Европе"), ("Америка", "Америки", "Америке"),
    ("Германия", "Германии", "Германии"),
)  # fmt: skip
RU_UNLISTED = (
    ("Перу", "Перу", "Перу"), ("Непал", "Непала", "Непале"), ("Кения", "Кении", "Кении"),
    ("Швеция", "Швеции", "Швеции"), ("Греция", "Греции", "Греции"),
    ("Португалия", "Португалии", "Португалии"),
)  # fmt: skip
RU_REFERENCE = (
    ("Область", "области", "области"), ("Столица", "столицы", "столице"),
    ("Район", "района", "районе"), ("Регион", "региона", "регионе"),
)  # fmt: skip


def english_sentences() -> tuple[list[str], list[str], list[str]]:
    """(sentence, place, group) for every English template and place."""
    rows = [
        (template.replace("{X}", _first_upper(place) if template.startswith("{X}") else place),
         place, group)
        for group, places in ((LISTED, EN_LISTED), (UNLISTED, EN_UNLISTED), (REFERENCE, EN_REFERENCE))
        for place in places
        for template in EN_TEMPLATES
    ]  # fmt: skip
    return _columns(rows)


def russian_sentences() -> tuple[list[str], list[str], list[str]]:
    """(sentence, place, group) for every Russian template and place."""
    rows = [
        (template.format(n=forms[0], g=forms[1], p=forms[2]), forms[0], group)
        for group, places in ((LISTED, RU_LISTED), (UNLISTED, RU_UNLISTED), (REFERENCE, RU_REFERENCE))
        for forms in places
        for template in RU_TEMPLATES
    ]  # fmt: skip
    return _columns(rows)


def places_table(
    sentences: tuple[list[str], list[str], list[str]],
    score: Callable[[Sequence[str]], np.ndarray],
    approve_below: float,
) -> dict[str, Any]:
    """Per group and per place: sentences, mean score, share held (not auto-approved)."""
    texts, places, groups = sentences
    scores = np.asarray(score(texts), dtype=np.float64)

    def row(selected: np.ndarray) -> dict[str, Any]:
        values = scores[selected]
        return {
            "n": int(selected.sum()),
            "mean_score": round(float(values.mean()), 4),
            "held_share": round(float(np.mean(values >= approve_below)), 4),
        }

    group_of = np.asarray(groups)
    place_of = np.asarray(places)
    return {
        "approve_below": approve_below,
        "groups": {g: row(group_of == g) for g in (LISTED, UNLISTED, REFERENCE)},
        "per_place": {p: row(place_of == p) for p in dict.fromkeys(places)},
    }


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _columns(rows: list[tuple[str, str, str]]) -> tuple[list[str], list[str], list[str]]:
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
