"""The newest readable documents matching a query, a bounded number at a time.

SQLite: FTS5's rowid is the document's recency, so FTS5 hands out a word's matches newest
first and stops when asked; the documents of each batch of matches are read by that key,
through the access policy and the filters, until enough are found. Batches are sized by the
share of matches the reader kept so far, and at most SCAN_LIMIT matches are read per request:
a filter that keeps almost none of a common word's matches answers with what it found and a
cursor to look further, instead of reading every match. A kind filter is part of the match
itself (every document holds its kind's mark, app/search/text.py). A word found in 500,000
documents costs what a rare one does. A last word of more than 3 letters being typed is
completed first to the index's most common words it starts (`completed`): FTS5 keeps prefix
indexes of 2 and 3 letters only, and answers a longer prefix by merging the match lists of
every word it starts on each batch (75 ms for "nicht*" among 1.1 million documents).
PostgreSQL: one statement, the GIN index's matches filtered and ordered by the recency index
(the planner starts from whichever is cheaper).
"""

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal_column, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from app.search.models import SearchDocument, SearchKind
from app.search.text import Clause, Query, fts5_match, tsquery

D = SearchDocument
NEWEST = 2**63 - 1
FIRST_BATCH = 64
MAX_BATCH = 8192
SCAN_LIMIT = 30_000
INDEXED_PREFIX = 3  # the longest prefix FTS5 keeps an index of (prefix='2 3')
# The words a longer prefix stands for, most common first. The rarest words of a prefix shared
# by more are left out: "proto" finds protocols, not a typo typed once (README, search).
MAX_COMPLETIONS = 64
ALL_KINDS = tuple(kind.value for kind in SearchKind)
_COMPLETIONS = text(
    "SELECT term FROM search_fts_vocab WHERE term >= :prefix AND term < :beyond "
    "ORDER BY doc DESC, term LIMIT :n"
)
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
    # Comments are most of the index: leaving out the few other kinds' documents is cheaper
    # than keeping every comment's (FTS5 merges the mark's match list either way).
    others = tuple(k for k in ALL_KINDS if k not in kinds) if "comment" in kinds else ()
    match = fts5_match(query, () if others else kinds, other_kinds=others)
    return _sqlite_matches(session, statement, match, before=before, want=want)


def completed(session: Session, query: Query) -> Query:
    """The query with each prefix longer than FTS5's prefix indexes replaced by the words of
    the index it starts (at most MAX_COMPLETIONS, the most common), on SQLite; unchanged on
    PostgreSQL, whose GIN index answers any prefix by a range of its keys."""
    if session.get_bind().dialect.name != "sqlite":
        return query
    if not any(len(p) > INDEXED_PREFIX for c in query.clauses for p in c.prefixes):
        return query
    clauses = []
    for clause in query.clauses:
        long = [p for p in clause.prefixes if len(p) > INDEXED_PREFIX]
        if not long:
            clauses.append(clause)
            continue
        words = {w for prefix in long for w in _completions(session, prefix)}
        clauses.append(
            Clause(
                forms=tuple(sorted(words.union(clause.forms))),
                prefixes=tuple(p for p in clause.prefixes if len(p) <= INDEXED_PREFIX),
                exclude=clause.exclude,
            )
        )
    return Query(clauses=tuple(clauses), phrases=query.phrases)


def _completions(session: Session, prefix: str) -> list[str]:
    # The prefix holds letters and digits only (app/search/text.py); the word just beyond
    # every word it starts ends in the next character.
    beyond = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    found = session.execute(
        _COMPLETIONS, {"prefix": prefix, "beyond": beyond, "n": MAX_COMPLETIONS}
    )
    return list(found.scalars())


def _sqlite_matches(
    session: Session, statement: Any, match: str, *, before: int, want: int
) -> Candidates:
    found: list[Any] = []
    batch, scanned = max(FIRST_BATCH, 2 * want), 0
    while True:
        keys = _match_keys(session, match, before, batch)
        last = len(keys) < batch  # every match read
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
            return Candidates(found, None)
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
