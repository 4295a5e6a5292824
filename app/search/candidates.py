"""The newest readable documents matching a query, a bounded number at a time.

SQLite: FTS5's rowid is the document's recency, so FTS5 hands out a word's matches newest
first and stops when asked; the documents of each batch of matches are read by that key,
through the access policy and the filters, until enough are found. Batches are sized by the
share of matches the reader kept so far, and at most SCAN_LIMIT matches are read per request:
a filter that keeps almost none of a common word's matches answers with what it found and a
cursor to look further, instead of reading every match. A kind filter is part of the match
itself (every document holds its kind's mark, app/search/text.py). A word found in 500,000
documents costs what a rare one does.
PostgreSQL: one statement, the GIN index's matches filtered and ordered by the recency index
(the planner starts from whichever is cheaper).
"""

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal_column, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from app.search.models import SearchDocument
from app.search.text import Query, fts5_match, tsquery

D = SearchDocument
NEWEST = 2**63 - 1
FIRST_BATCH = 64
MAX_BATCH = 8192
SCAN_LIMIT = 30_000
INDEXED_PREFIX = 3  # the longest prefix FTS5 keeps an index of (prefix='2 3')
_MATCH_KEYS = text(
    "SELECT rowid FROM search_fts WHERE search_fts MATCH :match AND rowid < :before "
    "ORDER BY rowid DESC LIMIT :n"
)


@dataclass
class Candidates:
    rows: list[Any]  # newest first
    # Where to look on for older matches, when there may be more than `rows`.
    resume_before: int | None


def newest_matches(
    session: Session,
    statement: Any,
    query: Query,
    *,
    before: int,
    want: int,
    kinds: tuple[str, ...] = (),
) -> Candidates:
    """Up to `want` rows of `statement` (documents already restricted to what the reader may
    read) matching `query` (and of `kinds`, if given), with a recency below `before`, newest
    first."""
    if session.get_bind().dialect.name == "postgresql":
        simple: Any = literal_column("'simple'::regconfig")
        matching = func.to_tsvector(simple, D.terms).op("@@")(
            func.to_tsquery(simple, tsquery(query, kinds))
        )
        rows = list(
            session.execute(
                statement.where(matching, col(D.recency) < before)
                .order_by(col(D.recency).desc())
                .limit(want + 1)
            )
        )
        more = len(rows) > want
        return Candidates(rows[:want], rows[want - 1].recency if more else None)
    match = fts5_match(query, kinds)
    # FTS5 keeps prefix indexes of 2 and 3 letters (migration 0020); a longer prefix is
    # answered by merging the matches of every word it starts, whatever the LIMIT: 75 ms for
    # "nicht*" among 1.1 million documents, once per batch. Its keys are read once instead.
    merged = any(len(p) > INDEXED_PREFIX for c in query.wanted for p in c.prefixes)
    return _sqlite_matches(session, statement, match, before=before, want=want, ahead=merged)


def _sqlite_matches(
    session: Session, statement: Any, match: str, *, before: int, want: int, ahead: bool
) -> Candidates:
    found: list[Any] = []
    batch, scanned = max(FIRST_BATCH, 2 * want), 0
    read_ahead: list[int] | None = None
    everything = True
    if ahead:
        read_ahead = _match_keys(session, match, before, SCAN_LIMIT)
        everything = len(read_ahead) < SCAN_LIMIT
    while True:
        if read_ahead is None:
            keys = _match_keys(session, match, before, batch)
            last = len(keys) < batch  # every match read
        else:
            keys, read_ahead = read_ahead[:batch], read_ahead[batch:]
            last = not read_ahead
        if keys:
            # One JSON parameter, not one per key: expanding thousands of them cost more
            # than the lookups.
            listed: Any = sa_select(literal_column("value")).select_from(
                func.json_each(json.dumps(keys))
            )
            in_batch = statement.where(col(D.recency).in_(listed))
            found += session.execute(in_batch.order_by(col(D.recency).desc())).all()
            before, scanned = keys[-1], scanned + len(keys)
        if len(found) > want:
            return Candidates(found[:want], found[want - 1].recency)
        if last:
            return Candidates(found, None if read_ahead is None or everything else before)
        if scanned >= SCAN_LIMIT:
            return Candidates(found, before)
        # Size the next batch by the share of matches the reader kept so far (reading more
        # rows than needed cost more than one more round).
        kept = max(len(found), 1) / scanned
        batch = min(
            MAX_BATCH, batch * 4, max(FIRST_BATCH, int((want + 1 - len(found)) / kept * 1.25))
        )


def _match_keys(session: Session, match: str, before: int, n: int) -> list[int]:
    return list(session.execute(_MATCH_KEYS, {"match": match, "before": before, "n": n}).scalars())
