"""Undo the obfuscation of Russian abuse, keeping offsets back to the ORIGINAL text.

Same contract as :func:`moderation.classifier.normalise.normalise`: lower-cased text plus,
for every character, the original character it came from. The Russian tricks differ:

* Latin look-alikes and digits inside Cyrillic words ("хyй" with a Latin y, "cyкa", "6лять",
  "3ачем", "п0шел"): mapped to Cyrillic, but only in words that are clearly Russian (see
  :func:`_direction`), so an English word with one Cyrillic "о" stays Latin;
* spaced letters ("х у й", "с.у.к.а"), repeated letters ("сууука"), zero-width characters,
  fullwidth letters, "ё" (folded to "е");
* Latin transliteration ("suka", "blyat", "nahui"): a Latin word is transliterated when it
  starts with a known translit profanity stem, or when the whole comment reads as translit
  (more translit Russian function words than English ones). English words stay Latin.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from moderation.classifier import compiled as compiled_core
from moderation.classifier.normalise import (
    FULLWIDTH,
    INVISIBLE,
    LATIN,
    MIXED_RU,
    ODD_WHITESPACE,
    REPEATS_RU,
    SPACED_RUN,
    Normalised,
    applies,
    steps_after,
    text_flags,
)

# The steps of normalise_ru whose flags the core computes and, after each, those still to come.
_STEPS = (FULLWIDTH, INVISIBLE, SPACED_RUN, MIXED_RU, REPEATS_RU, LATIN, ODD_WHITESPACE)
_AFTER = steps_after(_STEPS)

_INVISIBLE = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\x00-\x08\x0e-\x1f]"
)
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FULLWIDTH_TRIGGER = re.compile("[\uff01-\uff5e\u3000]")
# Latin letters, digits and symbols that stand for Cyrillic letters inside a Russian word.
_TO_CYRILLIC = {
    "a": "а", "b": "в", "c": "с", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "н", "i": "и",
    "j": "й", "k": "к", "l": "л", "m": "м", "n": "п", "o": "о", "p": "р", "q": "к", "r": "г",
    "s": "с", "t": "т", "u": "и", "v": "в", "w": "ш", "x": "х", "y": "у", "z": "з",
    "0": "о", "3": "з", "4": "ч", "6": "б", "9": "я", "@": "а", "$": "с",
    "і": "и", "ї": "и", "ў": "у",
}  # fmt: skip
# Cyrillic letters that look like Latin ones (the English normaliser's direction).
_TO_LATIN = str.maketrans("аеорсухіјѕкмнтвАВЕКМНОРСТХ", "aeopcyxijskmhtbABEKMHOPCTX")
_LATIN_LOOKALIKES = frozenset("aeopcyxkmhtb")
_CYRILLIC_LOOKALIKES = frozenset("аеорсухікмнтв")
_CYRILLIC = re.compile("[а-яА-ЯіїўІЇЎ]")
_LATIN = re.compile("[a-zA-Z]")
# A word with Cyrillic next to a Latin letter or an obfuscating digit/symbol.
_MIXED_TRIGGER = re.compile(
    "[а-яА-Я][a-zA-Z0-9@$]|[a-zA-Z0-9@$][а-яА-Я]|[іїў][а-яА-Я]|[а-яА-Я][іїў]"
)
_WORD_CLASS = "[a-zA-Zа-яА-ЯіїўІЇЎ0-9@$]"
_MIXED_WORD = re.compile(_WORD_CLASS + "+")
# Digits and symbols count as letters only where they cannot be a number or an address:
# not "3года", "4раза", "3млн" (a number glued to its word), not "стаса671".
_DIGIT_AS_LETTER = re.compile(
    "(?<=[^\\W\\d_])[0-9@$]{1,2}(?=[^\\W\\d_])"  # between letters: "п0шел", "бл9ть"
    "|^[6@](?=[а-яА-Я]*[аеиоуыэюя])(?=[а-яА-Я]{3})"  # a leading 6 or @: "6лять"
    "|(?<=[^\\W\\d_]{2})@$"  # a trailing @: "сук@"
)
# Single letters separated by one separator: "х у й", "с.у.к.а", "b-l-y-a".
_SPACED = re.compile(r"(?<![\w])(?:[^\W\d_][ .\-_*]){2,}[^\W\d_](?![\w])")
_SEPARATOR = re.compile(r"[ .\-_*]")
_REPEATS = re.compile(r"([^\d\s])\1{2,}")
_VOWELS = frozenset("аеиоуыэюяaeiouy")
_CYRILLIC_VOWELS = frozenset("аеиоуыэюя")
_SPACES = re.compile(r"\s+")
_ODD_SPACE = re.compile(r"\s{2,}|[^\S ]")
# Translit: Latin stems of Russian profanity and insults, unambiguous in English text.
_TRANSLIT_PROFANITY = re.compile(
    r"(?<![\w'])(?:(?:na|po|za|vy|ot|ras|pro|o|do)?(?:suk[aiuo]|sooka|suchk|bl[yj]a[dt]|"
    r"blia[dt]?|blya|pi[sz]d|pe[sz]d|hu[yj]|hue[vt]|xu[yij]|khu[yij]|eba[lnt]|ebu(?:t|ch)|"
    r"yeba|yoba|eblan|mudak|mudil|debil|dolbo[ey]?eb|pid[oa]r|pidr|gand[oa]n|gond[oa]n|zhop|"
    r"zalup|govn|chmo|mraz|tvar|uebo|ueban|shlu[hx]|shly?uh|urod|tupo[yi]|tupaya|kretin|"
    r"svoloch|padl[ay]|gnid|vatnik|khokh?o?l|hohl|churk|zhid|pidoras|bydl|durak|petuh|sdoh|"
    r"pindos|skotin|zasran|obosr|chuchm[ea]k|kalbit|katsap|kacap|moskal)|(?:na|po|o)hui)[a-z']*(?![\w'])",
    re.I,
)
# Transliterated Russian function words, and English ones, to tell a translit comment apart.
_RU_TRANSLIT_WORDS = frozenset(
    re.findall(
        r"\S+",
        "ne ty eto kak chto shto vot ya tak tut nu da net esli kogda tebya menya zachem pochemu "
        "kto gde vse vsyo uzhe tozhe ochen prosto blin davai tolko mozhet nado budet byl bylo "
        "tebe mne nas vas ikh ih ego ee ona oni ili dlya pro cho chego sam sebya zdes seichas "
        "teper poka potom togda vy my v s k na za zhe po ot iz bez pri chem chtoby kogo komu "
        "byt est nuzhno mozhno nelzya sovsem voobshe voobshche khorosho horosho ladno kstati "
        "potomu vsem kakie kakoy kakaya eshe esche eshche tam nikto nichego vam im sebe svoi etot "
        "eta etu etogo tolko tozhe ochen' byl' nado",
    )
)
# Letter groups that English spelling almost never has but Russian translit has everywhere.
_RU_SPELLING = re.compile(
    r"zh|kh|shch|sch|ya|yu|'(?![stdm]$|re$|ve$|ll$)|(?:sya|tsya|ogo|ykh|ikh|yy|iy)$", re.I
)
_EN_WORDS = frozenset(
    re.findall(
        r"\w+",
        "the a an and or but is are was were be to of in on at for with this that it you he she "
        "they we i my your not no yes do does did have has what why how who when where so if "
        "just like all can will would should about from by as",
    )
)
_LATIN_WORD = re.compile(r"(?<![\w/.@'])[a-zA-Z][a-zA-Z']*(?![\w/@])")
_TRANSLIT_TABLE = (
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"),
    ("sh", "ш"), ("ya", "я"), ("yu", "ю"), ("yo", "е"), ("ye", "е"), ("ja", "я"), ("ju", "ю"),
    ("jo", "е"), ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("i", "и"), ("j", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"),
    ("h", "х"), ("c", "ц"), ("x", "х"), ("w", "в"), ("q", "к"), ("'", "ь"), ("y", "ы"),
)  # fmt: skip

Pieces = list[tuple[str, int]]  # replacement characters and the match-relative source index


def normalise_ru(text: str) -> Normalised:
    """Lower-case and de-obfuscate Russian ``text``; see the module docstring.

    Each step checks first whether it applies (the compiled core's one pass,
    :func:`~moderation.classifier.normalise.text_flags`, else one regex search each), so
    clean Cyrillic text costs a few microseconds and no offset bookkeeping.
    """
    out = text.replace("ё", "е").replace("Ё", "Е")
    # What could apply, in one compiled pass (never a false "no"); after a step changes
    # ``out``, recomputed for the steps after it.
    flags = text_flags(out, 3, wanted=sum(_STEPS))
    if applies(flags, FULLWIDTH, _FULLWIDTH_TRIGGER, out):
        out = out.translate(_FULLWIDTH)
        flags = text_flags(out, 3, wanted=_AFTER[FULLWIDTH])
    offsets: list[int] | None = None
    if applies(flags, INVISIBLE, _INVISIBLE, out):
        out, offsets = _rewrite(out, offsets, _INVISIBLE, lambda m: [])
        flags = text_flags(out, 3, wanted=_AFTER[INVISIBLE])
    if applies(flags, SPACED_RUN, _SPACED, out):
        out, offsets = _rewrite(out, offsets, _SPACED, _join_spaced)
        flags = text_flags(out, 3, wanted=_AFTER[SPACED_RUN])
    if applies(flags, MIXED_RU, _MIXED_TRIGGER, out):
        out, offsets = _rewrite(out, offsets, _MIXED_CANDIDATE, _unmix)
        flags = text_flags(out, 3, wanted=_AFTER[MIXED_RU])
    if applies(flags, REPEATS_RU, _REPEATS, out):
        out, offsets = _rewrite(out, offsets, _REPEATS, _squeeze)
        flags = text_flags(out, 3, wanted=_AFTER[REPEATS_RU])
    if applies(flags, LATIN, _LATIN, out):
        out, offsets = _transliterate(out, offsets)
    if applies(text_flags(out, 3, wanted=ODD_WHITESPACE), ODD_WHITESPACE, _ODD_SPACE, out):
        out, offsets = _rewrite(out, offsets, _SPACES, lambda m: [(" ", 0)])
    lowered = out.lower()
    if len(lowered) != len(out):  # e.g. "İ" lowers to two characters
        offsets = offsets if offsets is not None else list(range(len(out)))
        pieces = [(c.lower(), o) for c, o in zip(out, offsets, strict=True)]
        lowered = "".join(p for p, _ in pieces)
        offsets = [o for p, o in pieces for _ in p]
    return Normalised(lowered, None if offsets is None else tuple(offsets), len(text))


def _join_spaced(match: re.Match[str]) -> Pieces:
    """Keep the letters of "х у й": three spaced letters only when they look obfuscated."""
    word = match.group()
    letters = [(c, i) for i, c in enumerate(word) if not _SEPARATOR.match(c)]
    if len(letters) == 3:
        joined = "".join(c for c, _ in letters).lower()
        as_cyrillic = "".join(_TO_CYRILLIC.get(c, c) for c in joined)
        if joined not in _SPACED_THREE and as_cyrillic not in _SPACED_THREE:
            return [(c, i) for i, c in enumerate(word)]
    return letters


_SPACED_THREE = frozenset({"хуй", "хер", "бля", "чмо", "лох", "жоп", "huy", "hui"})


def _is_russian(word: str) -> bool:
    """Whether a mixed-script word is Russian (map to Cyrillic) rather than Latin.

    A word is Latin only when it has a Latin letter with no Cyrillic twin (d, f, g, l...) and
    no Cyrillic letter without a Latin twin (л, б, и, я...): "idiоt" with a Cyrillic о stays
    Latin; "cyкa", "хyй" and all-look-alike words go to Cyrillic, which is what the Russian
    model can read (the English model has its own normaliser).
    """
    lower = word.lower()
    if any(_CYRILLIC.match(c) and c not in _CYRILLIC_LOOKALIKES for c in lower):
        return True
    return not any(_LATIN.match(c) and c not in _LATIN_LOOKALIKES for c in lower)


# What _unmix may change: the keys of _TO_CYRILLIC in either case (and Latin letters, which
# its Latin branch translates).
_UNMIXABLE = re.compile("[a-zA-Z0-9@$іїўІЇЎ]")


# The _MIXED_WORD runs _needs_unmix accepts, found by the regex engine alone (the same
# spans: a whole run, from its start): a Cyrillic letter and a character _unmix maps, which
# may be one letter ("і"). Two lookaheads at each run's start keep it linear in the run.
_MIXED_CANDIDATE = re.compile(
    f"(?<!{_WORD_CLASS})(?={_WORD_CLASS}*?[а-яА-ЯіїўІЇЎ])(?={_WORD_CLASS}*?[a-zA-Z0-9@$іїўІЇЎ])"
    f"{_WORD_CLASS}+"
)


def _needs_unmix(word: str) -> bool:
    """False for the words :func:`_unmix` returns unchanged: no Cyrillic letter, or none of
    the characters it maps (a Latin letter, a digit, "@", "$", "і", "ї", "ў")."""
    return _CYRILLIC.search(word) is not None and _UNMIXABLE.search(word) is not None


def _unmix(match: re.Match[str]) -> Pieces:
    word = match.group()
    keep = [(c, i) for i, c in enumerate(word)]
    has_cyrillic = _CYRILLIC.search(word) is not None
    if not has_cyrillic:
        return keep
    if _LATIN.search(word) and not _is_russian(word):
        return [(c, i) for i, c in enumerate(word.translate(_TO_LATIN))]
    digit_spans = [m.span() for m in _DIGIT_AS_LETTER.finditer(word)]
    out: Pieces = []
    for i, c in enumerate(word):
        lower = c.lower()
        is_symbol = not c.isalpha()
        if is_symbol and not any(s <= i < e for s, e in digit_spans):
            out.append((c, i))
            continue
        mapped = _TO_CYRILLIC.get(lower)
        if mapped is None:
            out.append((c, i))
            continue
        if lower == "b":  # Latin b is в, or a soft sign after a consonant: "бл9tb"
            after = word[i + 1 : i + 2].lower()
            before = word[i - 1 : i].lower()
            if before and before not in _VOWELS and (not after or after not in _VOWELS):
                mapped = "ь"
        out.append((mapped.upper() if c.isupper() else mapped, i))
    return out


def _transliterate(text: str, offsets: list[int] | None) -> tuple[str, list[int] | None]:
    """Latin words to Cyrillic where they are (probably) Russian; see the module docstring.

    * a translit comment (a translit function word, and at least two words that are such or have
      translit spellings like "zh", "ya", "-sya", and more of them than English function
      words and English spellings like "th", "w", "-ing"): every Latin word;
    * a mostly Cyrillic comment: swear stems, and Latin words with translit spellings ("zh",
      "kh", "ya", "-sya"...) and no English ones ("zhopa"; not "Samsung", "Brexit", "wow");
    * otherwise: only words starting with a translit profanity stem ("suka", "nahui").
    """
    words = latin_words(text)
    if _translit_comment(words):
        return _rewrite(text, offsets, _LATIN_WORD, _translit_word)
    if _cyrillic_letters(text) > sum(len(w) for w in words):
        # Only the Russian-looking words change: when there are none, nothing does.
        if not any(map(_russian_looking, words)):
            return text, offsets
        return _rewrite(text, offsets, _LATIN_WORD, _translit_word, only=_russian_looking)
    if _TRANSLIT_PROFANITY.search(text):
        return _rewrite(text, offsets, _TRANSLIT_PROFANITY, _translit_word)
    return text, offsets


_ENGLISH_SPELLING = re.compile(r"w|q|th|ph|ee|oo|ea|ou|ck|ing$|ed$|^.{1,2}$", re.I)


def latin_words(text: str) -> list[str]:
    """The Latin-letter words of ``text``, lower-cased (as transliteration sees them)."""
    return [m.group().lower() for m in _LATIN_WORD.finditer(text)]


def _translit_comment(words: list[str]) -> bool:
    """Whether a comment with these Latin ``words`` reads as Russian in Latin letters: a
    translit function word, and at least two words that are such or have translit spellings,
    and more of them than English-looking words."""
    function_words = sum(w in _RU_TRANSLIT_WORDS for w in words)
    ru = sum(w in _RU_TRANSLIT_WORDS or _RU_SPELLING.search(w) is not None for w in words)
    en = sum(map(_english_looking, words))
    return bool(function_words) and ru >= 2 and ru > en


def _english_looking(word: str) -> bool:
    """Not a translit function word, and an English one or with English spellings."""
    return word not in _RU_TRANSLIT_WORDS and (
        word in _EN_WORDS or _ENGLISH_SPELLING.search(word) is not None
    )


# Translit function words that are also English (or Turkic, Polish) words, or single letters:
# not evidence of Russian on their own ("my niggah my niggah" is not "мы ...").
_AMBIGUOUS = frozenset(
    re.findall(r"\S+", "my net pro sam ego im ya da v s k est tut nu eta ona ikh ih")
)
_UNAMBIGUOUS = _RU_TRANSLIT_WORDS - _AMBIGUOUS
UNAMBIGUOUS_TRANSLIT = _UNAMBIGUOUS  # language detection's plain-English rule reads them too
_LETTER_RUN = re.compile("[a-z]+")  # every unambiguous word of latin_words is one of these
# Uzbek Latin spellings Russian translit does not use: q, and o'/g' with an apostrophe (typed
# as ', `, ʻ or ‘/’).
UZBEK_APOSTROPHE_SPELLING = "[og]['`\u02bb\u2018\u2019]"  # language detection uses it too
_UZBEK_SPELLING = re.compile(f"q|{UZBEK_APOSTROPHE_SPELLING}")
_MIN_TRANSLIT_WORDS = 3


def reads_as_translit(text: str) -> bool:
    """Whether ``text`` is Russian written in Latin letters, for routing it to the Russian
    model. Two ways, both with guards against other Latin-script languages (at least 95 % of
    the letters ASCII, no Uzbek spellings "q", "o'", "g'"); docs/russian.md has the
    measurements:

    * a whole comment: the test :func:`normalise_ru` uses before it transliterates every
      Latin word, with three or more words, an unambiguous translit function word ("chto",
      "eto", "ty") and two different Russian-looking words;
    * a Russian swear word or insult ("debil", "suka") among words none of which looks
      English ("ty debil", "avtor mudak"), however short.
    """
    runs = _LETTER_RUN.findall(text.lower())
    if _UNAMBIGUOUS.isdisjoint(runs) and not any(map(_profane_run, runs)):
        return False  # the usual answer, fast
    if not text.isascii():
        letters = [c for c in text if c.isalpha()]
        if sum(c.isascii() for c in letters) < 0.95 * len(letters):
            return False
    if _UZBEK_SPELLING.search(text.lower()):  # in the text: "oʻ" splits a Latin word
        return False
    words = latin_words(text)
    if _insult_only(words):
        return True
    if len(words) < _MIN_TRANSLIT_WORDS or not any(w in _UNAMBIGUOUS for w in words):
        return False
    russian = {w for w in words if w in _RU_TRANSLIT_WORDS or _RU_SPELLING.search(w)}
    return len(russian) >= 2 and _translit_comment(words)


@functools.lru_cache(maxsize=1 << 16)
def _profane_run(run: str) -> bool:
    """Whether a word (or run of letters) is a translit swear word (cached: most are common
    words)."""
    return _TRANSLIT_PROFANITY.fullmatch(run) is not None


# Russian one-letter words that are also English ones: neither Russian- nor English-looking.
_ONE_LETTER = frozenset("iauo")


def _insult_only(words: list[str]) -> bool:
    """A translit swear word or insult, and no word that looks English."""
    if not any(map(_profane_run, words)):
        return False
    return not any(w not in _ONE_LETTER and _english_looking(w) for w in words)


def _russian_looking(word: str) -> bool:
    """A translit profanity, or a word with translit spellings and no English ones (its case
    does not matter: the patterns ignore it)."""
    return _TRANSLIT_PROFANITY.fullmatch(word) is not None or (
        _RU_SPELLING.search(word) is not None and _ENGLISH_SPELLING.search(word) is None
    )


def _cyrillic_letters(text: str) -> int:
    """How many characters of ``text`` are in :data:`_CYRILLIC` (in the compiled core when it
    is on: counting with the regex makes a string of each)."""
    if compiled_core.enabled():
        return compiled_core.cyrillic_letters(text)
    return len(_CYRILLIC.findall(text))


def _translit_word(match: re.Match[str]) -> Pieces:
    word = match.group()
    lower = word.lower()
    out: Pieces = []
    i = 0
    while i < len(lower):
        after = lower[i + 1 : i + 2]
        if lower[i] in "iy" and out and out[-1][0] in _CYRILLIC_VOWELS and after not in _VOWELS:
            out.append(("й", i))  # "nahui", "tupoy", "novyy": a vowel then i/y is й
            i += 1
            continue
        for latin, cyrillic in _TRANSLIT_TABLE:
            if lower.startswith(latin, i):
                out.append((cyrillic, i))
                i += len(latin)
                break
        else:
            out.append((word[i], i))
            i += 1
    return out


def _squeeze(match: re.Match[str]) -> Pieces:
    """ "сууука" -> "сука", "дааа" -> "да"; 4+ consonants or marks keep two ("класссс", "!!").

    Three consonants stay: "СССР" is a word, not an obfuscation.
    """
    letter = match.group(1)
    if letter.lower() not in _VOWELS and len(match.group()) == 3 and letter.isalpha():
        return [(letter, k) for k in range(3)]
    keep = 1 if letter.lower() in _VOWELS else 2
    return [(letter, k) for k in range(keep)]


def _rewrite(
    text: str,
    offsets: list[int] | None,
    pattern: re.Pattern[str],
    replace: Callable[[re.Match[str]], Sequence[tuple[str, int]]],
    *,
    only: Callable[[str], bool] | None = None,
) -> tuple[str, list[int]]:
    """Replace each match by characters that each name the match character they came from.

    ``only``: a test that is False only for matches ``replace`` would leave as they are; those
    are skipped (the same result, without rebuilding every word of a long comment).
    """
    source: Sequence[int] = offsets if offsets is not None else range(len(text))
    pieces: list[str] = []
    new_offsets: list[int] = []
    last = 0
    for match in pattern.finditer(text):
        if only is not None and not only(match.group()):
            continue
        start, end = match.span()
        pieces.append(text[last:start])
        new_offsets.extend(source[last:start])
        for char, at in replace(match):
            pieces.append(char)
            new_offsets.append(source[start + at])
        last = end
    pieces.append(text[last:])
    new_offsets.extend(source[last:])
    return "".join(pieces), new_offsets
