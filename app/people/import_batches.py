"""Large CSV imports in batches, with progress (app/people/importing.py checks the file first).

A file with more than SMALL_IMPORT new people is not imported in one transaction, which would
hold the database's write lock for seconds: the confirmation stores the checked file, and each
batch is its own short transaction. The admin's browser asks for the next batch as soon as one
is done (htmx), showing the progress; without JavaScript, the jobs runner imports the batches
in the background and the page shows how far it got. Both may run at once: a batch locks the
import's row first, so no line is imported twice.

Every line was checked before the import started; the checks run again per line (someone may
have got an account meanwhile: skipped), and a line refused then is listed, not fatal.

A person erased while their import is still running (app/people/erasure.py) must not come back
with a later batch: the erasure blanks their line in the stored file (`forget_in_running_imports`),
which keeps the other lines' numbers, and a batch skips a blanked line, recording
`user.import.skip_erased` with the line number only.
"""

import csv
import io

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.core.db import lock_row, utcnow
from app.core.domain_events import PersonInvited, publish
from app.core.errors import DomainError, NotFound
from app.people.importing import ImportLine, check_line, csv_rows, person_from_line
from app.people.models import PeopleImport, User
from app.people.sealing import seal
from app.people.service import create_invitation, record_audit

SMALL_IMPORT = 200  # new people: up to this many import at once, as before
BATCH = 100  # lines of the file per transaction
# What an erased person's line holds instead of their email: no address, so never an account.
ERASED_LINE = "(erased)"


def start_import(session: Session, *, text: str, new_people: int, admin: User) -> PeopleImport:
    """Store a checked file for importing in batches."""
    rows, _problems = csv_rows(text.lstrip("\ufeff"))
    job = PeopleImport(created_by_id=admin.id, text=text, total=len(rows))
    session.add(job)
    session.flush()
    record_audit(
        session,
        actor=admin,
        action="user.import",
        target_type="people_import",
        target_id=job.id,
        detail=f"{new_people} new of {len(rows)} lines, in batches",
    )
    return job


def import_of(session: Session, import_id: int) -> PeopleImport:
    job = session.get(PeopleImport, import_id)
    if job is None:
        raise NotFound("Import not found")
    return job


def import_next_batch(session: Session, *, import_id: int) -> PeopleImport:
    """Import the next BATCH lines of the file (nothing once it has finished)."""
    job = import_of(session, import_id)
    lock_row(session, job, touch="done")
    session.refresh(job)
    if job.finished_at is not None:
        return job
    admin = session.get(User, job.created_by_id) if job.created_by_id else None
    rows, _problems = csv_rows(job.text.lstrip("\ufeff"))
    batch = rows[job.done : job.done + BATCH]
    lines = [
        ImportLine(line=n, email=row.get("email", ""), name=row.get("name", ""))
        for n, row in enumerate(batch, start=job.done + 2)
    ]
    for line, row in zip(lines, batch, strict=True):
        if row.get("email") == ERASED_LINE:
            continue
        check_line(line, row)
    emails = [line.email for line in lines if not line.errors]
    existing = set(session.exec(select(User.email).where(col(User.email).in_(emails))).all())
    invitations, failures = list(job.invitations), list(job.failures)
    for line, row in zip(lines, batch, strict=True):
        if row.get("email") == ERASED_LINE:
            record_audit(
                session,
                actor=None,
                action="user.import.skip_erased",
                target_type="people_import",
                target_id=job.id,
                detail=f"line {line.line}",
            )
            continue
        if line.errors or line.email in existing:
            if line.errors:
                failures.append([line.line, line.email, "; ".join(line.errors)])
            continue
        try:
            with session.begin_nested():
                user = person_from_line(session, line, row)
                token = create_invitation(session, user=user, invited_by=admin)
        except DomainError as exc:
            failures.append([line.line, line.email, exc.text()])
            continue
        existing.add(line.email)
        invitations.append([line.line, line.email, seal(token)])
        if admin is not None:
            # Emailed when mail is configured (app/mail/subscribers.py).
            publish(session, PersonInvited(person=user, invited_by=admin, token=token))
    job.invitations, job.failures = invitations, failures
    job.done = min(job.total, job.done + len(batch))
    if job.done >= job.total:
        job.finished_at = utcnow()
        job.text = ""  # the file's personal data is not needed any more
    session.add(job)
    session.flush()
    return job


def continue_people_imports(session: Session) -> int:
    """The jobs runner's share: one batch of the oldest unfinished import."""
    waiting = session.exec(
        select(PeopleImport.id)
        .where(col(PeopleImport.finished_at).is_(None))
        .order_by(col(PeopleImport.id))
        .limit(1)
    ).first()
    if waiting is None:
        return 0
    before = import_of(session, waiting).done
    return import_next_batch(session, import_id=waiting).done - before


def _same_email(value: str, email: str) -> bool:
    return value.strip().lower() == email.lower()


def forget_in_running_imports(session: Session, email: str) -> int:
    """Blank the person's line in every unfinished import's file (erasure); returns how many
    lines. Each import's row is locked first, so a batch running now finishes before (and its
    account is then erased) or starts after (and skips the line)."""
    blanked = 0
    running = select(PeopleImport).where(
        col(PeopleImport.finished_at).is_(None),
        func.lower(PeopleImport.text).contains(email.lower(), autoescape=True),
    )
    for job in session.exec(running).all():
        lock_row(session, job, touch="done")
        rows, _problems = csv_rows(job.text.lstrip("\ufeff"))
        hits = [row for row in rows if _same_email(row.get("email", ""), email)]
        if not hits:
            continue
        for row in hits:
            row.update(dict.fromkeys(row, ""), email=ERASED_LINE)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        job.text = out.getvalue()
        session.add(job)
        blanked += len(hits)
    session.flush()
    return blanked
