"""The test provider (``provider/provider.mjs``, node's oidc-provider) as a process on loopback.

Its packages come from ``provider/package-lock.json`` with ``npm ci`` the first time (and whenever the
lock changed since): a fresh machine needs only node and npm. Without them the SSO tests skip and say why.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent / "provider"
CLIENT_ID = "regiotafel"
CLIENT_SECRET = "test-geheim-van-de-client"
#: Every test account's password at the test provider.
PASSWORD = "provider-wachtwoord"
#: The acr and amr the provider sends when "met tweede factor" is ticked.
STRONG_ACR, STRONG_AMR = "urn:regiotafel:test:loa:hoog", "otp"


def provider_fields(issuer: str, organisation_id: int, **details: Any) -> dict[str, Any]:
    """What the beheer page sends for EZK's provider with this issuer (the test client's), ``details`` changed."""
    return {
        "organisation_id": organisation_id,
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "email_claim": "email",
        "verified_claim": "email_verified",
        "email_domains": "ezk.test",
        "create_users": False,
        "mfa_acr_values": "",
        "mfa_amr_values": "",
        "active": True,
        **details,
    }


def skip_reason() -> str | None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "SSO tests skipped: node and npm are needed for the test provider (Debian: nodejs, npm)"
    return None


def install() -> None:
    """``npm ci`` from the lock, unless node_modules already holds what the lock says."""
    lock = HERE / "package-lock.json"
    stamp = HERE / "node_modules" / ".package-lock.json"
    if stamp.is_file() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        check=True,
        timeout=300,
    )


@contextmanager
def running(redirect_uris: list[str], post_logout_redirect_uris: list[str], log: Path) -> Iterator[str]:
    """The provider on a free loopback port, for one client with these addresses; yields its issuer."""
    install()
    env = {
        **os.environ,
        "PORT": "0",
        "REDIRECT_URIS": json.dumps(redirect_uris),
        "POST_LOGOUT_REDIRECT_URIS": json.dumps(post_logout_redirect_uris),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
    }
    with log.open("w") as errors:
        process = subprocess.Popen(
            ["node", "provider.mjs"], cwd=HERE, env=env, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        try:
            yield _issuer(process, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            assert process.stdout is not None
            process.stdout.close()


def _issuer(process: subprocess.Popen[str], log: Path) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            if line.startswith("listening "):
                return line.split()[1]
        if process.poll() is not None:
            break
    raise RuntimeError(f"the test provider did not start: {log.read_text()[-2000:]}")
