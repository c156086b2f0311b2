"""Logs that keep no secret an address carries: the token of an invitation's or a password reset's
link, and the key of a calendar feed, are the last part of their address. Whoever reads a log must
not be able to open them (ASVS 5.0 V16.2: no credentials in logs)."""

from __future__ import annotations

import logging
import re

#: The addresses whose last part is a secret, up to that part.
SECRET_ADDRESS = re.compile(r"(/auth/uitnodiging/|/auth/wachtwoord-herstellen/|/agenda/)[^/?#\s\"']+")
HIDDEN = "[verborgen]"


def redact(text: str) -> str:
    """``text`` with the secret part of every such address replaced."""
    return SECRET_ADDRESS.sub(r"\1" + HIDDEN, text)


class RedactSecrets(logging.Filter):
    """On the app's logger: Flask logs the path of a request that failed ("Exception on /…")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return True
