"""What the tests of accounts share: a real mail server (aiosmtpd, from ``tests.notify``) to which the
scheduler sends, and the links read out of the messages it received; browsers at an address of their
own, and a clock that moves a millisecond a try (for the sign-in throttle)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest

from auth.invitations import invite_user
from auth.models import Invitation, Role
from core.dates import now
from tests.conftest import find_body, in_app, user
from tests.notify.conftest import SmtpServer, smtp  # noqa: F401  (the fixture, for these tests too)

LINK = re.compile(r"https?://\S+/auth/(?:uitnodiging|wachtwoord-herstellen)/[A-Za-z0-9_-]+")


@pytest.fixture
def mailbox(app: Any, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[EmailMessage]]:  # noqa: F811
    """``mailbox()``: one round of the scheduler (plan, then send over SMTP), and the messages the mail
    server received in that round. The first call also empties what the demo had waiting."""
    for key, value in smtp.config().items():
        monkeypatch.setitem(app.config, key, value)

    def deliver() -> list[EmailMessage]:
        from notify import services

        before = len(smtp.inbox.accepted)
        with in_app(app):
            services.plan_due()
            services.dispatch("test:mailbox")
        return smtp.inbox.accepted[before:]

    return deliver


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def to(message: EmailMessage) -> str:
    return str(message["To"].addresses[0].addr_spec)


def link_in(message: EmailMessage) -> str:
    """The path of the one link an account message carries (the page to choose a password on)."""
    found = LINK.findall(text_of(message))
    assert len(found) == 1, text_of(message)
    return urlsplit(found[0]).path


def token_of(path: str) -> str:
    return path.rsplit("/", 1)[1]


def from_address(app: Any, address: str) -> Any:
    """A browser at this client address."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


@pytest.fixture
def tick(clock: Any) -> Callable[..., datetime]:
    """``tick()`` moves the clock a millisecond: every try has its own moment, and no wait runs out
    while a test runs, however slow the machine. ``tick(delta)`` moves it further."""
    moment = now()

    def move(by: timedelta = timedelta(milliseconds=1)) -> datetime:
        nonlocal moment
        moment += by
        clock(moment)
        return moment

    move()
    return move


def invited(email: str, name: str, role: Role | None = None) -> Invitation:
    """The beheerder invites a newcomer at the secretariat's organisation (EZK), with ``role`` in the
    BO-Brainport if one is given (inside an app context)."""
    return invite_user(
        user("beheer@regiotafel.test"),
        email=email,
        name=name,
        organisation_id=user("secretariaat@ezk.test").organisation_id,
        roles=[(find_body(), role)] if role else [],
    )
