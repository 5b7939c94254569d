"""Identity words that must not, by themselves, make a comment look toxic.

Toxic data mentions identities mostly in attacks, so a naive model learns "gay" or "muslim"
as toxic words and then flags "I am a proud gay man". After training we clip every positive
weight of these words, and of character n-grams found only inside them, to zero. The list is
general knowledge, written by hand; it is not taken from the fairness evaluation set.
"""

from __future__ import annotations

import numpy as np

from moderation.classifier.ngram_hashing import char_ngrams, word_ngrams
from moderation.classifier.text_features import TextFeatures

IDENTITY_TERMS = (
    "gay", "gays", "lesbian", "lesbians", "bisexual", "transgender", "trans", "queer", "lgbt",
    "lgbtq", "homosexual", "heterosexual", "straight", "nonbinary", "muslim", "muslims", "islam",
    "islamic", "jew", "jews", "jewish", "christian", "christians", "catholic", "protestant",
    "hindu", "buddhist", "sikh", "atheist", "black", "blacks", "white", "whites", "african",
    "american", "asian", "chinese", "japanese", "indian", "mexican", "latino", "latina",
    "hispanic", "arab", "canadian", "european", "immigrant", "immigrants", "refugee",
    "refugees", "woman", "women", "man", "men", "female", "male", "girl", "boy", "old", "older",
    "young", "elderly", "teenage", "blind", "deaf", "disabled", "paralyzed", "taoist",
    "millenial", "middle", "aged", "russian", "kazakh", "uzbek", "tajik", "kyrgyz",
    # nationalities the site's readers write about most (and their plurals)
    "russians", "kazakhs", "uzbeks", "tajiks", "turkmen", "ukrainian", "ukrainians",
    "belarusian", "georgian", "armenian", "armenians", "azerbaijani", "turkish", "iranian",
    "iranians", "afghan", "afghans", "israeli", "israelis", "palestinian", "palestinians",
    "pakistani", "syrian", "syrians", "iraqi", "korean", "koreans", "mongolian", "german",
    "germans", "french", "british", "americans", "europeans", "africans",
)  # fmt: skip

# Countries and regions. News comments name them constantly ("Russia", "Israel"); toxic data
# names them mostly in attacks, so without this a civil sentence naming a country was held
# far more often than the same sentence naming a province (docs/models.md, Fairness).
COUNTRY_TERMS = (
    "russia", "kazakhstan", "uzbekistan", "kyrgyzstan", "tajikistan", "turkmenistan",
    "afghanistan", "china", "ukraine", "belarus", "georgia", "armenia", "azerbaijan", "turkey",
    "iran", "israel", "palestine", "gaza", "pakistan", "india", "america", "usa", "britain",
    "england", "germany", "france", "mexico", "syria", "iraq", "korea", "japan", "mongolia",
    "europe", "africa", "asia", "vietnam", "egypt", "nigeria", "brazil", "poland", "saudi",
    "arabia", "lebanon", "yemen", "libya", "somalia", "cuba", "venezuela", "italy", "spain",
    "canada", "australia", "qatar", "emirates", "dubai", "kuwait", "jordan", "ethiopia",
    "sudan", "kosovo", "serbia", "moldova", "latvia", "lithuania", "estonia", "finland",
    "indonesia", "malaysia", "thailand", "bangladesh", "argentina", "colombia",
)  # fmt: skip

# Public figures the site's readers argue about. C3's comments (2016-2017) name Trump, Obama or
# Notley mostly in heated threads, so a civil sentence naming Trump was held every time. Only
# distinctive names: a short one ("xi") would clip pieces of other words ("toxic").
PUBLIC_FIGURES = (
    "trump", "obama", "biden", "clinton", "hillary", "sanders", "pence", "trudeau", "harper",
    "wynne", "notley", "kenney", "scheer", "mulcair", "netanyahu", "putin", "medvedev",
    "lavrov", "navalny", "zelensky", "lukashenko", "erdogan", "macron", "merkel", "tokayev",
    "nazarbayev", "mirziyoyev", "japarov", "rahmon", "blinken",
)  # fmt: skip

# Cities: the region's, and those world news is written from. A civil sentence naming one was
# held as often as one naming an unlisted country (43 % against 28 % for "the province").
CITY_TERMS = (
    "almaty", "astana", "tashkent", "bishkek", "dushanbe", "ashgabat", "samarkand", "bukhara",
    "shymkent", "karaganda", "khujand", "moscow", "kyiv", "kiev", "minsk", "tbilisi", "baku",
    "yerevan", "ankara", "istanbul", "tehran", "kabul", "islamabad", "delhi", "beijing",
    "shanghai", "tokyo", "seoul", "washington", "london", "paris", "berlin", "brussels",
    "jerusalem", "ottawa", "toronto",
)  # fmt: skip
PROTECTED_TERMS = IDENTITY_TERMS + COUNTRY_TERMS + PUBLIC_FIGURES + CITY_TERMS


# Words that sit next to an identity word in civil sentences ("being gay", "a black woman").
NEIGHBOURS = (
    "a", "an", "the", "i", "am", "is", "are", "was", "were", "be", "being", "as", "of", "for",
    "and", "or", "not", "my", "your", "his", "her", "their", "our", "we", "you", "they",
    "people", "person", "community", "man", "woman", "men", "women", "in", "to", "from",
    "with", "about",
)  # fmt: skip


def identity_feature_mask(features: TextFeatures) -> np.ndarray:
    """True for the features that describe only an identity word (or a country or a public
    figure: :data:`PROTECTED_TERMS`).

    That is: the word itself, its pairs with common neighbouring words ("being gay"), and
    the character n-grams inside the space-padded word (" gay ", "gay", "ay "...; two-letter
    pieces only from inside the word). Short pieces like "ay " also occur in other words;
    clipping only their positive weight costs little accuracy (see docs/models.md).
    """
    low, high = features.char_sizes
    terms = PROTECTED_TERMS
    hashes = [word_ngrams(term, (1, 1))[0] for term in terms]
    if features.word_sizes[1] >= 2:
        pairs = [f"{n} {t}" for t in terms for n in NEIGHBOURS]
        pairs += [f"{t} {n}" for t in terms for n in NEIGHBOURS]
        hashes += [word_ngrams(pair, (2, 2))[0] for pair in pairs]
    for size in range(max(low, 2), high + 1):
        for term in terms:
            found = char_ngrams(term, (size, size))[0]
            hashes.append(found[1:-1] if size == 2 else found)
    ids = features.lookup(np.concatenate(hashes))
    mask = np.zeros(features.n_features_out_, dtype=bool)
    mask[ids[ids >= 0]] = True
    return mask


def neutralise(coef: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Copy of ``coef`` with positive (toxic-leaning) weights of masked features set to 0."""
    out = coef.copy()
    out[: len(mask)][mask & (out[: len(mask)] > 0)] = 0.0
    return out


# Our own civil sentences mentioning identities (deliberately unlike the fairness templates we
# measure on). Added to training as non-toxic, they teach that mentioning an identity is not
# abuse; the clipping above alone cannot, because n-grams spanning the word also carry weight.
CIVIL_TEMPLATES = (
    "My {t} neighbours helped us move last week.",
    "The article quotes several {t} residents of the city.",
    "I grew up in a {t} family and I think the minister is right.",
    "{T} voters will decide this election like everyone else.",
    "There are two {t} members on the city council now.",
    "As a {t} reader, I found this report informative.",
    "Our {t} colleagues organised the charity run on Saturday.",
    "The survey asked {t} respondents about housing costs.",
)


# The same for countries, in sentences a country fits ("My Russia neighbours" would not). Also
# unlike the sentences the check in :mod:`moderation.classifier.training.fairness_mentions` uses.
COUNTRY_TEMPLATES = (
    "The minister flew to {T} for talks on trade.",
    "{T} reported a good harvest this year.",
    "We have family in {T} and visit them every summer.",
    "The report compares pensions in {T} with those elsewhere.",
    "A new rail link to {T} would help local businesses.",
    "Students from {T} won the regional science olympiad.",
    "I think {T} handled the floods well.",
    "The embassy of {T} hosted a concert on Friday.",
)


# And for cities (the embassy of a city would read badly).
CITY_TEMPLATES = (
    "The minister flew to {T} for talks on trade.",
    "We have family in {T} and visit them every summer.",
    "A new rail link to {T} would help local businesses.",
    "Students from {T} won the regional science olympiad.",
    "The report compares rents in {T} with those elsewhere.",
    "The concert in {T} was sold out on Friday.",
    "Traffic in {T} was slow after the snowfall.",
    "I think {T} handled the floods well.",
)


def civil_identity_sentences() -> list[str]:
    """Our civil sentences: every identity word in every template, every country and every
    city in their own.

    Public figures get none: clipping their names' weights alone brought them to the reference
    (docs/models.md, "Countries, cities and public figures"); sentences naming them did not help."""
    return (
        [
            template.format(t=term, T=term.capitalize())
            for term in IDENTITY_TERMS
            for template in CIVIL_TEMPLATES
        ]
        + [
            template.format(T=_country_name(term))
            for term in COUNTRY_TERMS
            for template in COUNTRY_TEMPLATES
        ]
        + [
            template.format(T=term.capitalize())
            for term in CITY_TERMS
            for template in CITY_TEMPLATES
        ]
    )


def _country_name(term: str) -> str:
    return "the USA" if term == "usa" else term.capitalize()
