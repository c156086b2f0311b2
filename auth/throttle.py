"""Sign-in throttling (ASVS 5.0 V6.3; OWASP's Authentication and Credential Stuffing Prevention
cheat sheets): slow guessing down without giving anyone a way to lock a user out.

Every try at a password or a second-factor code that is checked and fails is a row in
``login_attempts``. It holds the e-mail address as typed, so an unknown address is throttled exactly
like a real one. It also holds the client's address, an IPv6 address by its /64 network: one
subscriber holds the whole network, and devices change their address within it every day. Each step
(password, code) is judged on its own failures, under three limits:

* **the pair** (this account from this address): five failures in a row are free, then each one
  doubles the wait before the next try, up to 15 minutes. This slows a guesser working on one
  account from one place.
* **the account** (from all addresses): the same growing wait, and never more than 100 failures in
  any hour. This slows a guesser who spreads the work over many addresses.
* **the address** (against all accounts): never more than 100 failures in any hour. That is far more
  than a building full of people mistyping, so it only stops mass guessing and credential stuffing
  from one place. A shared NAT looks like one place, and so does every user behind a proxy without
  ``PROXY_FIX``.

"In a row" means since the last success that ends the streak, within a day. A success writes one row
when a session opens (after every step) and proves exactly two things: this account, and this
account from this address. It ends those two streaks and nothing else. Signing in to one's own
account says nothing about the other accounts tried from the same address, so an address's count is
never reset; failures only age out of it after an hour.

**Nobody is locked out of an address they signed in from before.** The account's and the address's
limits are the ones that other people can drive up: a guesser elsewhere, or strangers behind the same
NAT. So they do not apply to a *known* pair, one that opened a session in the last 90 days. A known
pair is judged by its own streak only. Only someone at the same address who types this account can
raise that streak, and the user's next sign-in there ends it. At worst the user waits up to 15 minutes,
and only while that someone keeps failing on this very account; the server cannot tell them apart from
the user anyway. No limit that anyone elsewhere can reach ever locks the user out there. A guesser
gains little from this: where the owner has signed in, the pair's own rate, which is what a guesser
gets from any single address anyway; from anywhere else, nothing.

**Reset links are rationed harder** (kind ``reset``, ``RESET_LIMITS``). A request for a password reset
link is not a guess but an e-mail to someone's inbox, and whoever asks need not own it. So every
request counts, whatever came of it (an address without an account too), and the limits are
tighter: three requests free per account and client address, then the growing wait up to an hour;
at most five an hour for one address typed, twenty an hour from one client address. The known pair
does not help here: a request is refused whenever any of the three waits runs (``Verdict.wait``), the
same for an address with an account and one without, so the answer tells nothing either way. Someone
who keeps asking for another person's address can delay that person's next link by an hour at most;
their password, and signing in, are untouched (a reset's count never slows a sign-in).

**Nothing tells whether an account exists, or where it signed in.** Only the pair's own wait refuses
a try before it is checked, and that wait is worked out the same way for every pair, whether known,
unknown or for an account that does not exist. Under the account's or the address's wait the
password is still checked, at the same cost for every pair, and a right password opens a session only
for a known pair. Everyone else gets the same answer for a right and a wrong password (the wait), and
both count as failures. So neither the answer, nor the time it takes, nor the next wait tells a known
pair from an unknown one, or a right password from a wrong one. The price is that under those waits
every try still costs a password check. Stopping a flood of requests is the reverse proxy's job.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_timedelta
from sqlalchemy import ColumnElement, select

from auth.models import LoginAttempt
from core.dates import now
from core.extensions import db

HOUR = timedelta(hours=1)
STREAK = timedelta(days=1)
#: How long a pair that opened a session counts as known.
KNOWN_FOR = timedelta(days=90)
FREE = 5
MAX_WAIT = timedelta(minutes=15)
ACCOUNT_PER_HOUR = 100
ADDRESS_PER_HOUR = 100
#: The kind of the one row a success writes (see ``sessions.sign_in``); it ends the streaks of both steps.
SIGNED_IN = "password"
#: The kind of a request for a password reset link (``auth.recovery``).
RESET = "reset"
IPV6_NETWORK = 64


@dataclass(frozen=True)
class Limits:
    """The three limits of one kind of try."""

    #: Tries in a row that are free, per pair and per account.
    free: int
    #: The longest wait the growing one reaches.
    max_wait: timedelta
    account_per_hour: int
    address_per_hour: int


SIGN_IN_LIMITS = Limits(FREE, MAX_WAIT, ACCOUNT_PER_HOUR, ADDRESS_PER_HOUR)
RESET_LIMITS = Limits(free=3, max_wait=HOUR, account_per_hour=5, address_per_hour=20)
_LIMITS = {RESET: RESET_LIMITS}
#: Enough of the latest failures to decide every limit: the hourly ceilings, and the streak that reaches
#: the longest wait (2**12 seconds is more than an hour).
LOOK_BACK = max(ACCOUNT_PER_HOUR, ADDRESS_PER_HOUR, FREE + 13)


def limits_of(kind: str) -> Limits:
    """The limits of a step of signing in ("password", "mfa") or of a reset request ("reset")."""
    return _LIMITS.get(kind, SIGN_IN_LIMITS)


@dataclass(frozen=True)
class Verdict:
    """What the throttle says about the next try of one account from one client address."""

    #: The pair's own wait. Every try waits it out, known or not; nothing is checked meanwhile.
    pair: timedelta
    #: The wait that the account's and the address's limits ask, except of a known pair.
    others: timedelta
    #: This account opened a session from this address within ``KNOWN_FOR``.
    known: bool

    @property
    def wait(self) -> timedelta:
        """The wait to tell the user. It is the same for a known pair as for an unknown one."""
        return max(self.pair, self.others)

    @property
    def admits(self) -> bool:
        """Whether a right password (or code) may open a session now."""
        return not self.pair and (self.known or not self.others)


def network(address: str) -> str:
    """The key of a client address: an IPv4 address itself, an IPv6 address its /64 network."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_NETWORK), strict=False))
    return str(parsed)


def verdict(email: str, address: str, kind: str = "password") -> Verdict:
    """Judge the next try of this account (as typed) from this client address, at this step."""
    moment = now()
    limits = limits_of(kind)
    address = network(address)
    pair_key = (LoginAttempt.email == email, LoginAttempt.address == address)
    pair_sign_in = _last_sign_in(*pair_key)
    account_sign_in = _last_sign_in(LoginAttempt.email == email)
    account_failures = _failures(kind, moment, LoginAttempt.email == email)
    address_failures = _failures(kind, moment, LoginAttempt.address == address)
    return Verdict(
        pair=_streak_wait(_failures(kind, moment, *pair_key), pair_sign_in, moment, limits),
        others=max(
            _streak_wait(account_failures, account_sign_in, moment, limits),
            _ceiling_wait(account_failures, limits.account_per_hour, moment),
            _ceiling_wait(address_failures, limits.address_per_hour, moment),
        ),
        known=pair_sign_in is not None and pair_sign_in > moment - KNOWN_FOR,
    )


def _last_sign_in(*where: ColumnElement[bool]) -> datetime | None:
    return db.session.scalar(
        select(LoginAttempt.at)
        .where(*where, LoginAttempt.succeeded.is_(True), LoginAttempt.kind == SIGNED_IN)
        .order_by(LoginAttempt.at.desc())
        .limit(1)
    )


def _failures(kind: str, moment: datetime, *where: ColumnElement[bool]) -> list[datetime]:
    """The latest failures of this step within a day, newest first."""
    return list(
        db.session.scalars(
            select(LoginAttempt.at)
            .where(
                *where, LoginAttempt.succeeded.is_(False), LoginAttempt.kind == kind, LoginAttempt.at > moment - STREAK
            )
            .order_by(LoginAttempt.at.desc())
            .limit(LOOK_BACK)
        )
    )


def _streak_wait(
    failures: Sequence[datetime], last_success: datetime | None, moment: datetime, limits: Limits = SIGN_IN_LIMITS
) -> timedelta:
    """The growing wait: free at first, then doubling with every failure since the last success."""
    streak = [at for at in failures if last_success is None or at > last_success]
    if len(streak) < limits.free:
        return timedelta(0)
    # The exponent is capped: a long streak must mean the longest wait, not an overflow.
    delay = min(timedelta(seconds=2 ** min(len(streak) - limits.free, 20)), limits.max_wait)
    return max(streak[0] + delay - moment, timedelta(0))


def _ceiling_wait(failures: Sequence[datetime], per_hour: int, moment: datetime) -> timedelta:
    """Until fewer than ``per_hour`` failures lie within the last hour; successes do not count."""
    if len(failures) < per_hour:
        return timedelta(0)
    return max(failures[per_hour - 1] + HOUR - moment, timedelta(0))


def describe(wait: timedelta) -> str:
    """The wait in words in the reader's language, rounded up: seconds below a minute and a half, else minutes."""
    seconds = math.ceil(wait.total_seconds())
    rounded = timedelta(seconds=seconds) if seconds < 90 else timedelta(minutes=math.ceil(seconds / 60))
    # Babel moves to the next unit at ``threshold`` of it: 89 seconds stay seconds, 60 minutes minutes.
    return format_timedelta(rounded, threshold=1.5)
