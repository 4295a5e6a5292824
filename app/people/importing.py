"""Bulk import of people from CSV: every line checked first, then all of them or none.

Columns (a header row names them, in any order): email and name are required; title,
department, locale (de or en) and admin (yes/no) are optional. Each new person gets an
invitation link; with single sign-on they can simply sign in with their company account
(their verified email links the account)."""

import csv
import io
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.core.errors import DomainError, Invalid
from app.core.i18n import gettext
from app.people.models import User
from app.people.service import create_invitation, create_user, normalise_email

MAX_LINES = 10_000
REQUIRED = ("email", "name")
OPTIONAL = ("title", "department", "locale", "admin")
YES = {"yes", "y", "true", "1", "ja", "x"}
NO = {"", "no", "n", "false", "0", "nein"}


@dataclass
class ImportLine:
    line: int
    email: str
    name: str
    errors: list[str] = field(default_factory=list)
    exists: bool = False  # already has an account: skipped, not an error
    invitation: str = ""  # the raw invitation token of a person created


@dataclass
class ImportReport:
    lines: list[ImportLine]
    problems: list[str] = field(default_factory=list)  # about the file as a whole
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not any(line.errors for line in self.lines)

    @property
    def new(self) -> list[ImportLine]:
        return [line for line in self.lines if not line.errors and not line.exists]


def csv_rows(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """The data rows with their columns named by the header row, or what is wrong with the file."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        return [], [
            gettext(
                "The header row must name the columns email and name (missing: %(names)s)",
                names=", ".join(missing),
            )
        ]
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    for row in reader:
        if len(rows) >= MAX_LINES:
            return [], [gettext("At most %(count)s people per file", count=MAX_LINES)]
        rows.append({key: (value or "").strip() for key, value in row.items() if key})
    return rows, []


def check_people_csv(session: Session, text: str) -> ImportReport:
    """What importing the file would do, line by line; changes nothing."""
    text = text.lstrip("\ufeff")  # spreadsheet programs start UTF-8 files with a BOM
    rows, problems = csv_rows(text)
    if problems:
        return ImportReport(lines=[], problems=problems)
    lines = [
        ImportLine(line=n, email=row.get("email", ""), name=row.get("name", ""))
        for n, row in enumerate(rows, start=2)
    ]
    for line, row in zip(lines, rows, strict=True):
        check_line(line, row)
    _mark_duplicates_and_existing(session, lines)
    return ImportReport(lines=lines)


def check_line(line: ImportLine, row: dict[str, str]) -> None:
    """Record on the line what is wrong with it (email, name, locale, admin)."""
    try:
        line.email = normalise_email(line.email)
    except DomainError as exc:
        line.errors.append(exc.text())
    if not line.name:
        line.errors.append(gettext("The name is missing"))
    if row.get("locale", "") not in ("", "de", "en"):
        line.errors.append(gettext("The locale must be de or en"))
    if row.get("admin", "").lower() not in YES | NO:
        line.errors.append(gettext("The admin column must be yes or no"))


def _mark_duplicates_and_existing(session: Session, lines: list[ImportLine]) -> None:
    seen: dict[str, int] = {}
    for line in lines:
        if line.errors:
            continue
        if line.email in seen:
            line.errors.append(gettext("The same email as line %(line)s", line=seen[line.email]))
        seen.setdefault(line.email, line.line)
    emails = list(seen)
    existing: set[str] = set()
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        existing.update(session.exec(select(User.email).where(col(User.email).in_(chunk))).all())
    for line in lines:
        if not line.errors and line.email in existing:
            line.exists = True


def import_people_csv(session: Session, text: str, *, dry_run: bool = False) -> ImportReport:
    """Check the file; when every line is fine (and not a dry run), create the new people with
    an invitation each. A file with any bad line imports nobody."""
    report = check_people_csv(session, text)
    if dry_run or not report.ok:
        return report
    rows = {line.line: line for line in report.new}
    parsed, _problems = csv_rows(text.lstrip("\ufeff"))
    savepoint = session.begin_nested()
    for n, row in enumerate(parsed, start=2):
        line = rows.get(n)
        if line is None:
            continue
        try:
            user = person_from_line(session, line, row)
        except Invalid as exc:  # a name too long, a forbidden character, ...
            line.errors.append(exc.text())
            continue
        line.invitation = create_invitation(session, user=user, invited_by=None)
    if not report.ok:
        savepoint.rollback()
        return report
    savepoint.commit()
    report.applied = True
    return report


def person_from_line(session: Session, line: ImportLine, row: dict[str, str]) -> User:
    """Create the account a checked line describes (the service's own checks still apply)."""
    return create_user(
        session,
        email=line.email,
        display_name=line.name,
        title=row.get("title", ""),
        department=row.get("department", ""),
        locale=row.get("locale") or None,
        admin=row.get("admin", "").lower() in YES,
    )
