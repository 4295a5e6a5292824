"""How an action item's line reads in lists: the assignee (`@handle`) and the due date
(`(due 2026-12-15)`) are shown beside the task, so the task text goes without them."""

import re

from app.posts.markdown import HANDLE_RE

# The word before the date follows the protocol's language: "(due …)", "(fällig …)", "(bis …)".
DUE_RE = re.compile(r"\((?:due|fällig|bis):?\s+(\d{4}-\d{2}-\d{2})\)", re.IGNORECASE)


def item_label(text: str) -> str:
    """The task without its (due …) note and without the @assignee that opens the line.

    A mention inside the sentence stays: there it is part of what the task says.
    """
    label = DUE_RE.sub(" ", text).strip()
    opening = HANDLE_RE.match(label)
    rest = label[opening.end() :] if opening else ""
    if opening and (not rest or rest[0] in " \t:,"):
        label = rest.lstrip(" \t:,")
    label = " ".join(label.split())
    return label or text
