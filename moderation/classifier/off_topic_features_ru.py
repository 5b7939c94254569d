"""Off-topic features for Russian comments under Russian articles.

The features of :class:`~moderation.classifier.off_topic_features.OffTopicFeatures` are
language-neutral in kind (cosines, overlap shares, length, chit-chat, questions); what is
English in them is the n-gram vocabulary and IDF, the capitalised-name pattern, the chit-chat
words and the English background articles. This subclass swaps those:

* n-grams of :func:`~moderation.classifier.normalise_ru.normalise_ru` text, IDF learned on
  Russian text;
* names in Cyrillic or Latin letters, compared by their first five letters, so that inflected
  forms match ("Блинкен" in the article, "Блинкена" in the comment);
* Russian (and English) chit-chat words;
* no background articles: there is no Russian news set to draw them from, so the z-score and
  percentile features take the constants the model was trained with (docs/russian.md).
"""

from __future__ import annotations

import re
from typing import Any

from moderation.classifier import compiled as compiled_core
from moderation.classifier.alternation import by_first_letter
from moderation.classifier.off_topic_features import OffTopicFeatures, chit_chat_count
from moderation.classifier.text_features import TextFeatures
from moderation.classifier.text_features_ru import RussianTextFeatures

NAME_KEY = 5  # letters of a name compared: enough to tell names apart, short of case endings
# A capitalised word not starting the text or a sentence, in either alphabet.
_NAME_RU = re.compile(r"[A-ZА-ЯЁ](?<=\W[A-ZА-ЯЁ])(?<![.!?]\s[A-ZА-ЯЁ])[a-zа-яё]{2,}\b")
_CHIT_CHAT_RU_WORDS = (
    r"лол|ахах\w*|хаха\w*|спасибо|спс|согласен|согласна|согласны|вау|класс|круто|"
    r"супер|ок|окей|да|нет|ага|точно|именно|верно|неверно|правильно|привет|"
    r"ты|вы|тебя|тебе|тобой|вас|вам|вами|твой|твоя|ваш|ваша"
)
_CHIT_CHAT_RU = re.compile(rf"\b(?:{_CHIT_CHAT_RU_WORDS})\b", re.I)  # the definition
# Counted faster, with the same result: every match is a whole word (each alternative is word
# characters, "ахах\w*" taking the rest of its word), so count the non-word characters of
# " " + text that a chit-chat word follows. The engine skips to those and, the words being
# grouped by first letter, rejects most after one letter (the pattern tries every position).
_CHIT_CHAT_RU_STARTS = re.compile(rf"\W(?=(?:{by_first_letter(_CHIT_CHAT_RU_WORDS)})\b)", re.I)


class RussianOffTopicFeatures(OffTopicFeatures):
    """:class:`OffTopicFeatures` for Russian text; fitted without background articles."""

    def _text_features(self, **params: Any) -> TextFeatures:
        return RussianTextFeatures(**params)

    def names(self, text: str) -> set[str]:
        return {name[:NAME_KEY].lower() for name in _NAME_RU.findall(text)}

    def chit_chat(self, text: str) -> int:
        """Russian and English chit-chat words (both counted in one pass in the compiled
        core, the same counts as the patterns)."""
        if compiled_core.enabled():
            return compiled_core.chit_chat(text, True)
        return len(_CHIT_CHAT_RU_STARTS.findall(" " + text)) + chit_chat_count(text)
