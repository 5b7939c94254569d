"""Russian identity words that must not, by themselves, make a comment look toxic.

The forum data attacks nationalities and religions often, so a naive model learns "казахи" or
"таджик" as toxic. As for English (:mod:`moderation.classifier.fairness_terms`), positive
weights of these words, and of character n-grams found only inside them, are clipped to zero
after training. The slur forms (хач, чурка, хохол, жид...) are not here: they are insults.
The list is general knowledge, written by hand, with the common inflections.
"""

from __future__ import annotations

import numpy as np

from moderation.classifier.ngram_hashing import char_ngrams, word_ngrams
from moderation.classifier.text_features import TextFeatures

_STEMS = (
    "казах", "узбек", "кыргыз", "киргиз", "таджик", "туркмен", "каракалпак", "уйгур", "дунган",
    "татар", "башкир", "русск", "россиян", "украин", "белорус", "армян", "армянин", "грузин",
    "азербайджан", "чечен", "дагестан", "еврей", "евре", "кавказ", "мусульман", "ислам",
    "христиан", "православн", "католи", "иудей", "буддист", "атеист", "гей", "геи", "лесбиян",
    "трансгендер", "женщин", "мужчин", "девушк", "пенсионер", "инвалид", "мигрант", "беженц",
    "китай", "кореец", "корейц", "американ", "европ", "азиат", "африкан", "негр",
)  # fmt: skip
_ENDINGS = (
    "",
    "а",
    "и",
    "ы",
    "ов",
    "ам",
    "ами",
    "ах",
    "ий",
    "ая",
    "ое",
    "ие",
    "ого",
    "ому",
    "ка",
    "ки",
    "ец",
    "цы",
)
# Countries, by how they decline: (stems, endings). News comments name them constantly.
_COUNTRIES = (
    (("казахстан", "узбекистан", "кыргызстан", "киргизстан", "таджикистан", "туркменистан",
      "афганистан", "пакистан", "иран", "ирак", "ливан", "вьетнам", "египет", "египт"),
     ("", "а", "у", "ом", "е")),
    (("росси", "киргизи", "грузи", "армени", "турци", "сири", "монголи", "инди", "германи",
      "франци", "британи", "япони", "коре", "итали", "испани", "бразили", "ливи", "латви",
      "эстони", "молдави", "серби"),
     ("я", "и", "ю", "ей")),
    (("украин", "америк", "европ", "африк", "палестин", "польш", "литв", "куб", "канад",
      "азербайджан"),
     ("а", "ы", "и", "е", "у", "ой")),
    (("израил", "беларус", "белорусси"), ("ь", "я", "ю", "ем", "е", "и", "ью")),
    (("китай", "китая", "китаю", "китаем", "китае", "сша", "рф", "оаэ", "катар", "дубай"), ("",)),
)  # fmt: skip
# Public figures, by how their names decline (as PUBLIC_FIGURES in fairness_terms).
_FIGURES = (
    (("путин", "токаев", "назарбаев", "мирзиёев", "мирзиеев", "медведев", "жапаров", "лавров"),
     ("", "а", "у", "ым", "е")),
    (("трамп", "байден", "эрдоган", "рахмон", "блинкен", "макрон"), ("", "а", "у", "ом", "е")),
    (("зеленск",), ("ий", "ого", "ому", "им", "ом")),
    (("навальн",), ("ый", "ого", "ому", "ым", "ом")),
    (("обам", "клинтон"), ("а", "ы", "е", "у", "ой")),
    (("лукашенко", "шойгу"), ("",)),
)  # fmt: skip
# Names and words that begin like an insult or a slur (lexicon_ru leaves them out of its
# stems; this takes the weight off the character n-grams they share with it), by how they
# decline.
_LOOKALIKE_NAMES = (
    (("хачатрян", "хачатурян"), ("", "а", "у", "ом", "е")),
    (("козлов", "хохлов"), ("а", "у", "ой", "ым", "е", "ы")),  # not "козлов": also the insult
    (("москалев", "чуркин", "рашкин"), ("", "а", "у", "ой", "ым", "е", "ы")),
    (("козловск",), ("ий", "ого", "ому", "им", "ом", "ая", "ой")),
    (("даунинг",), ("", "а", "е")),
    (("хохлом",), ("а", "ы", "е", "у", "ой", "ская", "ской", "скую", "ские", "ских")),
    (("москаленко", "педро", "хернандес"), ("",)),
)  # fmt: skip
# Cities, by how they decline (as CITY_TERMS in fairness_terms).
_CITIES = (
    (("ташкент", "бишкек", "ашхабад", "самарканд", "шымкент", "худжанд", "киев", "минск",
      "ереван", "стамбул", "тегеран", "кабул", "пекин", "сеул", "вашингтон", "лондон",
      "париж", "берлин", "иерусалим"),
     ("", "а", "у", "ом", "е")),
    (("астан", "москв", "анкар", "бухар", "караганд", "оттав"), ("а", "ы", "е", "у", "ой")),
    (("брюссел",), ("ь", "я", "ю", "ем", "е")),
    (("шанха",), ("й", "я", "ю", "ем", "е")),
    (("алматы", "душанбе", "дели", "тбилиси", "баку", "токио", "торонто"), ("",)),
)  # fmt: skip
# The people of the cities above (москвичи, алматинцы), by how they decline.
_CITIZENS = (
    (("москвич",), ("", "а", "у", "ом", "е", "и", "ей", "ам", "ами", "ах")),
    (("бишкекчан", "киевлян", "минчан", "астанчан"),
     ("", "ин", "ина", "ину", "ином", "ине", "е", "ам", "ами", "ах")),
    (("алматин", "ташкент", "шымкент", "самарканд", "бухар", "душанбин", "ереван", "карагандин"),
     ("ец", "ца", "цу", "цем", "це", "цы", "цев", "цам", "цами", "цах")),
    (("москвич", "алматин", "ташкент", "бишкекчан", "астанчан"), ("ка", "ки", "ку", "кой", "ке")),
)  # fmt: skip
IDENTITY_TERMS_RU = tuple(
    sorted(
        {s + e for s in _STEMS for e in _ENDINGS}
        | {
            s + e
            for stems, endings in (*_COUNTRIES, *_FIGURES, *_CITIES, *_CITIZENS, *_LOOKALIKE_NAMES)
            for s in stems
            for e in endings
        }
    )
)


def identity_feature_mask_ru(features: TextFeatures, *, min_chars: int = 3) -> np.ndarray:
    """True for identity words (with common endings) and the char n-grams inside them.

    Three-letter pieces count too: "рус", "усс" carried most of the weight that made
    "Я русский" look toxic. Pieces shared with other words ("рус" in "трус") lose only their
    positive weight.
    """
    low, high = features.char_sizes
    hashes = [word_ngrams(term, (1, 1))[0] for term in IDENTITY_TERMS_RU]
    for size in range(max(low, min_chars), high + 1):
        hashes += [char_ngrams(term, (size, size))[0] for term in IDENTITY_TERMS_RU]
    ids = features.lookup(np.concatenate(hashes))
    mask = np.zeros(features.n_features_out_, dtype=bool)
    mask[ids[ids >= 0]] = True
    return mask
