"""The workspace in the moderators' language: English or Russian.

Flask-Babel translates the pages from the catalogues in ``moderation/translations`` (``make
translations`` extracts and compiles them). The language is, in order: the one the moderator
chose with the switch in the page header (a cookie, kept for a year and across logins), the
browser's preference among the ones we have (``Accept-Language``), and the service's default
(``MODERATION_WORKSPACE_LANGUAGE``, English unless set).

What the service stores and sends stays as it is: reason codes, and each reason's ``detail``
in English (the CMS and the API read them). The workspace shows a reason's code by its name in
the moderator's language and re-words its ``detail`` from the pieces the decision policy put in
it (:func:`describe`); a detail it does not recognise is shown as stored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from babel.numbers import get_decimal_symbol
from flask import Flask, abort, current_app, redirect, request
from flask_babel import Babel, get_locale, gettext, lazy_gettext, ngettext

from moderation.workspace.auth import safe_next
from moderation.workspace.blueprint import bp

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LANGUAGES = {"en": "English", "ru": "Русский"}  # each in its own language, for the switch
COOKIE = "moderation_language"
COOKIE_DAYS = 365

# Names of the codes moderators see. English shows the codes themselves, as the API has them.
REASON_NAMES: Mapping[str, Any] = {
    "toxicity": lazy_gettext("toxicity"),
    "off_topic": lazy_gettext("off_topic"),
    "spam": lazy_gettext("spam"),
    "repeated": lazy_gettext("repeated"),
    "unsupported_language": lazy_gettext("unsupported_language"),
    "no_decision": lazy_gettext("no_decision"),
}
# The reasons a moderator rejects with (review.REJECT_REASONS), as the lists show them.
REJECT_REASON_NAMES: Mapping[str, Any] = {
    "offensive": lazy_gettext("offensive"),
    "abusive": lazy_gettext("abusive"),
    "spam": lazy_gettext("spam"),
    "off_topic": lazy_gettext("off topic"),
    "hate_speech": lazy_gettext("hate speech"),
    "harassment": lazy_gettext("harassment"),
    "misinformation": lazy_gettext("misinformation"),
    "other": lazy_gettext("other"),
}
EVENT_NAMES: Mapping[str, Any] = {
    "review": lazy_gettext("review"),
    "login": lazy_gettext("login"),
    "login_failed": lazy_gettext("login failed"),
    "login_locked": lazy_gettext("login locked"),
    "logout": lazy_gettext("logout"),
    "user_created": lazy_gettext("user created"),
    "user_disabled": lazy_gettext("user disabled"),
    "user_enabled": lazy_gettext("user enabled"),
    "password_set": lazy_gettext("password set"),
    "token_created": lazy_gettext("token created"),
    "tokens_revoked": lazy_gettext("tokens revoked"),
}
# Decisions (approve, reject, hold) and comment states (approved, rejected, held).
ACTION_NAMES: Mapping[str, Any] = {
    "approve": lazy_gettext("approve"),
    "reject": lazy_gettext("reject"),
    "hold": lazy_gettext("hold"),
    "approved": lazy_gettext("approved"),
    "rejected": lazy_gettext("rejected"),
    "held": lazy_gettext("held"),
    "pending": lazy_gettext("pending"),
}
ROLE_NAMES: Mapping[str, Any] = {
    "admin": lazy_gettext("admin"),
    "moderator": lazy_gettext("moderator"),
}
DECIDED_BY_NAMES: Mapping[str, Any] = {
    "model": lazy_gettext("model"),
    "system": lazy_gettext("system"),
}
# The detector's codes as moderators read them (a code not listed is shown as it is).
LANGUAGE_NAMES: Mapping[str, Any] = {
    "en": lazy_gettext("English"),
    "ru": lazy_gettext("Russian"),
    "ru-Latn": lazy_gettext("Russian in Latin letters"),
    "kk": lazy_gettext("Kazakh"),
    "uz": lazy_gettext("Uzbek"),
    "ky": lazy_gettext("Kyrgyz"),
    "tg": lazy_gettext("Tajik"),
    "tk": lazy_gettext("Turkmen"),
    "uk": lazy_gettext("Ukrainian"),
    "be": lazy_gettext("Belarusian"),
    "az": lazy_gettext("Azerbaijani"),
    "tr": lazy_gettext("Turkish"),
    "fa": lazy_gettext("Persian"),
    "de": lazy_gettext("German"),
    "fr": lazy_gettext("French"),
    "es": lazy_gettext("Spanish"),
    "it": lazy_gettext("Italian"),
    "pt": lazy_gettext("Portuguese"),
    "nl": lazy_gettext("Dutch"),
    "pl": lazy_gettext("Polish"),
    "zh": lazy_gettext("Chinese"),
    "ar": lazy_gettext("Arabic"),
}


def init_i18n(app: Flask) -> None:
    """Translate the workspace pages; the language comes from :func:`select_language`."""
    default = app.config.get("WORKSPACE_LANGUAGE", "en")
    if default not in LANGUAGES:
        raise ValueError(
            f"MODERATION_WORKSPACE_LANGUAGE={default!r} is not one of: {', '.join(LANGUAGES)}"
        )
    app.config["BABEL_DEFAULT_LOCALE"] = default
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=select_language)
    app.jinja_env.globals.update(
        language_choices=LANGUAGES,
        name_of=name_of,
        reject_reason_names=REJECT_REASON_NAMES,
        event_names=EVENT_NAMES,
        action_names=ACTION_NAMES,
        role_names=ROLE_NAMES,
        decided_by_names=DECIDED_BY_NAMES,
        language_names=LANGUAGE_NAMES,
        reason_name=lambda code: name_of(REASON_NAMES, code),
        describe=describe,
        score_text=score_text,
        current_language=lambda: str(get_locale() or default),
    )


def select_language() -> str:
    """The moderator's choice, else the browser's preference among ours, else the default."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    preferred = request.accept_languages.best_match(list(LANGUAGES))
    return preferred or str(current_app.config.get("WORKSPACE_LANGUAGE", "en"))


@bp.post("/language")
def choose_language() -> Any:
    """Switch the workspace's language (kept in a cookie) and go back to the page."""
    language = request.form.get("language", "")
    if language not in LANGUAGES:
        abort(
            400, gettext("Unknown language; choose one of: %(codes)s.", codes=", ".join(LANGUAGES))
        )
    response = redirect(safe_next(request.form.get("next")), code=303)
    response.set_cookie(
        COOKIE,
        language,
        max_age=COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SECURE_COOKIES")) or request.is_secure,
    )
    return response


def name_of(names: Mapping[str, Any], code: object) -> str:
    """``code`` by its name in the moderator's language (a code not listed, as it is)."""
    name = names.get(str(code))
    return str(name) if name is not None else str(code)


def score_text(value: float | None) -> str:
    """A score or threshold with two decimals, written as the moderator's language writes
    numbers (0.93, 0,93); a missing one as a dash."""
    if value is None or not math.isfinite(value):
        return "—"
    return str(_decimal(f"{value:.2f}"))


def _decimal(number: str | None) -> str | None:
    """A number as written in English ("1.5"), with the moderator's decimal sign ("1,5")."""
    if number is None:
        return None
    return number.replace(".", get_decimal_symbol(str(get_locale() or "en")))


# The details the decision policy and the failure policy write (moderation.domain.policy,
# moderation.sweeper); tests check every one of them is recognised.
_NUMBER = r"(-?\d+(?:\.\d+)?)"
_SCORE = r"(toxicity|off_topic|spam)"
_DETAILS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(rf"{_SCORE} {_NUMBER} is at or above the (reject|approve) threshold {_NUMBER}"),
        lambda m: _above_threshold(m[1], float(m[2]), m[3], float(m[4])),
    ),
    (
        re.compile(rf"{_SCORE} could not be scored"),
        lambda m: gettext("%(score)s could not be scored", score=name_of(REASON_NAMES, m[1])),
    ),
    (
        re.compile(
            r"the same (or a nearly identical )?text was posted (once|(\d+) times) before"
            r"(?: in the last (\S+) hours)?"
        ),
        lambda m: (_posted_near if m[1] else _posted_before)(
            1 if m[2] == "once" else int(m[3]), _decimal(m[4])
        ),
    ),
    (
        re.compile(r"language ('[A-Za-z-]{1,16}') is not one the models were trained for"),
        lambda m: gettext("language %(code)s is not one the models were trained for", code=m[1]),
    ),
    (
        re.compile(r"no model decision within (\d+) seconds; held for a moderator"),
        lambda m: gettext(
            "no model decision within %(seconds)s seconds; held for a moderator",
            seconds=m[1],
        ),
    ),
)


def _above_threshold(score: str, value: float, which: str, threshold: float) -> str:
    words = {
        "score": name_of(REASON_NAMES, score),
        "value": score_text(value),
        "threshold": score_text(threshold),
    }
    if which == "reject":
        return gettext(
            "%(score)s %(value)s is at or above the reject threshold %(threshold)s", **words
        )
    return gettext(
        "%(score)s %(value)s is at or above the approve threshold %(threshold)s", **words
    )


def _posted_before(copies: int, hours: str | None) -> str:
    if hours is None:
        if copies == 1:
            return gettext("the same text was posted once before")
        return ngettext(
            "the same text was posted %(num)d time before",
            "the same text was posted %(num)d times before",
            copies,
        )
    if copies == 1:
        return gettext(
            "the same text was posted once before in the last %(hours)s hours", hours=hours
        )
    return ngettext(
        "the same text was posted %(num)d time before in the last %(hours)s hours",
        "the same text was posted %(num)d times before in the last %(hours)s hours",
        copies,
        hours=hours,
    )


def _posted_near(copies: int, hours: str | None) -> str:
    if hours is None:
        if copies == 1:
            return gettext("the same or a nearly identical text was posted once before")
        return ngettext(
            "the same or a nearly identical text was posted %(num)d time before",
            "the same or a nearly identical text was posted %(num)d times before",
            copies,
        )
    if copies == 1:
        return gettext(
            "the same or a nearly identical text was posted once before in the last %(hours)s hours",
            hours=hours,
        )
    return ngettext(
        "the same or a nearly identical text was posted %(num)d time before in the last "
        "%(hours)s hours",
        "the same or a nearly identical text was posted %(num)d times before in the last "
        "%(hours)s hours",
        copies,
        hours=hours,
    )


def describe(reason: Mapping[str, Any]) -> str:
    """A stored reason's ``detail`` in the moderator's language (as stored when it is not
    one the policy writes)."""
    detail = str(reason.get("detail") or "")
    for pattern, render in _DETAILS:
        match = pattern.fullmatch(detail)
        if match is not None:
            return render(match)
    return detail
