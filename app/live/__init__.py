"""Live updates in the page: one server-sent-events stream per tab.

A stream carries its person's notifications and, for the page it belongs to, "this changed"
events about what that page shows (a post's comments, a stream's new posts, an event's answers,
a poll's votes, a review queue's flags): `/live?follow=post:12`. A change sends a notice
naming topics (hub.py) once its transaction commits: PostgreSQL's NOTIFY inside the transaction,
so every process hears it; on SQLite a row in live_notices that every process holding streams
polls, plus the in-process hub at once. A woken stream re-reads what is new for its person and
checks each followed topic against the content policy (app/access/live.py), so a lost or doubled
notice is harmless and nothing reaches a person who may not read it. Topic events carry no
content: the page fetches its fragment through the ordinary, policy-checked route. The
notifications table is the replay log: a reconnect with `Last-Event-ID` gets what it missed,
within REPLAY_WINDOW.
"""
