"""The real scorer: detect the language, route to that language's models, explain each score.

English and Russian have models. A comment in any other language gets ``language_supported =
False`` and no scores: scoring Kazakh with an English or Russian n-gram model would produce
confident nonsense. Adding a language means adding an entry to ``routes`` (see
:func:`build_scorer`). Russian shares the English spam head. Russian in Latin letters
(``ru-Latn``) is scored by the Russian models and keeps its code in the result. A comment with
words in both English and Russian is scored by both models and combined
(:func:`moderation.classifier.language_routing.combine_mixed`, docs/russian.md).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from moderation.classifier import ExplainFrom
from moderation.classifier.batch import BatchRows, HashedBatch, clip_batch, featurise, hash_batch
from moderation.classifier.heads import (
    EXPLAIN_OFF_TOPIC_FROM,
    OffTopicHead,
    Scored,
    SpamHead,
    ToxicityHead,
    score_off_topic_batch,
    score_spam_batch,
    score_toxicity_batch,
)
from moderation.classifier.language import PLAIN_WORDS, PREFIX_CHARS, LanguageDetector
from moderation.classifier.language_routing import (
    combine_mixed,
    is_mixed_en_ru,
    refine_language,
    route,
)
from moderation.classifier.ngram_hashing import WORD, word_unigram_hashes
from moderation.classifier.normalise import Normalised
from moderation.classifier.text_features import TextFeatures
from moderation.domain.scores import CommentInput, CommentScores

CHUNK = 128  # comments featurised together; larger chunks are no faster and use more memory
MIXED_PARTNER = {"en": "ru", "ru": "en"}  # a mixed comment is also scored by the other model
ARTICLE_CACHE = 4096  # detected article languages kept (articles, not comments: few)


@dataclass(frozen=True)
class LanguageModels:
    """The models for one language. Spam shares the toxicity n-grams when they are equal.

    ``off_topic`` is None for a language without an off-topic model: its comments score
    ``off_topic = None`` and the policy's ``when_missing`` decides.
    """

    toxicity: ToxicityHead
    spam: SpamHead
    off_topic: OffTopicHead | None

    def features(self, *, with_spam: bool = True) -> list[TextFeatures]:
        """The n-gram features :meth:`score_many` may featurise (spam's only ``with_spam``)."""
        every = [self.toxicity.ngrams] + ([self.spam.ngrams] if with_spam else [])
        return every + ([self.off_topic.features.ngrams_] if self.off_topic else [])

    def score_many(
        self,
        comments: Sequence[CommentInput],
        language: str,
        *,
        with_spam: bool = True,
        views: _Views | None = None,
        explain_from: Mapping[str, float] | None = None,
    ) -> list[CommentScores]:
        """:meth:`score` for many comments at once: one hashing pass, one product per head.

        Gives the same scores and spans as calling :meth:`score` on each comment (tests
        check this). Each head's n-grams come from its own normaliser (Russian toxicity reads
        Russian-normalised text, the shared spam head English-normalised text): comments
        are normalised and hashed once per distinct normaliser. Falls back to :meth:`score`
        for feature extractors the batch path does not know.

        ``views``: the comments' texts already normalised, hashed and featurised for another
        language's models (a mixed comment's partner reuses them); at most :data:`CHUNK`
        comments, the texts of ``comments`` in order. ``explain_from``: see
        :meth:`ModerationScorer.score` (None: every score is explained, as :meth:`score` does).
        """
        if views is None and len(comments) > CHUNK:  # bounded temporaries, warm caches
            return [
                result
                for start in range(0, len(comments), CHUNK)
                for result in self.score_many(
                    comments[start : start + CHUNK],
                    language,
                    with_spam=with_spam,
                    explain_from=explain_from,
                )
            ]
        if not comments:
            return []
        toxicity_ngrams = self.toxicity.ngrams
        spam_ngrams = self.spam.ngrams
        off_topic_ngrams = self.off_topic.features.ngrams_ if self.off_topic else None
        if not all(_batchable(f) for f in self.features()):
            return [self.score(c, language, with_spam=with_spam) for c in comments]
        originals = [c.text for c in comments]
        if views is None:
            views = _Views(originals, self.features())
        normalised, hashed = views.of(toxicity_ngrams)
        rows = views.rows(toxicity_ngrams)
        explain = explain_from or {}
        toxicity = score_toxicity_batch(
            self.toxicity, hashed, rows, normalised, originals, explain.get("toxicity", 0.0)
        )
        spam: list[Scored | None] = [None] * len(comments)
        if with_spam:
            spam_normalised, spam_hashed = views.of(spam_ngrams)
            spam_rows = views.rows(spam_ngrams)
            spam_from = explain.get("spam", 0.0)
            spam = list(
                score_spam_batch(
                    self.spam, spam_hashed, spam_rows, spam_normalised, originals, spam_from
                )
            )
        off_topic: list[Scored | None] = [None] * len(comments)
        articles = [
            (c.article_title, c.article_body) if (c.article_title or c.article_body) else None
            for c in comments
        ]
        if self.off_topic is not None and off_topic_ngrams is not None and any(articles):
            within = self.off_topic.features.comment_limit
            ot_normalised, ot_hashed = views.of(off_topic_ngrams, within=within)
            ot_rows = views.rows(off_topic_ngrams, within=within)
            off_topic = score_off_topic_batch(
                self.off_topic, ot_hashed, ot_rows, ot_normalised, originals, articles,
                [c.parent for c in comments], explain.get("off_topic"),
            )  # fmt: skip
        results = []
        for i in range(len(comments)):
            spans = {"toxicity": toxicity[i].spans}
            spam_i = spam[i]
            if spam_i is not None:
                spans["spam"] = spam_i.spans
            fit = off_topic[i]
            if fit is not None:
                spans["off_topic"] = fit.spans
            results.append(
                CommentScores(
                    toxicity=round(toxicity[i].probability, 6),
                    off_topic=None if fit is None else round(fit.probability, 6),
                    spam=None if spam_i is None else round(spam_i.probability, 6),
                    language=language,
                    language_supported=True,
                    spans=spans,
                    subscores=toxicity[i].subscores,
                )
            )
        return results

    def score(
        self, comment: CommentInput, language: str, *, with_spam: bool = True
    ) -> CommentScores:
        """One comment, feature by feature: the reference the batch path is tested against.
        ``with_spam=False`` leaves spam out (``None``): a mixed comment's partner model skips
        it when both languages share the spam head."""
        text = comment.text
        vec = self.toxicity.ngrams.vectorise(text)
        toxicity = self.toxicity.score(vec, text)
        spans = {"toxicity": toxicity.spans}
        spam_probability: float | None = None
        if with_spam:
            spam_vec = (
                vec
                if self.spam.ngrams is self.toxicity.ngrams
                else self.spam.ngrams.vectorise(text)
            )
            spam = self.spam.score(spam_vec, text)
            spans["spam"] = spam.spans
            spam_probability = round(spam.probability, 6)
        off_topic: float | None = None
        if self.off_topic is not None and (comment.article_title or comment.article_body):
            fit = self.off_topic.score(
                text, comment.article_title, comment.article_body, comment.parent
            )
            off_topic = round(fit.probability, 6)
            spans["off_topic"] = fit.spans
        return CommentScores(
            toxicity=round(toxicity.probability, 6),
            off_topic=off_topic,
            spam=spam_probability,
            language=language,
            language_supported=True,
            spans=spans,
            subscores=toxicity.subscores,
        )


class ModerationScorer:
    """Implements :class:`moderation.classifier.Scorer` over per-language models."""

    def __init__(
        self,
        *,
        model_version: str,
        routes: Mapping[str, LanguageModels],
        detector: LanguageDetector,
        card: dict[str, Any],
    ) -> None:
        self.model_version = model_version
        self.routes = dict(routes)
        self.detector = detector
        self.card = card
        # The Russian model may raise an English-routed mixed comment only when it is this sure.
        russian_point = card.get("russian", {}).get("operating_points", {}).get("toxicity", {})
        self.russian_reject_at: float | None = russian_point.get("reject_at_or_above")
        self._article_languages: dict[str, str] = {}

    def score(
        self,
        comments: Sequence[CommentInput],
        *,
        explain_from: ExplainFrom | None = None,
    ) -> list[CommentScores]:
        """Detect each comment's language, then score each language's comments together.

        ``explain_from``: per score name, the value from which its spans are found (below
        it the score comes without spans: the worker passes the policy's approve points of
        the comment's language, under which no score gives it a reason), or a function of the
        detected language giving them. None: every score is explained except off-topic, whose
        head explains from the model card's approve point.

        Comments go in chunks of :data:`CHUNK` per language. A chunk's mixed EN+RU comments
        are then scored by the other language's models together; when the whole chunk is
        mixed (a single mixed comment, say) they reuse the chunk's normalised and featurised
        texts: the Russian route featurises English text for its spam head, which is what the
        English toxicity model reads.
        """
        languages = [self.language_of(c) for c in comments]
        results: list[CommentScores | None] = [None] * len(comments)
        groups: dict[str, list[int]] = {}
        for i, language in enumerate(languages):
            if route(language) in self.routes:
                groups.setdefault(language, []).append(i)
            else:
                results[i] = _unsupported(language)
        for language, members in groups.items():
            points = explain_from(language) if callable(explain_from) else explain_from
            for start in range(0, len(members), CHUNK):
                chunk = members[start : start + CHUNK]
                scored = self._score_chunk([comments[i] for i in chunk], language, points)
                for i, result in zip(chunk, scored, strict=True):
                    results[i] = result
        return [r for r in results if r is not None]

    def _score_chunk(
        self,
        chunk: list[CommentInput],
        language: str,
        explain_from: Mapping[str, float] | None = None,
    ) -> list[CommentScores]:
        models = self.routes[route(language)]
        seen = [self._as_seen_by(comment, language) for comment in chunk]
        partner = self.routes.get(MIXED_PARTNER.get(language, ""))
        if not isinstance(models, LanguageModels) or not isinstance(partner, LanguageModels | None):
            # Stand-ins for the models (tests): one comment at a time.
            return [
                self._with_mixed(c, models.score(s, language))
                for c, s in zip(chunk, seen, strict=True)
            ]
        shared_spam = partner is not None and partner.spam is models.spam
        every = models.features()
        if partner is not None:
            every += partner.features(with_spam=not shared_spam)
        views = _Views([c.text for c in chunk], every)
        scored = models.score_many(seen, language, views=views, explain_from=explain_from)
        mixed = [i for i, c in enumerate(chunk) if partner is not None and is_mixed_en_ru(c.text)]
        if not mixed:
            return scored
        others = self._partner_scores(
            [chunk[i] for i in mixed],
            language,
            views if len(mixed) == len(chunk) else None,
            explain_from,
        )
        for i, other in zip(mixed, others, strict=True):
            scored[i] = self._combine(scored[i], other)
        return scored

    def language_of(self, comment: CommentInput) -> str:
        """The language of ``comment`` (its models: :func:`route`): the one place both scoring
        paths decide it."""
        return refine_language(comment.text, self.detector.detect(comment.text)).language

    def article_language(self, comment: CommentInput) -> str | None:
        """The language of the comment's article: as the CMS declared it (``ru-RU`` -> ``ru``),
        else detected from its title and the start of its body; None without an article."""
        if not (comment.article_title or comment.article_body):
            return None
        declared = (comment.article_language or "").strip().lower()
        if declared:
            return declared.replace("_", "-").split("-")[0]
        return self._detect_article(
            f"{comment.article_title or ''}\n{(comment.article_body or '')[:PREFIX_CHARS]}"
        )

    def _detect_article(self, text: str) -> str:
        cache = self._article_languages
        if text not in cache:
            if len(cache) >= ARTICLE_CACHE:
                cache.clear()
            cache[text] = route(refine_language(text, self.detector.detect(text)).language)
        return cache[text]

    def _as_seen_by(self, comment: CommentInput, language: str) -> CommentInput:
        """``comment`` as ``language``'s models see it. An article in another language is left
        out: off-topic compares the comment's words with the article's, which says nothing
        across languages, so the score is missing and the policy's ``when_missing`` decides."""
        article = self.article_language(comment)
        if article is None or article == route(language):
            return comment
        return replace(comment, article_title=None, article_body=None, article_language=None)

    def _with_mixed(self, comment: CommentInput, routed: CommentScores) -> CommentScores:
        """``routed``, combined with the other language's model for a mixed EN+RU comment.

        Routed Russian: the English model always counts (max of both). Routed English: the
        Russian model counts only at or above its ``reject_at_or_above`` (it reads English as
        noise near its ``approve_below``). The other model scores the comment as a batch of
        one, in both paths, so batch and single results stay equal.
        """
        partner = MIXED_PARTNER.get(routed.language)
        if partner is None or partner not in self.routes or not is_mixed_en_ru(comment.text):
            return routed
        return self._combine(routed, self._partner_scores([comment], routed.language)[0])

    def _partner_scores(
        self,
        comments: list[CommentInput],
        language: str,
        views: _Views | None = None,
        explain_from: Mapping[str, float] | None = None,
    ) -> list[CommentScores]:
        """Mixed comments routed to ``language``, scored by the other language's models.

        Off-topic stays the routed model's: the partner does not get the article; nor spam
        when both languages share the spam head (it would give the routed model's score).
        ``views``: the routed models' normalised and featurised texts of exactly these
        comments, to reuse.
        """
        partner = MIXED_PARTNER[language]
        partner_models = self.routes[partner]
        routed_models = self.routes.get(language)
        shared_spam = routed_models is not None and partner_models.spam is routed_models.spam
        alone = [replace(c, article_title=None, article_body=None) for c in comments]
        return partner_models.score_many(
            alone, partner, with_spam=not shared_spam, views=views, explain_from=explain_from
        )

    def _combine(self, routed: CommentScores, other: CommentScores) -> CommentScores:
        """A mixed comment's scores from its routed and its partner language's models."""
        if routed.language == "ru":
            counts = True
        else:
            counts = (
                self.russian_reject_at is not None
                and other.toxicity is not None
                and other.toxicity >= self.russian_reject_at
            )
        return combine_mixed(routed, other, other_counts=counts)

    def score_one(self, comment: CommentInput) -> CommentScores:
        """One comment through the per-comment reference path (``score`` batches instead)."""
        language = self.language_of(comment)
        models = self.routes.get(route(language))
        if models is None:
            return _unsupported(language)
        return self._with_mixed(
            comment, models.score(self._as_seen_by(comment, language), language)
        )


def _unsupported(language: str) -> CommentScores:
    return CommentScores(
        toxicity=None, off_topic=None, spam=None, language=language, language_supported=False
    )


class _Views:
    """The comments normalised and hashed once per distinct normaliser among the features.

    Features share a view when they normalise the same way: the same ``normalise`` method
    (the Russian toxicity and off-topic features differ in class, not in normaliser), and a
    character limit that cuts none of these comments or cuts them at the same place (the toxicity
    n-grams stop at 1,500 characters, the off-topic ones at 20,000: for comments within the
    service's 1,500 that is the same text). The hashes then cover every n-gram size any of
    them uses.
    """

    def __init__(self, originals: list[str], features: list[TextFeatures]) -> None:
        self.originals = originals
        self.longest = max(map(len, originals), default=0)
        self.members: dict[tuple[object, int], list[TextFeatures]] = {}
        for f in features:
            self.members.setdefault(self._key(f), []).append(f)
        self._made: dict[tuple[object, int], tuple[list[Normalised], HashedBatch]] = {}
        self._clipped: dict[tuple[tuple[object, int], int], HashedBatch] = {}
        self._rows: dict[tuple[int, int | None], tuple[TextFeatures, BatchRows]] = {}

    def _key(self, features: TextFeatures) -> tuple[object, int]:
        return type(features).normalise, min(features.max_chars, self.longest)

    def of(
        self, features: TextFeatures, *, within: int | None = None
    ) -> tuple[list[Normalised], HashedBatch]:
        """The comments normalised for ``features`` (one of those given) and hashed; with
        ``within``, hashed only as far as their first that many characters (cut between
        words, :func:`~moderation.classifier.batch.clip_batch`)."""
        key = self._key(features)
        if key not in self._made:
            normalised = [features.normalise(text) for text in self.originals]
            hashed = hash_batch([nz.text for nz in normalised], *_sizes(*self.members[key]))
            self._made[key] = (normalised, hashed)
        normalised, hashed = self._made[key]
        if within is None:
            return normalised, hashed
        if (key, within) not in self._clipped:
            self._clipped[key, within] = clip_batch(hashed, within)
        return normalised, self._clipped[key, within]

    def rows(self, features: TextFeatures, *, within: int | None = None) -> BatchRows:
        """The comments' rows for ``features`` (one of those given; ``within``: see
        :meth:`of`), featurised once."""
        if (id(features), within) not in self._rows:
            hashed = self.of(features, within=within)[1]
            self._rows[id(features), within] = (features, featurise(features, hashed))
        return self._rows[id(features), within][1]


def _batchable(features: TextFeatures) -> bool:
    """The batch path re-implements TextFeatures.vectorise and hashes; a subclass may change
    only how it normalises (its ``normalise`` hook) and whether char n-grams stay inside
    words (``word_bounded``)."""
    return (
        type(features).vectorise is TextFeatures.vectorise
        and type(features).hashes is TextFeatures.hashes
        and features.char_sizes[0] >= 1
        and features.word_sizes[0] >= 1
    )


def _sizes(*features: TextFeatures) -> tuple[range, range]:
    chars = range(
        min(f.char_sizes[0] for f in features), max(f.char_sizes[1] for f in features) + 1
    )
    words = range(
        min(f.word_sizes[0] for f in features), max(f.word_sizes[1] for f in features) + 1
    )
    return chars, words


def build_scorer(artifacts: Mapping[str, Any], card: dict[str, Any]) -> ModerationScorer:
    """Wire loaded artifacts into a scorer; the one place that knows which language has what."""
    toxicity = ToxicityHead(
        artifacts["toxicity"]["model"],
        artifacts["toxicity"]["subtypes"],
        plain_words=PLAIN_WORDS["en"],
    )
    spam = SpamHead(artifacts["spam"])
    if spam.ngrams.same_vocabulary(toxicity.ngrams):
        spam.ngrams = toxicity.ngrams  # featurise once per comment
    english_point = card.get("operating_points", {}).get("off_topic", {})
    routes = {
        "en": LanguageModels(
            toxicity, spam, OffTopicHead(artifacts["off_topic"], _explain_from(english_point))
        )
    }
    if "toxicity_ru" in artifacts:
        russian = artifacts["toxicity_ru"]
        toxicity_ru = ToxicityHead(
            russian["model"], russian["subtypes"], plain_words=PLAIN_WORDS["ru"]
        )
        # The Russian spam head reads the Russian toxicity n-grams (docs/russian.md, "Spam");
        # a model set without one falls back to the English head. Russian off-topic when
        # trained.
        spam_ru = spam
        if artifacts.get("spam_ru") is not None:
            try:
                spam_ru = SpamHead.over(toxicity_ru.ngrams, artifacts["spam_ru"])
            except (AttributeError, ValueError) as error:
                from moderation.classifier.artifacts import ModelIntegrityError

                raise ModelIntegrityError(f"spam_ru does not fit toxicity_ru: {error}") from error
        off_topic_ru = artifacts.get("off_topic_ru")
        routes["ru"] = LanguageModels(
            toxicity_ru,
            spam_ru,
            off_topic=None
            if off_topic_ru is None
            else OffTopicHead(
                off_topic_ru,
                _explain_from(card.get("russian", {}).get("operating_points", {}).get("off_topic")),
            ),
        )
    scorer = ModerationScorer(
        model_version=str(card["model_version"]),
        routes=routes,
        # A short Latin text is English only if the English models know its words.
        detector=LanguageDetector(english_words=_english_vocabulary(routes["en"])),
        card=card,
    )
    # Build the lazy lookup tables now, so loading pays for them and the first comment does not.
    scorer.score(
        [
            CommentInput("Warm up the models, please.", "Warm up", "Warm up the models."),
            CommentInput("Прогрев моделей, пожалуйста, спасибо.", "Прогрев", "Прогрев моделей."),
        ]
    )
    return scorer


def _explain_from(point: Mapping[str, Any] | None) -> float:
    """Where off-topic spans start: the card's approve point, so that a comment the shipped
    policy holds for off-topic has its words (never above 0.5, the point without a card)."""
    approve = (point or {}).get("approve_below")
    return (
        min(float(approve), EXPLAIN_OFF_TOPIC_FROM)
        if approve is not None
        else EXPLAIN_OFF_TOPIC_FROM
    )


def _english_vocabulary(models: LanguageModels) -> Callable[[list[str]], int]:
    """How many of some words the English models know: a word unigram of the toxicity
    vocabulary (comments, tweets, Wikipedia talk) or of the off-topic one (news articles)."""
    vocabularies = [models.toxicity.ngrams] + (
        [models.off_topic.features.ngrams_] if models.off_topic else []
    )
    # Every word n-gram hash of both, sorted, in a plain array (75,000 of them, 600 KB; a
    # hash both have is there twice, which a binary search does not mind): a
    # short comment's few words are then a binary search each in Python, not a dozen numpy
    # calls per vocabulary. Word bigrams' hashes are in it too; a unigram's hash never equals
    # one (the n-gram size is mixed into every hash).
    known_hashes = array("Q")
    words_of = [v.hashes_[v.is_word_] for v in vocabularies if v.word_sizes[0] <= 1]
    if words_of:
        known_hashes.frombytes(np.sort(np.concatenate(words_of)).astype(np.uint64).tobytes())

    def is_known(word_hash: int) -> bool:
        at = bisect.bisect_left(known_hashes, word_hash)
        return at < len(known_hashes) and known_hashes[at] == word_hash

    def count(words: list[str]) -> int:
        if not words:
            return 0
        if all(map(WORD.fullmatch, words)):  # each one word, as word_ngrams would find it
            return sum(map(is_known, word_unigram_hashes(words)))
        known = [v.known_words(words) for v in vocabularies]
        return int(np.logical_or.reduce(known).sum())

    return count
