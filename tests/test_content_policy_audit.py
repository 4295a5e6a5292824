"""No module outside app/access writes a visibility rule of its own.

A rule is a comparison (or an is_/in_ test) that reads a space's visibility, the membership
table or a membership's state or role, or whether content is hidden. Such a test decides who
sees what, so it belongs in the content policy (app/access), where one change reaches every
path. The places below do something else with the same columns (write memberships, count
people for analytics, let a moderator act); each says why. A new place fails this test: use
app/access, or, if it truly decides nothing about reading, add it here with its reason.
"""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Names whose attributes, compared, make a rule: the enums, and the membership table itself.
RULE_NAMES = {"Visibility", "MemberState", "MemberRole", "Membership"}
RULE_COLUMNS = {"visibility", "hidden_at"}

SPACES_SERVICE = "manages spaces and memberships (writes them), reading content is not decided"
HEALTH = "counts people and contributions for analytics; shows no content"
PROVIDER_GROUPS = "memberships the company's groups give (single sign-on): written, not read"
NEWCOMERS = "memberships a newcomer is given, and the open public spaces offered to them"
ALLOWED: dict[tuple[str, str], str] = {
    ("spaces/api.py", "create_space"): "the default join policy of a new secret space",
    ("spaces/service.py", "_validate"): SPACES_SERVICE,
    ("spaces/service.py", "update_space"): SPACES_SERVICE,
    ("spaces/service.py", "join_space"): SPACES_SERVICE,
    ("spaces/service.py", "leave_space"): SPACES_SERVICE,
    ("spaces/service.py", "add_member"): SPACES_SERVICE,
    ("spaces/service.py", "decide_request"): SPACES_SERVICE,
    ("spaces/service.py", "set_role"): SPACES_SERVICE,
    ("spaces/service.py", "remove_member"): SPACES_SERVICE,
    ("spaces/service.py", "members"): "a space's member list, for pages that checked access",
    ("spaces/service.py", "_member_count_statement"): "the audience line's member count",
    ("spaces/service.py", "member_count_column"): "the same count, as a column of a page's query",
    ("spaces/service.py", "_directory_query"): "member counts beside spaces already listable",
    ("spaces/service.py", "_my_spaces_statement"): "member counts of the viewer's own spaces",
    ("health/service.py", "eligible_space_ids"): HEALTH,
    ("health/service.py", "health_report"): HEALTH,
    ("health/service.py", "_newcomers"): HEALTH,
    ("health/sql.py", "lead_of"): HEALTH,
    ("moderation/service.py", "_after_flag"): "moderation hides content: it writes the state",
    ("moderation/service.py", "act_on_flag"): "moderation hides and restores content",
    ("moderation/review.py", "QueueItem.hidden"): "the review queue shows moderators the state",
    ("showcase/service.py", "_showable"): "a moderator's choice, refused with its own reasons",
    ("onboarding/service.py", "_checklist_statement"): "counts the viewer's own memberships",
    ("onboarding/service.py", "my_spaces_by_visibility"): "the viewer's own spaces",
    ("my_data/service.py", "data_summary"): "counts the person's own rows",
    ("my_data/service.py", "export_my_data"): "reports the state of the person's own rows",
    ("web/views.py", "CommentView.of"): "a stored fragment's key covers the hidden flag it shows",
    ("recognition/panels.py", "_space_statement"): "a readable space's leaders (page checked)",
    ("spaces/provider_groups.py", "sync_provider_groups"): PROVIDER_GROUPS,
    ("spaces/provider_groups.py", "_ensure_member"): PROVIDER_GROUPS,
    ("spaces/newcomers.py", "welcome_newcomer"): NEWCOMERS,
    ("spaces/newcomers.py", "_member_counts"): NEWCOMERS,
    ("spaces/newcomers.py", "spaces_everyone_may_join"): NEWCOMERS,
    ("spaces/newcomers.py", "set_everyone_joins"): NEWCOMERS,
    ("spaces/newcomers.py", "suggested_spaces"): NEWCOMERS,
}


def _reads_a_rule(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute):
            if sub.attr in RULE_COLUMNS:
                return True
            if isinstance(sub.value, ast.Name) and sub.value.id in RULE_NAMES:
                return True
    return False


def _is_test(node: ast.AST) -> ast.AST | None:
    """The part of a node that tests something: a comparison, or what .is_()/.in_() test."""
    if isinstance(node, ast.Compare):
        return node
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("is_", "is_not", "in_", "not_in")
    ):
        return node
    return None


def rules_in(source: str) -> list[tuple[str, int]]:
    """(enclosing function, line) of every rule-like test in a module's source."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, scope: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                visit(child, [*scope, child.name])
                continue
            test = _is_test(child)
            if test is not None and _reads_a_rule(test):
                found.append((".".join(scope) or "<module>", child.lineno))
                continue
            visit(child, scope)

    visit(ast.parse(source), [])
    return found


def _modules() -> list[Path]:
    return [
        path
        for path in sorted(APP.rglob("*.py"))
        if path.relative_to(APP).parts[0] != "access" and path.name != "models.py"
    ]


def test_no_module_outside_the_policy_builds_a_visibility_rule():
    offenders = []
    used = set()
    for path in _modules():
        name = path.relative_to(APP).as_posix()
        for scope, line in rules_in(path.read_text()):
            if (name, scope) in ALLOWED:
                used.add((name, scope))
            else:
                offenders.append(f"app/{name}:{line} in {scope}")
    assert not offenders, "visibility rules outside app/access:\n" + "\n".join(offenders)
    # An exception that no longer matches anything goes, so the list only shrinks.
    assert set(ALLOWED) <= used, sorted(set(ALLOWED) - used)


def test_the_scan_catches_a_new_offender():
    invented = """
def recent_posts(session, user):
    return select(Post).where(col(Post.hidden_at).is_(None))

def closed_space(space):
    return space.visibility != Visibility.public

def my_spaces():
    return select(Membership.space_id).where(Membership.state == MemberState.active)

def known_spaces(user):
    return select(Membership.space_id).where(Membership.user_id == user.id)
"""
    assert [scope for scope, _line in rules_in(invented)] == [
        "recent_posts",
        "closed_space",
        "my_spaces",
        "known_spaces",
    ]


def test_the_policy_itself_is_scanned_from_the_right_place():
    # The scan would pass vacuously if it looked at an empty tree.
    assert len(_modules()) > 50
    assert any(rules_in((APP / "access" / "spaces.py").read_text()))
