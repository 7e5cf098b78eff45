"""The review app: a keyboard-driven Textual TUI over the service layer (triage/review.py).

It holds no SQL and no rules; every read and write goes through `triage.review`.
"""
