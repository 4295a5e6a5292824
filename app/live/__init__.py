"""Live updates in the page: one server-sent-events stream per tab (notifications so far).

A notification's transaction sends a notice "person P has news" (hub.py): PostgreSQL's NOTIFY
inside the transaction, so every process hears it once it commits; on SQLite (one process) the
in-process hub after the commit. A stream wakes on a notice and reads what is new for its person
through the notifications' access filter, so a lost or doubled notice is harmless and nothing
reaches a person who may not read it. The notifications table is the replay log: a reconnect
with `Last-Event-ID` gets what it missed, within REPLAY_WINDOW.
"""
