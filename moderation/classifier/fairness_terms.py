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


def identity_feature_mask(features: TextFeatures, *, min_chars: int = 3) -> np.ndarray:
    """True for the features that are an identity word, or a char n-gram inside one.

    Character n-grams count when they are at least ``min_chars`` long and occur inside a
    space-padded identity word (" gay ", "gay", "ay "...). Short shared pieces like "ay " also
    appear in other words; clipping only their positive weight costs little.
    """
    low, high = features.char_sizes
    hashes = [word_ngrams(term, (1, 1))[0] for term in IDENTITY_TERMS]
    for size in range(max(low, min_chars), high + 1):
        hashes += [char_ngrams(term, (size, size))[0] for term in IDENTITY_TERMS]
    ids = features.lookup(np.concatenate(hashes))
    mask = np.zeros(features.n_features_out_, dtype=bool)
    mask[ids[ids >= 0]] = True
    return mask


def neutralise(coef: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Copy of ``coef`` with positive (toxic-leaning) weights of masked features set to 0."""
    out = coef.copy()
    out[: len(mask)][mask & (out[: len(mask)] > 0)] = 0.0
    return out
