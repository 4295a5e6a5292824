"""Starter prompts per kind of space, in English and German.

A good prompt is easy to answer in two minutes, invites personal experience rather than opinions
about others, and says what a good answer looks like (the answer format).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class LibraryPrompt:
    key: str
    space_type: str
    question: dict[str, str]
    context: dict[str, str]
    answer_format: dict[str, str]

    def text(self, locale: str) -> tuple[str, str, str]:
        lang = locale if locale in self.question else "en"
        return self.question[lang], self.context[lang], self.answer_format[lang]


SPACE_TYPES = ("team", "topic", "interest", "newcomers")


def _p(key: str, space_type: str, en: tuple[str, str, str], de: tuple[str, str, str]):
    return LibraryPrompt(
        key=key,
        space_type=space_type,
        question={"en": en[0], "de": de[0]},
        context={"en": en[1], "de": de[1]},
        answer_format={"en": en[2], "de": de[2]},
    )


LIBRARY: tuple[LibraryPrompt, ...] = (
    _p(
        "team-time-saver",
        "team",
        (
            "Share one tool or trick that saved you time this week",
            "Small things count: a shortcut, a template, a checklist, a habit you dropped.",
            "One tool or trick, and one sentence on what it saved you",
        ),
        (
            "Welches Werkzeug oder welcher Kniff hat dir diese Woche Zeit gespart?",
            "Kleinigkeiten zählen: ein Tastenkürzel, eine Vorlage, eine Checkliste.",
            "Ein Werkzeug oder Kniff und ein Satz dazu, was es dir gespart hat",
        ),
    ),
    _p(
        "team-win",
        "team",
        (
            "What went well this week that nobody noticed?",
            "Quiet wins keep a team going. Name one, yours or someone else's.",
            "One or two sentences; thank someone by @name if you like",
        ),
        (
            "Was lief diese Woche gut, ohne dass es jemand bemerkt hat?",
            "Leise Erfolge tragen ein Team. Nenne einen, deinen oder den von jemand anderem.",
            "Ein, zwei Sätze; gern mit einem Dank an @jemanden",
        ),
    ),
    _p(
        "team-stuck",
        "team",
        (
            "Where are you stuck right now?",
            "Asking early is a strength. Someone here has probably solved it before.",
            "What you are trying to do, and what you tried so far",
        ),
        (
            "Wo hängst du gerade fest?",
            "Früh zu fragen ist eine Stärke. Vermutlich hat hier jemand das schon gelöst.",
            "Was du vorhast und was du schon versucht hast",
        ),
    ),
    _p(
        "team-meeting",
        "team",
        (
            "Which meeting could have been a post?",
            "No blame, just ideas: what could we settle in writing instead?",
            "The kind of meeting, and how it could work in writing",
        ),
        (
            "Welches Meeting hätte ein Beitrag sein können?",
            "Ohne Schuldzuweisung: Was könnten wir schriftlich klären?",
            "Die Art Meeting und wie es schriftlich ginge",
        ),
    ),
    _p(
        "topic-learned",
        "topic",
        (
            "What is one thing you learned about this topic recently?",
            "An article, a talk, a mistake, a conversation: share what stuck.",
            "The insight in one sentence, plus a link if there is one",
        ),
        (
            "Was hast du zu diesem Thema kürzlich gelernt?",
            "Ein Artikel, ein Vortrag, ein Fehler, ein Gespräch: Was ist hängen geblieben?",
            "Die Erkenntnis in einem Satz, gern mit Link",
        ),
    ),
    _p(
        "topic-question",
        "topic",
        (
            "What question about this topic would you like answered?",
            "Collect the open questions; the experts among us will pick them up.",
            "One question per answer, as specific as you can",
        ),
        (
            "Welche Frage zu diesem Thema möchtest du beantwortet haben?",
            "Wir sammeln offene Fragen; die Fachleute unter uns greifen sie auf.",
            "Eine Frage pro Antwort, so konkret wie möglich",
        ),
    ),
    _p(
        "topic-example",
        "topic",
        (
            "Show us a good example you have seen, inside or outside the company",
            "Good examples travel. What did someone do well, and why did it work?",
            "What it is, where you saw it, and why it works",
        ),
        (
            "Zeig uns ein gutes Beispiel, das du gesehen hast, im Haus oder außerhalb",
            "Gute Beispiele machen Schule. Was hat jemand gut gemacht, und warum hat es geklappt?",
            "Was es ist, wo du es gesehen hast und warum es funktioniert",
        ),
    ),
    _p(
        "topic-myth",
        "topic",
        (
            "Which common belief about this topic is wrong?",
            "Every field has its myths. Which one would you like to retire?",
            "The belief, and what you have seen instead",
        ),
        (
            "Welche verbreitete Annahme zu diesem Thema stimmt nicht?",
            "Jedes Fach hat seine Mythen. Welchen würdest du gern abschaffen?",
            "Die Annahme und was du stattdessen erlebt hast",
        ),
    ),
    _p(
        "interest-photo",
        "interest",
        (
            "Share a photo or a story from your last time doing this",
            "No need to be an expert: beginners' stories are often the best.",
            "A photo or a few lines; where and when",
        ),
        (
            "Teile ein Foto oder eine Geschichte von deinem letzten Mal",
            "Niemand muss Profi sein: Anfängergeschichten sind oft die besten.",
            "Ein Foto oder ein paar Zeilen; wo und wann",
        ),
    ),
    _p(
        "interest-recommend",
        "interest",
        (
            "What would you recommend to someone just starting out?",
            "A book, a place, a piece of gear, a mistake to avoid.",
            "One recommendation and why",
        ),
        (
            "Was würdest du jemandem empfehlen, der gerade anfängt?",
            "Ein Buch, ein Ort, eine Ausrüstung, ein Fehler, den man vermeiden sollte.",
            "Eine Empfehlung und warum",
        ),
    ),
    _p(
        "interest-meetup",
        "interest",
        (
            "Who is up for meeting in person? Suggest a time and place",
            "Interest groups thrive when people meet. Small and informal is fine.",
            "A date, a place, and what we would do",
        ),
        (
            "Wer hat Lust, sich zu treffen? Schlag Zeit und Ort vor",
            "Interessengruppen leben davon, dass man sich trifft. Klein und locker reicht.",
            "Ein Datum, ein Ort und was wir machen",
        ),
    ),
    _p(
        "interest-first",
        "interest",
        (
            "How did you get into this?",
            "Everyone started somewhere. Tell us how it began for you.",
            "A few sentences about your start",
        ),
        (
            "Wie bist du dazu gekommen?",
            "Alle haben mal angefangen. Erzähl, wie es bei dir losging.",
            "Ein paar Sätze über deinen Anfang",
        ),
    ),
    _p(
        "newcomers-welcome",
        "newcomers",
        (
            "Welcome! Tell us who you are and what you work on",
            "Say hello: your team, what you do, and one thing you enjoy outside work.",
            "Name, team, what you do, one thing you enjoy",
        ),
        (
            "Willkommen! Erzähl uns, wer du bist und woran du arbeitest",
            "Sag Hallo: dein Team, deine Aufgaben und was dir außerhalb der Arbeit Freude macht.",
            "Name, Team, Aufgaben, eine Sache, die dir Freude macht",
        ),
    ),
    _p(
        "newcomers-wish",
        "newcomers",
        (
            "What do you wish you had known in your first week?",
            "Help the next newcomers: the tip you would have loved on day one.",
            "One tip, as concrete as possible",
        ),
        (
            "Was hättest du gern in deiner ersten Woche gewusst?",
            "Hilf den nächsten Neuen: der Tipp, den du am ersten Tag gebraucht hättest.",
            "Ein Tipp, so konkret wie möglich",
        ),
    ),
    _p(
        "newcomers-question",
        "newcomers",
        (
            "Ask anything: what still puzzles you here?",
            "There are no silly questions in this space. Someone will answer within a day.",
            "Your question; mention a team if you know who might know",
        ),
        (
            "Frag alles: Was ist dir hier noch ein Rätsel?",
            "In diesem Raum gibt es keine dummen Fragen. Innerhalb eines Tages antwortet jemand.",
            "Deine Frage; nenne ein Team, falls du weißt, wer es wissen könnte",
        ),
    ),
    _p(
        "newcomers-surprise",
        "newcomers",
        (
            "What surprised you most so far?",
            "Good or odd, fresh eyes see what the rest of us stopped noticing.",
            "One surprise, in a sentence or two",
        ),
        (
            "Was hat dich bisher am meisten überrascht?",
            "Ob gut oder seltsam: Neue sehen, was uns anderen nicht mehr auffällt.",
            "Eine Überraschung, in ein, zwei Sätzen",
        ),
    ),
)

BY_KEY = {prompt.key: prompt for prompt in LIBRARY}

# Words in a space's name or description that hint at its kind (English and German).
_HINTS = {
    "newcomers": ("newcomer", "new joiner", "onboarding", "welcome", "neue", "willkommen", "start"),
    "interest": (
        "club", "interest", "hobby", "running", "book", "music", "cycling", "lauf", "freizeit",
        "garden", "coffee", "game", "sport", "photo",
    ),
    "team": ("team", "squad", "department", "abteilung", "crew", "office", "büro"),
}  # fmt: skip


def guess_space_type(name: str, description: str = "") -> str:
    """A first guess at the kind of space from its name and description; topic when unsure."""
    text = f"{name} {description}".lower()
    for space_type in ("newcomers", "interest", "team"):
        if any(word in text for word in _HINTS[space_type]):
            return space_type
    return "topic"


def prompts_for(space_type: str) -> list[LibraryPrompt]:
    return [prompt for prompt in LIBRARY if prompt.space_type == space_type]
