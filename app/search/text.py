"""Words as the index holds them, queries as the engines read them, and snippets.

Both engines index the same pre-processed `terms` (SQLite through FTS5's plain unicode61
tokenizer, PostgreSQL through the 'simple' configuration), so stemming and folding behave the
same everywhere and one set of tests covers both. Each word is indexed in every form a reader
might type:
- case-folded, with German transliteration ("Müller" -> "mueller") and with accents dropped
  ("Müller" -> "muller", "café" -> "cafe"), so "mueller", "Muller" and "Müller" meet;
- the German and the English Snowball stem of each (PyStemmer), so "Protokolle" finds
  "Protokoll" and "meetings" finds "meeting". Every document gets both languages' stems: a
  company writes in both, often in one post, and guessing a language per text would lose words.
A query word matches a document when their form sets share a member.

User input is only ever text here: a query is reduced to words of letters and digits, which
the builders below quote themselves; no operator or quote the user types reaches an engine.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

MAX_QUERY_CHARS = 256
MAX_QUERY_WORDS = 8
MAX_WORD_CHARS = 64
# PostgreSQL refuses a tsvector above 1 MB; this many characters of terms stay far below.
MAX_TERMS_CHARS = 400_000
# Shortest last word that is matched as a prefix while typing ("pr*" would match too much).
MIN_PREFIX = 2

# Matches are marked in snippets by two private-use characters (removed from the text first, so
# user text can never fake a mark). The API documents them; pages turn them into <mark>.
MARK_START = "\ue000"
MARK_END = "\ue001"

_WORD = re.compile(r"[^\W_]+")
_QUERY_PART = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_stemmers = (Stemmer.Stemmer("german"), Stemmer.Stemmer("english"))


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


def _strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def word_forms(word: str) -> tuple[str, ...]:
    """Every form under which a word is indexed (and looked up)."""
    lower = word.casefold()
    spellings = {_strip_accents(lower.translate(_GERMAN)), _strip_accents(lower)}
    forms = set()
    for spelling in spellings:
        for part in _WORD.findall(spelling):
            if len(part) > MAX_WORD_CHARS:
                continue
            forms.add(part)
            for stemmer in _stemmers:
                forms.add(stemmer.stemWord(part))
    return tuple(sorted(forms))


@lru_cache(maxsize=65536)
def spellings(word: str) -> tuple[str, ...]:
    """The unstemmed forms of a word (what a prefix is matched against)."""
    lower = word.casefold()
    found = {_strip_accents(lower.translate(_GERMAN)), _strip_accents(lower)}
    return tuple(sorted(p for s in found for p in _WORD.findall(s) if len(p) <= MAX_WORD_CHARS))


def index_terms(*texts: str) -> str:
    """The `terms` of a document: every form of every word, space-separated."""
    out: list[str] = []
    size = 0
    for text in texts:
        for word in _WORD.findall(text):
            forms = " ".join(word_forms(word))
            size += len(forms) + 1
            if size > MAX_TERMS_CHARS:
                return " ".join(out)
            out.append(forms)
    return " ".join(out)


def plain(text: str) -> str:
    """Text fit for a snippet: no marks of our own, no control characters, spaces collapsed."""
    text = text.replace(MARK_START, "").replace(MARK_END, "")
    # Line breaks and tabs are the only unprintable characters of nearly every text; checking
    # the rest at C speed spares a Python test per character (20 snippets a page).
    spaced = text.replace("\n", " ").replace("\r", " ").replace("\t", " ")
    if spaced.isprintable():
        return " ".join(spaced.split())
    return " ".join("".join(c if c.isprintable() else " " for c in spaced).split())


@dataclass(frozen=True)
class Clause:
    """One query word: any of `forms` exactly, or a word starting with one of `prefixes`."""

    forms: tuple[str, ...]
    prefixes: tuple[str, ...] = ()
    exclude: bool = False


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]
    # Quoted phrases of two or more words: each word's forms, in order. The index (no
    # positions) finds documents with all their words; `has_phrases` keeps those with them
    # side by side.
    phrases: tuple[tuple[tuple[str, ...], ...], ...] = ()

    @property
    def wanted(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.exclude)

    @property
    def unwanted(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.exclude)

    @property
    def empty(self) -> bool:
        """Nothing to look for (no word, or only words to exclude)."""
        return not self.wanted


def parse_query(raw: str, *, typing: bool = True) -> Query:
    """Words, "exact phrases", -word to exclude; the last word is a prefix while the person is
    still typing it (no space after it)."""
    raw = raw[:MAX_QUERY_CHARS]
    clauses: list[Clause] = []
    phrases: list[tuple[tuple[str, ...], ...]] = []
    seen: set[tuple[tuple[str, ...], bool]] = set()
    parts = list(_QUERY_PART.finditer(raw))
    for index, match in enumerate(parts):
        minus = bool(match.group(1) or match.group(3))
        quoted = match.group(2) is not None
        words = _WORD.findall(match.group(2) if quoted else match.group(4) or "")
        last_part = index == len(parts) - 1 and not quoted and not raw[-1:].isspace()
        if quoted and not minus and len(words) > 1:
            phrases.append(tuple(word_forms(word) for word in words[:MAX_QUERY_WORDS]))
        for position, word in enumerate(words):
            forms = word_forms(word)
            if not forms or (forms, minus) in seen:
                continue
            seen.add((forms, minus))
            prefixes: tuple[str, ...] = ()
            if typing and last_part and position == len(words) - 1 and not minus:
                prefixes = tuple(s for s in spellings(word) if len(s) >= MIN_PREFIX)
            clauses.append(Clause(forms=forms, prefixes=prefixes, exclude=minus))
    wanted = [c for c in clauses if not c.exclude][:MAX_QUERY_WORDS]
    unwanted = [c for c in clauses if c.exclude][:MAX_QUERY_WORDS]
    return Query(clauses=tuple(wanted + unwanted), phrases=tuple(phrases[:MAX_QUERY_WORDS]))


def has_phrases(text: str, query: Query) -> bool:
    """Whether the text holds every quoted phrase of the query, word after word (each word in
    any of its forms, so "neue Protokolle" finds "neuen Protokoll")."""
    if not query.phrases:
        return True
    words = [set(word_forms(word)) for word in _WORD.findall(text)]
    for phrase in query.phrases:
        wanted = [set(forms) for forms in phrase]
        starts = range(len(words) - len(wanted) + 1)
        if not any(all(words[i + j] & w for j, w in enumerate(wanted)) for i in starts):
            return False
    return True


def _fts5_clause(clause: Clause) -> str:
    # Every term is a double-quoted FTS5 string; the words hold letters and digits only.
    terms = [f'"{form}"' for form in clause.forms]
    terms += [f'"{prefix}"*' for prefix in clause.prefixes]
    return "(" + " OR ".join(terms) + ")"


def kind_mark(kind: str) -> str:
    """A term every document of a kind holds, so the full-text index itself narrows a search
    to some kinds (a person among a million posts is found without reading the posts)."""
    return f"0kind{kind}"


def fts5_match(
    query: Query, kinds: tuple[str, ...] = (), *, other_kinds: tuple[str, ...] = ()
) -> str:
    """The FTS5 MATCH expression for a non-empty query, narrowed to `kinds` if given, or else
    by leaving out `other_kinds` (the same set when they are the rest: cheaper when the kinds
    wanted hold most documents, as comments do, since FTS5 then merges the short lists)."""
    expression = "(" + " AND ".join(_fts5_clause(c) for c in query.wanted) + ")"
    if kinds:
        expression += " AND (" + " OR ".join(f'"{kind_mark(k)}"' for k in kinds) + ")"
    elif other_kinds:
        expression += " NOT (" + " OR ".join(f'"{kind_mark(k)}"' for k in other_kinds) + ")"
    for clause in query.unwanted:
        expression += " NOT " + _fts5_clause(clause)
    return expression


def _tsquery_clause(clause: Clause) -> str:
    terms = [f"'{form}'" for form in clause.forms]
    terms += [f"'{prefix}':*" for prefix in clause.prefixes]
    return "(" + " | ".join(terms) + ")"


def tsquery(query: Query, kinds: tuple[str, ...] = ()) -> str:
    """The to_tsquery('simple', ...) text for a non-empty query, narrowed to `kinds` if given."""
    parts = [_tsquery_clause(c) for c in query.wanted]
    if kinds:
        parts.append("(" + " | ".join(f"'{kind_mark(k)}'" for k in kinds) + ")")
    parts += ["!" + _tsquery_clause(c) for c in query.unwanted]
    return " & ".join(parts)


SNIPPET_CHARS = 200
_SNIPPET_SCAN = 20_000


class Matcher:
    """Whether a word matches a query, each distinct word decided once (a page's snippets
    repeat most of their words)."""

    def __init__(self, query: Query) -> None:
        self._clauses = [(frozenset(c.forms), c.prefixes) for c in query.wanted]
        self._known: dict[str, bool] = {}

    def __call__(self, word: str) -> bool:
        known = self._known.get(word)
        if known is None:
            known = self._known[word] = self._decide(word)
        return known

    def _decide(self, word: str) -> bool:
        forms = word_forms(word)
        for wanted, prefixes in self._clauses:
            if not wanted.isdisjoint(forms):
                return True
            if prefixes and any(s.startswith(prefixes) for s in spellings(word)):
                return True
        return False


def snippet(text: str, query: Query, matcher: Matcher | None = None) -> str:
    """A short passage around the first match, matched words between MARK_START and MARK_END."""
    matches = matcher or Matcher(query)
    text = plain(text[:_SNIPPET_SCAN])
    # Words are matched up to the first match, then only within the passage shown: stemming
    # every word of a long body cost more than the rest of a search (20 hits a page).
    first = next((m for m in _WORD.finditer(text) if matches(m.group())), None)
    start = 0
    if first is not None and first.end() > SNIPPET_CHARS:
        start = max(0, first.start() - SNIPPET_CHARS // 3)
        start = text.rfind(" ", 0, start) + 1
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    spans = []
    if first is not None:
        for m in _WORD.finditer(text, start):
            if m.end() > end:
                break
            if matches(m.group()):
                spans.append(m.span())
    out, at = [], start
    for begin, finish in spans:
        out += [text[at:begin], MARK_START, text[begin:finish], MARK_END]
        at = finish
    out.append(text[at:end])
    return ("… " if start else "") + "".join(out) + (" …" if end < len(text) else "")


def snippet_parts(marked: str) -> list[tuple[str, bool]]:
    """A marked snippet as (text, is_match) pieces, for a template to escape and wrap."""
    parts: list[tuple[str, bool]] = []
    for piece in marked.split(MARK_START):
        inside, _, after = piece.partition(MARK_END) if MARK_END in piece else ("", "", piece)
        if inside:
            parts.append((inside, True))
        if after:
            parts.append((after, False))
    return parts
