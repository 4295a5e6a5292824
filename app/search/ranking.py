"""Relevance within the candidate window: BM25 over the window's own statistics.

The engines' scores need statistics over every match of each word (FTS5's bm25() counts the
documents of each term on every query: 60 ms for a word in half of 1.1 million documents),
and ts_rank differs from it. So the application scores the window of newest matches itself,
the same way on both engines: BM25 with the word's rarity measured in the window, the
document's length from its indexed terms, and a bonus when a word is in the title. Ties (and
equal scores) go to the newer document.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.search.text import Query, word_forms, words_of

K1 = 1.2
B = 0.75
TITLE_BONUS = 1.0


@dataclass(frozen=True)
class Scored:
    score: float
    recency: int
    row: Any


def _counts(terms: list[str], forms: frozenset[str], prefixes: tuple[str, ...]) -> int:
    if prefixes:
        return sum(1 for t in terms if t in forms or t.startswith(prefixes))
    return sum(1 for t in terms if t in forms)


def _in_title(title: str, forms: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    for word in words_of(title):
        found = word_forms(word)
        if not forms.isdisjoint(found):
            return True
        if prefixes and any(f.startswith(prefixes) for f in found):
            return True
    return False


def rank(rows: Sequence[Any], query: Query) -> list[Scored]:
    """Rows (with kind, terms, title and recency) best first. A comment shows its post's
    title, but is found by its own words only: no title bonus for it."""
    clauses = [(frozenset(c.forms), c.prefixes) for c in query.wanted]
    tokens = [row.terms.split() for row in rows]
    counts = [[_counts(t, *clause) for clause in clauses] for t in tokens]
    total = len(rows)
    average = sum(len(t) for t in tokens) / total if total else 1.0
    rarity = []
    for index in range(len(clauses)):
        having = sum(1 for c in counts if c[index])
        rarity.append(math.log(1 + (total - having + 0.5) / (having + 0.5)))
    scored = []
    for row, words, found in zip(rows, tokens, counts, strict=True):
        norm = K1 * (1 - B + B * len(words) / (average or 1.0))
        score = sum(rarity[i] * (n * (K1 + 1)) / (n + norm) for i, n in enumerate(found) if n)
        if row.kind != "comment":
            bonus = (rarity[i] for i, c in enumerate(clauses) if _in_title(row.title, *c))
            score += TITLE_BONUS * sum(bonus)
        scored.append(Scored(round(score, 6), row.recency, row))
    scored.sort(key=lambda s: (-s.score, -s.recency))
    return scored
