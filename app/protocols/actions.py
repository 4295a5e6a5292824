"""Action items (`- [ ] @anna Prepare the budget (due 2026-12-15)`) and decisions, parsed from text.

The text stays the source of truth: items are re-parsed whenever the document text is saved,
and ticking an item anywhere edits the line in the document.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.core.db import utcnow
from app.core.domain_events import ActionItemAssigned, publish
from app.people.models import User
from app.posts.markdown import HANDLE_RE
from app.protocols.access import reader_ids
from app.protocols.item_text import DUE_RE
from app.protocols.models import ActionItem, Protocol

# Markers typed on top of the ones an editor's list continuation put there ("- - [ ] …",
# "- [ ] - [ ] …", "- ## Action items") still mean what the person meant: the innermost
# marker counts, and a heading stays a heading.
# (Whitespace only at the line start and after a marker: nothing can match two ways, so no
# backtracking blow-up on long lines of markers and spaces.)
_MARKERS = r"(?:(?:[-*+]|\d+[.)])[ \t]+(?:\[[ xX]\](?:[ \t]+|$))?)"
TASK_RE = re.compile(
    rf"^([ \t]*{_MARKERS}*[-*+][ \t]+\[)([ xX])(\][ \t]+)(?!#{{1,6}}\s)(\S.*?)\s*$"
)
HEADING_RE = re.compile(rf"^[ \t]*{_MARKERS}*(#{{1,6}})\s+(.*?)\s*#*\s*$")
DECISION_HEADINGS = {"decisions", "decision", "beschlüsse", "entscheidungen"}
LIST_MARK_RE = re.compile(rf"^[ \t]*{_MARKERS}+")


@dataclass(frozen=True)
class ParsedItem:
    key: str
    text: str
    done: bool
    handle: str | None
    due: date | None
    line: int
    box_offset: int  # code-point offset of the checkbox character in the whole text


def _key(text: str, seen: dict[str, int]) -> str:
    norm = " ".join(text.lower().split())
    n = seen.get(norm, 0)
    seen[norm] = n + 1
    return hashlib.sha256(f"{norm}\x00{n}".encode()).hexdigest()[:40]


def parse_action_items(text: str) -> list[ParsedItem]:
    items: list[ParsedItem] = []
    seen: dict[str, int] = {}
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True)):
        match = TASK_RE.match(line.rstrip("\r\n"))
        if match:
            body = match.group(4)
            mention = next(
                (
                    m
                    for m in HANDLE_RE.finditer(body)
                    if m.start() == 0 or body[m.start() - 1] in " ("
                ),
                None,
            )
            due_match = DUE_RE.search(body)
            due = None
            if due_match:
                try:
                    due = date.fromisoformat(due_match.group(1))
                except ValueError:
                    due = None
            items.append(
                ParsedItem(
                    key=_key(body, seen),
                    text=body[:1000],
                    done=match.group(2) != " ",
                    handle=mention.group(1).lower() if mention else None,
                    due=due,
                    line=number,
                    box_offset=offset + len(match.group(1)),
                )
            )
        offset += len(line)
    return items


def parse_decisions(text: str) -> list[str]:
    """Lines under a "Decisions" heading, up to the next heading of the same or a higher level."""
    decisions: list[str] = []
    level = 0
    for line in text.splitlines():
        heading = HEADING_RE.match(line)
        if heading:
            depth = len(heading.group(1))
            if level and depth <= level:
                level = 0
            if heading.group(2).strip().rstrip(":").lower() in DECISION_HEADINGS:
                level = depth
            continue
        if level and line.strip() and not TASK_RE.match(line):
            decisions.append(LIST_MARK_RE.sub("", line).strip())
    return [d for d in decisions if d]


def sync_action_items(
    session: Session, *, protocol: Protocol, text: str, actor_id: int | None
) -> None:
    """Bring the item rows in line with the text; tell new assignees (if they can read it)."""
    parsed = parse_action_items(text)
    handles = {p.handle for p in parsed if p.handle}
    people = (
        {u.handle: u for u in session.exec(select(User).where(col(User.handle).in_(handles)))}
        if handles
        else {}
    )
    rows = {
        row.key: row
        for row in session.exec(select(ActionItem).where(ActionItem.protocol_id == protocol.id))
    }
    assignees = {people[p.handle].id for p in parsed if p.handle in people}
    readers = reader_ids(session, protocol.id, assignees) if assignees else set()  # type: ignore[arg-type]
    now = utcnow()
    for position, item in enumerate(parsed):
        assignee = people.get(item.handle) if item.handle else None
        row = rows.pop(item.key, None)
        if row is None:
            row = ActionItem(protocol_id=protocol.id, key=item.key, text=item.text)  # type: ignore[arg-type]
        changed = (row.text, row.done, row.due, row.position, row.present) != (
            item.text,
            item.done,
            item.due,
            position,
            True,
        ) or row.assignee_id != (assignee.id if assignee else None)
        row.text, row.done, row.due, row.position, row.present = (
            item.text,
            item.done,
            item.due,
            position,
            True,
        )
        row.assignee_id = assignee.id if assignee else None
        if changed or row.id is None:
            row.updated_at = now
            session.add(row)
        if assignee is not None and assignee.id in readers and row.notified_id != assignee.id:
            row.notified_id = assignee.id
            session.add(row)
            assigned = ActionItemAssigned(
                protocol=protocol, assignee_id=int(assignee.id or 0), text=item.text, by_id=actor_id
            )
            publish(session, assigned)  # the assignee hears of it (app/notifications)
    for row in rows.values():
        if row.present:
            row.present = False
            row.updated_at = now
            session.add(row)
    session.flush()


def checkbox_edit(text: str, key: str, done: bool) -> list[tuple[int, int, str]]:
    """The one-character edit that ticks (or unticks) the item with this key."""
    for item in parse_action_items(text):
        if item.key == key:
            if item.done == done:
                return []
            return [(item.box_offset, item.box_offset + 1, "x" if done else " ")]
    return []


def decision_edit(text: str, decision: str, *, heading: str) -> list[tuple[int, int, str]]:
    """The edit that adds `- decision` as the last line under the first "Decisions" heading, or
    a new `## heading` section at the end when the text has none."""
    line = f"- {' '.join(decision.split())}\n"
    lines = text.splitlines(keepends=True)
    offset, level, end = 0, 0, None
    for raw in lines:
        found = HEADING_RE.match(raw.rstrip("\n"))
        if found:
            depth = len(found.group(1))
            if level and depth <= level:
                break
            if not level and found.group(2).strip().rstrip(":").lower() in DECISION_HEADINGS:
                level = depth
        offset += len(raw)
        if level and raw.strip():
            end = offset  # after the heading or the section's last non-empty line
    if end is not None:
        before = text[:end]
        return [(end, end, ("" if before.endswith("\n") else "\n") + line)]
    gap = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
    return [(len(text), len(text), f"{gap}## {heading}\n\n{line}")]
