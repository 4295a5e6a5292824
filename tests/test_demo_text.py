"""Bulk demo text: two languages, thousands of words, a few common and a long tail."""

from collections import Counter

from app.demo.text import RARE, make_pools, vocabulary_size


def test_pools_are_varied_bilingual_and_zipf_like():
    pools = make_pools()
    assert pools == make_pools()  # the same seed, the same data
    assert vocabulary_size() > 2000
    words = Counter(w.strip(".").lower() for text in pools.comments for w in text.split())
    counts = sorted(words.values(), reverse=True)
    assert len(words) > 1500
    # A few words carry much of the text, most occur rarely.
    assert counts[0] > 50 * counts[len(counts) // 2]
    assert {"der", "the"} <= set(words)
    assert any(word.lower() in words for word in RARE)
    assert len(set(pools.bodies)) > 0.95 * len(pools.bodies)
