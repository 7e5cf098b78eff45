"""Claims for the case screen: take the lease on open, renew it while the reviewer is
active, let it lapse when they are away, give it back when they move on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual import events
from textual.screen import Screen

from triage import db, review
from triage.tui import fmt

if TYPE_CHECKING:
    from triage.tui.app import ReviewApp

RENEW_SECONDS = 5 * 60
AFTER_PAINT_SECONDS = 0.05


def _seconds_since(stamp: str) -> float:
    """Seconds from a `db.now()` stamp to now (the database clock, which tests can set)."""
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
    try:
        then = dt.datetime.strptime(stamp, fmt)
    except ValueError:
        return float("inf")
    return (dt.datetime.strptime(db.now(), fmt) - then).total_seconds()


class ClaimMixin(Screen[None]):
    """Mixed into the case screen, which provides `subject_id`, `has_case` and
    `claim_changed`."""

    subject_id: str
    holding = False  # we hold the claim on `subject_id`
    _active = True  # a key was pressed since the last lease renewal
    _claimed_at = ""  # db.now() of the last successful claim

    def claim_changed(self) -> None:
        """Show the new claim state (reloading the case when someone else holds it)."""
        raise NotImplementedError

    @property
    def has_case(self) -> bool:
        raise NotImplementedError

    @property
    def _app(self) -> ReviewApp:
        return cast("ReviewApp", self.app)

    def after_paint(self, work: Callable[[], object]) -> None:
        """Run `work` once the next frame is on screen. (`call_after_refresh` may run
        before a repaint that is still pending; a frame takes well under this delay.)"""
        self.set_timer(AFTER_PAINT_SECONDS, work)

    def start_claims(self) -> None:
        self.set_interval(RENEW_SECONDS, self._renew_claim)

    def on_key(self, event: events.Key) -> None:
        # Any key is activity. Back from a break (lease possibly lapsed), take it again.
        self._active = True
        stale = _seconds_since(self._claimed_at) > RENEW_SECONDS
        if self.has_case and (not self.holding or stale):
            self._take_claim()
            self.claim_changed()

    def _take_claim(self) -> None:
        try:
            self.holding = review.claim(self._app.conn, self.subject_id, self._app.reviewer)
        except fmt.SERVICE_ERRORS as exc:
            self.holding = False
            self.notify(fmt.problem(exc), severity="error")
        if self.holding:
            self._claimed_at = db.now()

    def _renew_claim(self) -> None:
        """Renew the lease only for a reviewer who is at the keyboard: an idle screen
        lets it lapse (15 minutes), so the case goes back to the pool."""
        active, self._active = self._active, False
        if self.holding and active:
            self._take_claim()
            self.claim_changed()

    def _release_later(self) -> None:
        """Give the previous case back once the next one is on screen (a write the
        reviewer need not wait for)."""
        if self.holding:
            subject_id, self.holding = self.subject_id, False
            self.after_paint(partial(self._release_subject, subject_id))

    def _release_subject(self, subject_id: str) -> None:
        try:
            review.release(self._app.conn, subject_id, self._app.reviewer)
        except fmt.SERVICE_ERRORS:
            pass  # the lease simply expires

    def _release(self) -> None:
        if self.holding:
            self.holding = False
            self._release_subject(self.subject_id)
