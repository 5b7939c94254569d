"""Finding the copies of a comment's text in the database: exact copies by fingerprint, near
copies by their shared keys, checked by similarity (:mod:`moderation.domain.repetition`).

The fingerprint is stored with the comment at intake. The near-copy keys are stored by the
worker, in the transaction that decides the comment (:func:`store_near_copy_keys`, before
counting, so comments of the same batch see each other): the webhook stays as fast as it was,
and writing ten scattered index entries per comment costs a batch one commit, not one each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from moderation.domain.policy import Repetition
from moderation.domain.repetition import (
    NEAR_CANDIDATES_CHECKED,
    earlier_copies,
    folded,
    jaccard,
    near_copy_keys,
    near_copy_keys_many,
    shingles,
)
from moderation.storage.tables import Comment, NearCopyKey

# Built once: constructing SQLAlchemy statements costs more than running these queries.
_SAME_TEXT = select(Comment.text_fingerprint, Comment.received_at, Comment.id).where(
    Comment.text_fingerprint.in_(bindparam("fingerprints", expanding=True)),
    Comment.received_at >= bindparam("since"),
    Comment.received_at <= bindparam("until"),
)
# The distinct texts (by fingerprint) sharing a key, with the newest copy and one copy's id:
# a flood of one text is one row per key, however many copies it has.
_SHARED_KEYS = (
    select(
        NearCopyKey.key,
        Comment.text_fingerprint,
        func.max(Comment.received_at),
        func.min(Comment.id),
    )
    .join(Comment, Comment.id == NearCopyKey.comment_id)
    .where(
        NearCopyKey.key.in_(bindparam("keys", expanding=True)),
        Comment.received_at >= bindparam("since"),
        Comment.received_at <= bindparam("until"),
    )
    .group_by(NearCopyKey.key, Comment.text_fingerprint)
)
# Idempotent: a comment decided twice at once (a duplicated task) writes its keys once.
# PostgreSQL takes the batch's rows as two arrays in one statement (an executemany would send
# a statement per row); SQLite's executemany runs in C.
_INSERT_KEYS_POSTGRESQL = text(
    'INSERT INTO near_copy_keys ("key", comment_id) '
    "SELECT * FROM unnest(CAST(:keys AS BIGINT[]), CAST(:ids AS VARCHAR[])) "
    "ON CONFLICT DO NOTHING"
)
_INSERT_KEYS = text(
    'INSERT INTO near_copy_keys ("key", comment_id) VALUES (:key, :comment_id) '
    "ON CONFLICT DO NOTHING"
)
_TEXTS = select(Comment.id, Comment.text).where(Comment.id.in_(bindparam("ids", expanding=True)))
_IDS_PER_QUERY = 5000  # well under every database's limit on bound parameters

_Posted = tuple[datetime, str]  # (received at, comment id): sorts as "came before"
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # "at any time", as a window
_LATEST = datetime(9999, 1, 1, tzinfo=UTC)


def store_near_copy_keys(session: Session, comments: Sequence[Comment]) -> dict[str, list[int]]:
    """Write the comments' near-copy keys (in the caller's transaction); return them by id."""
    found = near_copy_keys_many([folded(c.text) for c in comments])
    keys = {c.id: k for c, k in zip(comments, found, strict=True)}
    rows = [(key, c.id) for c in comments for key in keys[c.id]]
    if not rows:
        return keys
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        ids = [comment_id for _, comment_id in rows]
        connection.execute(_INSERT_KEYS_POSTGRESQL, {"keys": [k for k, _ in rows], "ids": ids})
    else:
        connection.execute(_INSERT_KEYS, [{"key": k, "comment_id": i} for k, i in rows])
    return keys


def copies_before(
    session: Session,
    comments: Sequence[Comment],
    rule: Repetition,
    keys: dict[str, list[int]] | None = None,
) -> list[int]:
    """For each comment, how many comments with the same text, or with a nearly identical one
    (the rule's ``similarity``), came before it within the rule's window (any article, any
    status); 0 for texts too short to count.

    With near copies on, one query finds the distinct texts sharing a near-copy key with each
    comment (the :data:`NEAR_CANDIDATES_CHECKED` most recently posted are checked) and one reads
    a copy of each, whose similarity to the comment's decides. Then one query reads every
    copy, within the window, of each comment's own text and of its near texts, by fingerprint.
    ``keys``: the comments' near-copy keys, as :func:`store_near_copy_keys` returned them
    (computed here when not given).
    """
    if not rule.enabled:
        return [0] * len(comments)
    folds = {c.id: folded(c.text) for c in comments}
    keyed = [c for c in comments if c.text_fingerprint and len(folds[c.id]) >= rule.min_chars]
    if not keyed:
        return [0] * len(comments)
    window = timedelta(hours=rule.window_hours)
    since = min(c.received_at for c in keyed) - window
    until = max(c.received_at for c in keyed)
    texts = {c.id: {str(c.text_fingerprint)} for c in keyed}  # the texts each one counts
    if rule.near_copies:
        keys = keys or {c.id: near_copy_keys(folds[c.id]) for c in keyed}
        for cid, near in _near_texts(session, keyed, folds, keys, rule, (since, until)).items():
            texts[cid] |= near
    rows = session.execute(
        _SAME_TEXT,
        {"fingerprints": sorted(set().union(*texts.values())), "since": since, "until": until},
    )
    posted: dict[str, list[_Posted]] = {}
    for fingerprint, received_at, comment_id in rows:
        posted.setdefault(str(fingerprint), []).append((received_at, comment_id))
    counts = dict.fromkeys((c.id for c in comments), 0)
    for c in keyed:
        copies = sorted(p for fingerprint in texts[c.id] for p in posted.get(fingerprint, ()))
        counts[c.id] = earlier_copies((c.received_at, c.id), copies, window)
    return [counts[c.id] for c in comments]


def _near_texts(
    session: Session,
    comments: Sequence[Comment],
    folds: dict[str, str],
    keys: dict[str, list[int]],
    rule: Repetition,
    bounds: tuple[datetime, datetime],
) -> dict[str, set[str]]:
    """For each comment id, the fingerprints of the texts posted within ``bounds`` that are at
    least ``rule.similarity`` like its own but not the same. ``folds`` and ``keys``: each
    comment's folded text and near-copy keys."""
    since, until = bounds
    every_key = sorted({k for ks in keys.values() for k in ks})
    sharing: dict[int, list[str]] = {}  # key -> the texts that have it
    newest: dict[str, tuple[datetime, str]] = {}  # text -> its newest copy's time, one copy's id
    for key, fingerprint, received_at, comment_id in session.execute(
        _SHARED_KEYS, {"keys": every_key, "since": since, "until": until}
    ):
        sharing.setdefault(key, []).append(str(fingerprint))
        known = newest.get(str(fingerprint))
        newest[str(fingerprint)] = (
            max(received_at, known[0]) if known else received_at,
            min(comment_id, known[1]) if known else comment_id,
        )
    chosen: dict[str, list[str]] = {}
    for c in comments:
        candidates = {f for k in keys[c.id] for f in sharing.get(k, ())} - {c.text_fingerprint}
        chosen[c.id] = sorted(candidates, key=lambda f: newest[f], reverse=True)[
            :NEAR_CANDIDATES_CHECKED
        ]
    wanted = set().union(*chosen.values())
    copy_texts = _texts(session, {newest[f][1] for f in wanted})
    pieces = {f: shingles(folded(copy_texts.get(newest[f][1], ""))) for f in wanted}
    found: dict[str, set[str]] = {}
    for c in comments:
        own = shingles(folds[c.id])
        found[c.id] = {f for f in chosen[c.id] if jaccard(own, pieces[f]) >= rule.similarity}
    return found


def _texts(session: Session, ids: Iterable[str]) -> dict[str, str]:
    ordered = sorted(ids)
    texts: dict[str, str] = {}
    for start in range(0, len(ordered), _IDS_PER_QUERY):
        chunk = ordered[start : start + _IDS_PER_QUERY]
        texts.update((cid, text) for cid, text in session.execute(_TEXTS, {"ids": chunk}))
    return texts


def near_texts_of(session: Session, comment_id: str, rule: Repetition) -> list[str]:
    """The fingerprints of the texts (posted at any time, under any status) that are nearly,
    not exactly, that of ``comment_id``, of the :data:`NEAR_CANDIDATES_CHECKED` most recently
    posted texts sharing a key with it. Nothing for an unknown comment, a text without keys,
    or with near copies off."""
    comment = session.get(Comment, comment_id)
    if comment is None or not rule.near_copies or not comment.text_fingerprint:
        return []
    own = folded(comment.text)
    keys = {comment.id: near_copy_keys(own)}
    near = _near_texts(session, [comment], {comment.id: own}, keys, rule, (_EARLIEST, _LATEST))
    return sorted(near[comment.id])
