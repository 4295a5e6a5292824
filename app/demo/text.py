"""Varied German and English text for bulk demo data, with a Zipf-like word frequency.

Search benchmarks need text like a real community's: a few very common words, a long tail of
rare ones, inflected forms (so stemming matters) and two languages. The vocabulary is a few
hundred everyday words per language, their inflections, and German compounds made from pairs of
nouns (several thousand words in all); word ranks are drawn with weights 1/rank. Texts are drawn
once into pools and reused, so a million comments cost no more to make than before.
"""

import itertools
import random
from dataclasses import dataclass


def _words(text: str) -> list[str]:
    return text.split()


GERMAN_COMMON = _words(
    "der die das und ist nicht wir ich ein eine zu im mit auf für es von den sich auch "
    "wie noch nach bei aus heute morgen bitte danke gut neue schon mal dann kann sollten"
)
GERMAN_NOUNS = _words(
    "Projekt Plan Team Kunde Termin Besprechung Protokoll Bericht Angebot Vertrag Budget "
    "Ziel Frage Antwort Idee Woche Monat Quartal Jahr Zahl Umsatz Markt Produkt Prozess "
    "Schulung Kollege Kollegin Abteilung Leitung Entwicklung Vertrieb Einkauf Lager Kantine "
    "Kaffee Mittag Feier Ausflug Sommer Winter Urlaub Reise Büro Raum Tisch Rechner Daten "
    "Netz Server Sicherheit Datenschutz Richtlinie Lösung Fehler Test Freigabe Änderung "
    "Entscheidung Aufgabe Frist Zeitplan Meilenstein Strategie Workshop Vortrag Beispiel "
    "Erfahrung Rückmeldung Umfrage Ergebnis Auswertung Übersicht Vorlage Dokument Wissen"
)
GERMAN_VERBS = _words(
    "planen besprechen prüfen teilen lernen helfen zeigen fragen schreiben lesen liefern "
    "starten beenden verschieben vorstellen abstimmen einladen zusagen absagen verbessern"
)
ENGLISH_COMMON = _words(
    "the and to of a in is it for we on that this with be are you have our will can at "
    "not from by just please thanks great next new good all team"
)
ENGLISH_NOUNS = _words(
    "meeting project plan customer deadline report offer contract budget goal question "
    "answer idea week month quarter year number revenue market product process training "
    "colleague department lead sales office room desk laptop data network server security "
    "privacy policy solution bug test release change decision task schedule milestone "
    "strategy workshop talk example experience feedback survey result summary template "
    "document knowledge lunch coffee party trip summer holiday travel kitchen launch demo"
)
ENGLISH_VERBS = _words(
    "plan discuss review share learn help show ask write read ship start finish move "
    "present agree invite join improve fix update schedule test deploy"
)
# A few words that occur only now and then: searches for them must still be fast and exact.
RARE = _words(
    "Zeppelin quokka Feuerzangenbowle serendipity Kreislaufwirtschaft hackathon "
    "Streuselkuchen petrichor Fernweh axolotl"
)


def _german_words() -> list[str]:
    nouns = GERMAN_NOUNS
    plurals = [n + ("en" if n.endswith(("ung", "ion", "heit")) else "e") for n in nouns]
    compounds = [a + b.lower() for a, b in itertools.product(nouns[:60], nouns[:60]) if a != b]
    verbs = GERMAN_VERBS + [v[:-2] + "t" for v in GERMAN_VERBS]
    return GERMAN_COMMON + verbs + nouns + plurals + compounds


def _english_words() -> list[str]:
    nouns = ENGLISH_NOUNS
    verbs = ENGLISH_VERBS
    forms = [v + "ing" for v in verbs] + [v + ("d" if v.endswith("e") else "ed") for v in verbs]
    return ENGLISH_COMMON + verbs + forms + nouns + [n + "s" for n in nouns]


@dataclass(frozen=True)
class Vocabulary:
    words: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def zipf(cls, words: list[str], rng: random.Random, exponent: float = 1.07) -> "Vocabulary":
        # The lists start with their most common words; the long tail is shuffled.
        head, tail = words[:40], words[40:]
        rng.shuffle(tail)
        ranked = tuple(dict.fromkeys(head + tail))
        weights = [1 / (rank + 1) ** exponent for rank in range(len(ranked))]
        return cls(ranked, tuple(itertools.accumulate(weights)))

    def sentence(self, rng: random.Random, n: int) -> str:
        words = rng.choices(self.words, cum_weights=self.cumulative, k=n)
        if rng.random() < 0.01:
            words[rng.randrange(n)] = rng.choice(RARE)
        text = " ".join(words)
        return text[:1].upper() + text[1:] + "."


@dataclass(frozen=True)
class TextPools:
    """Titles, bodies and comments drawn once; `pick(kind, i)` cycles through them."""

    titles: tuple[str, ...]
    bodies: tuple[str, ...]
    comments: tuple[str, ...]


def make_pools(seed: int = 7, size: int = 4000) -> TextPools:
    rng = random.Random(seed)
    german = Vocabulary.zipf(_german_words(), rng)
    english = Vocabulary.zipf(_english_words(), rng)

    def text(sentences: tuple[int, int], words: tuple[int, int]) -> str:
        vocabulary = german if rng.random() < 0.5 else english
        count = rng.randint(*sentences)
        return " ".join(vocabulary.sentence(rng, rng.randint(*words)) for _ in range(count))

    titles = tuple(text((1, 1), (3, 7)).rstrip(".") for _ in range(size))
    bodies = tuple(text((2, 6), (6, 16)) for _ in range(size))
    comments = tuple(text((1, 2), (4, 14)) for _ in range(size * 2))
    return TextPools(titles, bodies, comments)


def vocabulary_size() -> int:
    return len(set(_german_words()) | set(_english_words()))
