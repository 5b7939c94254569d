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
)  # fmt: skip


# Words that sit next to an identity word in civil sentences ("being gay", "a black woman").
NEIGHBOURS = (
    "a", "an", "the", "i", "am", "is", "are", "was", "were", "be", "being", "as", "of", "for",
    "and", "or", "not", "my", "your", "his", "her", "their", "our", "we", "you", "they",
    "people", "person", "community", "man", "woman", "men", "women",
)  # fmt: skip


def identity_feature_mask(features: TextFeatures) -> np.ndarray:
    """True for the features that describe only an identity word.

    That is: the word itself, its pairs with common neighbouring words ("being gay"), and
    the character n-grams inside the space-padded word (" gay ", "gay", "ay "...; two-letter
    pieces only from inside the word). Short pieces like "ay " also occur in other words;
    clipping only their positive weight costs little accuracy (see docs/models.md).
    """
    low, high = features.char_sizes
    hashes = [word_ngrams(term, (1, 1))[0] for term in IDENTITY_TERMS]
    if features.word_sizes[1] >= 2:
        pairs = [f"{n} {t}" for t in IDENTITY_TERMS for n in NEIGHBOURS]
        pairs += [f"{t} {n}" for t in IDENTITY_TERMS for n in NEIGHBOURS]
        hashes += [word_ngrams(pair, (2, 2))[0] for pair in pairs]
    for size in range(max(low, 2), high + 1):
        for term in IDENTITY_TERMS:
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


def civil_identity_sentences() -> list[str]:
    return [
        template.format(t=term, T=term.capitalize())
        for term in IDENTITY_TERMS
        for template in CIVIL_TEMPLATES
    ]
