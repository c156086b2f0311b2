"""Two-factor login with TOTP (RFC 6238) and one-time recovery codes."""

from __future__ import annotations

import io
import secrets

import pyotp
import segno
from werkzeug.security import check_password_hash, generate_password_hash

from core.dates import now

ISSUER = "Regiotafel"
STEP = 30
RECOVERY_CODES = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret, interval=STEP).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> bytes:
    """The QR code of a provisioning URI, as an SVG document (no inline styles or scripts)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=True, svgns=True)
    return out.getvalue()


def matching_step(secret: str, code: str, after_step: int | None) -> int | None:
    """The time step whose code this is (now, or one step either side for clock drift), if it is
    later than the last accepted step: a code is good once."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret, interval=STEP)
    current = int(now().timestamp()) // STEP
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code) and (after_step is None or step > after_step):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes like ``k3vq-9dxm-tp``: easy to type, 50 bits each."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def hash_recovery_code(code: str) -> str:
    return generate_password_hash(normalise_recovery_code(code), method="pbkdf2:sha256:100000")


def recovery_code_matches(code_hash: str, code: str) -> bool:
    return check_password_hash(code_hash, normalise_recovery_code(code))


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())
