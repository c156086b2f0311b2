"""Password hashing (scrypt) and the password rule (ASVS 6.2): long enough, not common, no
composition rules."""

from __future__ import annotations

import re
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 12
MAX_LENGTH = 256

# Checked against when the e-mail address is unknown, so that a wrong address costs as much
# time as a wrong password and the two cannot be told apart by timing.
_DUMMY_HASH: dict[str, str] = {}

# Dutch passwords that the (English-heavy) list below misses.
_DUTCH = {"wachtwoord", "welkom", "geheim", "voorjaar", "najaar", "zomer", "winter", "ajax", "feyenoord", "psv"}


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def verify_password(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = generate_password_hash("not-a-real-password", method=method)
        check_password_hash(_DUMMY_HASH[method], password)
        return False
    return check_password_hash(password_hash, password)


@cache
def _common() -> frozenset[str]:
    """The 30,000 most common passwords of zxcvbn's list, lower-cased, plus Dutch favourites."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"]) | _DUTCH


def _core(password: str) -> str:
    """The password without the digits and punctuation people tack on: "Welkom2024!" → "welkom"."""
    return re.sub(r"[\W\d_]+$", "", re.sub(r"^[\W\d_]+", "", password.lower()))


def password_problem(password: str, *, email: str | None = None, name: str | None = None) -> str | None:
    """Why this password is not acceptable, in the reader's language; None when it is."""
    if len(password) < MIN_LENGTH:
        return _(
            "Een wachtwoord heeft minstens %(n)d tekens. Een zin van een paar woorden is sterk en te onthouden.",
            n=MIN_LENGTH,
        )
    if len(password) > MAX_LENGTH:
        return _("Een wachtwoord heeft hoogstens %(n)d tekens.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in _common() or _core(password) in _common() or len(set(lowered)) <= 2:
        return _("Dit wachtwoord staat op de lijst van veelgebruikte wachtwoorden. Kies een ander.")
    if (
        lowered in "0123456789012345678901234567890"
        or lowered in "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
    ):
        return _("Een reeks als 123456… of abcdef… is te makkelijk te raden. Kies een ander wachtwoord.")
    personal = [
        part for part in [email.split("@")[0] if email else "", *(name or "").lower().split()] if len(part) >= 4
    ]
    if any(part.lower() in lowered for part in personal):
        return _("Een wachtwoord met uw naam of e-mailadres is te makkelijk te raden.")
    return None
