"""Email: each person's choices, a transactional outbox, its delivery over SMTP, and digests.

A notification that its recipient wants by email right away is queued in the outbox in the same
transaction that created it (subscribers.py); the jobs runner delivers the outbox (outbox.py) and
assembles the digests (digests.py). Nothing is queued while no SMTP server is configured.
"""
