"""Single-use links sent by e-mail (an invitation, a password reset): their tokens and their hashes.

The scheduler writes an e-mail when it sends it, in the recipient's language and only if it still
applies, so the token must still be at hand then; yet the database may keep no token, only its
hash (as for sessions and calendar feeds). So a token is derived: an HMAC, under the server's
``SECRET_KEY``, of a random nonce that the database does keep. Whoever has only the database (a
backup, a copy for testing) opens no link; whoever has the key and the database could, and could
sign any session cookie anyway. A changed key makes every open link useless: its hash no longer
matches what the scheduler would write, so the e-mail lapses and the link must be sent again.

The token reaches nothing but the e-mail itself: the outbox keeps the message without its link,
the audit trail never holds it (the page that uses it posts to an address without it), and the
access log leaves it out (``core.serving``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app

from auth.sessions import token_hash


@dataclass(frozen=True)
class Issued:
    """What a new link stores: the nonce and the hash of the token it derives."""

    nonce: str
    token_hash: str


def token_for(purpose: str, nonce: str) -> str:
    """The token of a link: URL-safe, 43 characters, 256 bits."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"regiotafel:{purpose}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(purpose: str) -> Issued:
    """A fresh nonce and its token's hash; the token itself is derived again when the e-mail is written."""
    nonce = secrets.token_urlsafe(32)
    return Issued(nonce=nonce, token_hash=token_hash(token_for(purpose, nonce)))


def still_derives(purpose: str, nonce: str, stored_hash: str) -> bool:
    """Whether the server's key still gives the token whose hash was stored (it changes with the key)."""
    return hmac.compare_digest(token_hash(token_for(purpose, nonce)), stored_hash)


def plausible(token: str | None) -> bool:
    """A token as the link carries it; anything else is not looked up at all."""
    return bool(token) and len(token or "") <= 100
