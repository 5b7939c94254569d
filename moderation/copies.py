"""Finding the copies of a comment's text in the database: exact copies by fingerprint, near
copies by their shared keys, checked by similarity (:mod:`moderation.domain.repetition`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from moderation.domain.policy import Repetition
from moderation.domain.repetition import (
    NEAR_CANDIDATES_CHECKED,
    earlier_copies,
    folded,
    jaccard,
    near_copy_keys,
    shingles,
)
from moderation.storage.tables import Comment, NearCopyKey

# The near copies the queue's "copies" filter lists at most, newest first.
NEAR_COPIES_LISTED = 1000

# Built once: constructing SQLAlchemy statements costs more than running these queries.
_SAME_TEXT = select(Comment.text_fingerprint, Comment.received_at, Comment.id).where(
    Comment.text_fingerprint.in_(bindparam("fingerprints", expanding=True)),
    Comment.received_at >= bindparam("since"),
    Comment.received_at <= bindparam("until"),
)
_SHARED_KEYS = (
    select(
        NearCopyKey.key, NearCopyKey.comment_id, NearCopyKey.received_at, Comment.text_fingerprint
    )
    .join(Comment, Comment.id == NearCopyKey.comment_id)
    .where(
        NearCopyKey.key.in_(bindparam("keys", expanding=True)),
        NearCopyKey.received_at >= bindparam("since"),
        NearCopyKey.received_at <= bindparam("until"),
    )
)
_TEXTS = select(Comment.id, Comment.text).where(Comment.id.in_(bindparam("ids", expanding=True)))
_IDS_PER_QUERY = 5000  # well under every database's limit on bound parameters

_Posted = tuple[datetime, str]  # (received at, comment id): sorts as "came before"


def copies_before(session: Session, comments: Sequence[Comment], rule: Repetition) -> list[int]:
    """For each comment, how many comments with the same text, or with a nearly identical one
    (the rule's ``similarity``), came before it within the rule's window (any article, any
    status); 0 for texts too short to count.

    One query finds exact copies by fingerprint. With near copies on, one finds the comments
    sharing a near-copy key (:data:`NEAR_CANDIDATES_CHECKED` most recent per comment are
    checked) and one reads their texts, whose similarity to the comment's decides.
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
    rows = session.execute(
        _SAME_TEXT,
        {
            "fingerprints": sorted({str(c.text_fingerprint) for c in keyed}),
            "since": since,
            "until": until,
        },
    )
    posted: dict[str, set[_Posted]] = {}
    for key, received_at, comment_id in rows:
        posted.setdefault(str(key), set()).add((received_at, comment_id))
    near = _near_copies(session, keyed, folds, rule, (since, until)) if rule.near_copies else {}
    counts = dict.fromkeys((c.id for c in comments), 0)
    for c in keyed:
        copies = posted.get(str(c.text_fingerprint), set()) | near.get(c.id, set())
        counts[c.id] = earlier_copies((c.received_at, c.id), sorted(copies), window)
    return [counts[c.id] for c in comments]


def _near_copies(
    session: Session,
    comments: Sequence[Comment],
    folds: dict[str, str],
    rule: Repetition,
    bounds: tuple[datetime, datetime],
) -> dict[str, set[_Posted]]:
    """For each comment id, the earlier comments within its window whose text is at least
    ``rule.similarity`` like its own but not exactly the same (those are counted by
    fingerprint). ``folds``: each comment's folded text."""
    since, until = bounds
    keys = {c.id: near_copy_keys(folds[c.id]) for c in comments}
    every_key = sorted({k for ks in keys.values() for k in ks})
    sharing: dict[int, set[str]] = {}  # key -> the comments that have it
    seen: dict[str, tuple[datetime, str | None]] = {}  # comment -> received at, fingerprint
    for key, comment_id, received_at, fingerprint in session.execute(
        _SHARED_KEYS, {"keys": every_key, "since": since, "until": until}
    ):
        sharing.setdefault(key, set()).add(comment_id)
        seen[comment_id] = (received_at, fingerprint)
    window = timedelta(hours=rule.window_hours)
    chosen: dict[str, list[_Posted]] = {}
    for c in comments:
        own: _Posted = (c.received_at, c.id)
        earliest = c.received_at - window
        candidates = set().union(*(sharing.get(k, ()) for k in keys[c.id]))
        earlier = [
            (received_at, cid)
            for cid in candidates
            for received_at, fingerprint in (seen[cid],)
            if fingerprint != c.text_fingerprint
            and earliest <= received_at
            and (received_at, cid) < own
        ]
        earlier.sort(reverse=True)
        chosen[c.id] = earlier[:NEAR_CANDIDATES_CHECKED]
    texts = _texts(session, {cid for posts in chosen.values() for _, cid in posts})
    pieces = {cid: shingles(folded(text)) for cid, text in texts.items()}
    found: dict[str, set[_Posted]] = {}
    for c in comments:
        own_pieces = shingles(folds[c.id])
        found[c.id] = {
            (received_at, cid)
            for received_at, cid in chosen[c.id]
            if jaccard(own_pieces, pieces.get(cid, set())) >= rule.similarity
        }
    return found


def _texts(session: Session, ids: Iterable[str]) -> dict[str, str]:
    ordered = sorted(ids)
    texts: dict[str, str] = {}
    for start in range(0, len(ordered), _IDS_PER_QUERY):
        chunk = ordered[start : start + _IDS_PER_QUERY]
        texts.update((cid, text) for cid, text in session.execute(_TEXTS, {"ids": chunk}))
    return texts


def near_copy_ids(session: Session, comment_id: str, rule: Repetition) -> list[str]:
    """The comments (at any time, any status) whose text is nearly, not exactly, that of
    ``comment_id``: the newest :data:`NEAR_COPIES_LISTED` of them. Exact copies are not listed:
    the queue finds those by fingerprint. Nothing for an unknown comment or with near copies
    off."""
    comment = session.get(Comment, comment_id)
    if comment is None or not rule.near_copies:
        return []
    keys = near_copy_keys(folded(comment.text))
    if not keys:
        return []
    rows = session.execute(
        select(NearCopyKey.comment_id, NearCopyKey.received_at)
        .join(Comment, Comment.id == NearCopyKey.comment_id)
        .where(
            NearCopyKey.key.in_(keys),
            NearCopyKey.comment_id != comment_id,
            Comment.text_fingerprint.is_distinct_from(comment.text_fingerprint),
        )
        .distinct()
    ).all()
    newest = [cid for cid, _ in sorted(rows, key=lambda r: (r[1], r[0]), reverse=True)]
    newest = newest[: 4 * NEAR_COPIES_LISTED]  # key-sharing texts are mostly near copies
    texts = _texts(session, newest)
    own = shingles(folded(comment.text))
    near = [cid for cid in newest if jaccard(own, shingles(folded(texts[cid]))) >= rule.similarity]
    return near[:NEAR_COPIES_LISTED]
