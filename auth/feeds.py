"""Personal calendar feeds: a secret token in the feed's address is the only key to it.

Calendar apps cannot sign in, so whoever holds the address reads the feed, as its user and as far
as that user may see things at the moment of reading. The token is shown once, when the feed is
made; the database keeps only its SHA-256 (like a session token), so a copy of the database opens
no feed. A user has at most one active feed: a new one revokes the old, and revoking is final.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from auth.models import CalendarFeed, User
from auth.sessions import token_hash
from core.acting import service
from core.dates import now
from core.extensions import db

#: The endpoint that serves a feed (it lives in ``meetings``, which knows what goes in it).
FEED_ENDPOINT = "meetings.calendar_feed"


@dataclass(frozen=True)
class IssuedFeed:
    """A feed just made, with its token: the one moment the token exists outside the user's app."""

    feed: CalendarFeed
    token: str


def _active(user: User) -> list[CalendarFeed]:
    return list(
        db.session.scalars(
            select(CalendarFeed).where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
        )
    )


@service
def create_feed(actor: User) -> IssuedFeed:
    """Make a calendar feed for oneself; any feed one had before stops working."""
    for feed in _active(actor):
        feed.revoked_at = now()
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=actor.id, token_hash=token_hash(token))
    db.session.add(feed)
    return IssuedFeed(feed=feed, token=token)


@service
def revoke_feeds(actor: User) -> int:
    """Stop one's calendar feed: its address answers like a page that does not exist."""
    return end_feeds(actor)


def end_feeds(user: User) -> int:
    """Stop every feed of ``user`` (inside the service that says why: the user's own, or a leaver's)."""
    feeds = _active(user)
    for feed in feeds:
        feed.revoked_at = now()
    return len(feeds)


def active_feed(user: User) -> CalendarFeed | None:
    """The user's feed that still works, if any."""
    return db.session.scalars(
        select(CalendarFeed)
        .where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
        .order_by(CalendarFeed.created_at.desc(), CalendarFeed.id.desc())
    ).first()


def feed_user(token: str) -> User | None:
    """The active user whose live feed has this token, or None (unknown, revoked, account off).

    Only reads: fetching a feed changes nothing, not even a "last used" time.
    """
    if not token or len(token) > 200:
        return None
    return db.session.scalars(
        select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(
            CalendarFeed.token_hash == token_hash(token),
            CalendarFeed.revoked_at.is_(None),
            User.active.is_(True),
        )
    ).one_or_none()
