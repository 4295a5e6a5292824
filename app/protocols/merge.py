"""Three-way merge of a form/API save, and the minimal edits that turn one text into another."""

from dataclasses import dataclass
from difflib import SequenceMatcher

import merge3

Edit = tuple[int, int, str]  # replace text[start:end] (code points) with the string

# Below this size a changed block is diffed character by character, so a live editor's cursor
# in the same line is moved around the change rather than across a replaced line.
CHAR_DIFF_LIMIT = 4000


@dataclass(frozen=True)
class MergeResult:
    text: str
    conflict: bool


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _ends_line(chunk: list[str]) -> list[str]:
    if chunk and not chunk[-1].endswith("\n"):
        return [*chunk[:-1], chunk[-1] + "\n"]
    return chunk


def three_way(base: str, mine: str, theirs: str) -> MergeResult:
    """Fold `mine` (edited from `base`) into `theirs` (what the document became meanwhile).

    Both sides adding lines at the same place is not a conflict in minutes: both are kept
    (theirs first). A conflict is a region that both sides changed differently.
    """
    if mine in (base, theirs):
        return MergeResult(theirs, False)
    if theirs == base:
        return MergeResult(mine, False)
    b, m, t = _lines(base), _lines(mine), _lines(theirs)
    out: list[str] = []
    conflict = False
    for region in merge3.Merge3(b, m, t).merge_regions():
        kind = region[0]
        if kind == "unchanged":
            out += b[region[1] : region[2]]
        elif kind in ("a", "same"):
            out += m[region[1] : region[2]]
        elif kind == "b":
            out += t[region[1] : region[2]]
        else:
            z0, z1, a0, a1, b0, b1 = region[1:7]  # type: ignore[misc]
            if z0 == z1:
                out += _ends_line(t[b0:b1]) + m[a0:a1]
            else:
                conflict = True
                break
    if conflict:
        return MergeResult(theirs, True)
    return MergeResult("".join(out), False)


def _offsets(lines: list[str]) -> list[int]:
    at, result = 0, [0]
    for line in lines:
        at += len(line)
        result.append(at)
    return result


def text_edits(old: str, new: str) -> list[Edit]:
    """Small edits turning `old` into `new` (line diff, refined to characters where cheap)."""
    if old == new:
        return []
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    a, b = old[prefix : len(old) - suffix], new[prefix : len(new) - suffix]
    if not a or not b or len(a) + len(b) <= CHAR_DIFF_LIMIT:
        return _char_edits(a, b, prefix)
    a_lines, b_lines = _lines(a), _lines(b)
    a_at, b_at = _offsets(a_lines), _offsets(b_lines)
    edits: list[Edit] = []
    matcher = SequenceMatcher(None, a_lines, b_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old_chunk, new_chunk = a[a_at[i1] : a_at[i2]], b[b_at[j1] : b_at[j2]]
        if tag == "replace" and len(old_chunk) + len(new_chunk) <= CHAR_DIFF_LIMIT:
            edits += _char_edits(old_chunk, new_chunk, prefix + a_at[i1])
        else:
            edits.append((prefix + a_at[i1], prefix + a_at[i2], new_chunk))
    return edits


def _char_edits(a: str, b: str, offset: int) -> list[Edit]:
    if not a or not b:
        return [(offset, offset + len(a), b)]
    edits: list[Edit] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            edits.append((offset + i1, offset + i2, b[j1:j2]))
    return edits


def apply_edits(text: str, edits: list[Edit]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text
