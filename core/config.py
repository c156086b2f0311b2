"""Configuration: defaults, then environment variables, then explicit overrides (tests)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def _flag(value: str) -> bool:
    """An on/off setting as environment variables write it: 1, true or yes is on, anything else off."""
    return value.lower() in {"1", "true", "yes"}


#: Keys read from the environment and how to parse them. Anything not listed here
#: can still be set with a ``REGIOTAFEL_`` prefix (Flask's ``from_prefixed_env``).
_ENV_PARSERS: dict[str, Any] = {
    "DATABASE_URL": str,
    "SECRET_KEY": str,
    "PORT": int,
    "DEMO_PASSWORD": str,
    "MAX_DOCUMENT_BYTES": int,
    "MAX_DOCUMENT_UNPACKED_BYTES": int,
    "MAX_UPLOAD_FILES": int,
    "MAX_UPLOAD_BYTES": int,
    "DOCUMENT_TEXT_CPU_SECONDS": int,
    "DOCUMENT_TEXT_WALL_SECONDS": int,
    "DOCUMENT_TEXT_MEMORY_MB": int,
    "SESSION_COOKIE_SECURE": _flag,
    "REGIOTAFEL_ENV": str,
    "REQUIRE_MFA": _flag,
    "PROXY_FIX": _flag,
    "SESSION_IDLE_MINUTES": int,
    "SESSION_MAX_HOURS": int,
    "PUBLIC_URL": str,
    "API_CORS_ORIGINS": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": _flag,
    "MAIL_USE_SSL": _flag,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_DEFAULT_SENDER": str,
    "SCHEDULER_INTERVAL_SECONDS": int,
    "INVITATION_HOURS": int,
    "PASSWORD_RESET_MINUTES": int,
    "ACCESS_REVIEW_MONTHS": int,
}

DEV_SECRET_KEY = "regiotafel-local-development-only"

#: Environments on one's own machine: a fixed session key, no second factor unless asked for. Every
#: other value of REGIOTAFEL_ENV, and a missing one, is production.
LOCAL_ENVS = frozenset({"development", "demo", "test"})


class Defaults:
    """Safe defaults: production unless REGIOTAFEL_ENV names local use (``make run`` does)."""

    #: Production by default: an install that forgets this variable must not run with the public
    #: development key and without a second factor.
    REGIOTAFEL_ENV = "production"
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # None: SQLite in the instance folder
    PORT = 5000
    DEMO_PASSWORD = "regiotafel-demo"
    # Uploaded meeting documents; a request may carry a little more than one document.
    MAX_DOCUMENT_BYTES = 25 * 1024 * 1024
    #: What an uploaded Word, Excel, PowerPoint or OpenDocument file (a zip) may unpack to; a zip
    #: bomb is refused at upload, before anything in it is unpacked.
    MAX_DOCUMENT_UNPACKED_BYTES = 200 * 1024 * 1024
    #: Files in one upload (several documents at once, a progress report's attachments).
    MAX_UPLOAD_FILES = 10
    #: All files of one upload together; None: four documents' worth (``MAX_DOCUMENT_BYTES``).
    MAX_UPLOAD_BYTES: int | None = None
    #: The scheduler reads a document's text for search in a child process with these limits (CPU
    #: seconds, seconds on the clock, address space); a document that needs more stays without text.
    DOCUMENT_TEXT_CPU_SECONDS = 30
    DOCUMENT_TEXT_WALL_SECONDS = 60
    DOCUMENT_TEXT_MEMORY_MB = 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # The CSRF token lives as long as the session; a form left open over lunch still posts.
    WTF_CSRF_TIME_LIMIT = None
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    # How long a SQLite writer waits for the write lock. SQLite's waiting is not fair: under many
    # writers at once one of them can wait a good while; waiting beats failing.
    SQLITE_BUSY_TIMEOUT_MS = 30_000
    # ASVS 7.3: sessions end after 30 idle minutes and at most 12 hours after sign-in.
    SESSION_IDLE_MINUTES = 30
    SESSION_MAX_HOURS = 12
    #: Second factor for beheerders, secretariats and auditors; None: on, except for local use.
    REQUIRE_MFA: bool | None = None
    #: Trust X-Forwarded-For/-Proto from one proxy in front (for https and the client address).
    PROXY_FIX = False
    #: Where people reach Regiotafel: links in e-mails and calendars. None: http://127.0.0.1:PORT.
    PUBLIC_URL: str | None = None
    #: Web origins whose pages may call /api/v1 from a browser (CORS), space-separated and exact, e.g.
    #: "https://dashboard.brabant.nl". Empty: none, and the API sends no CORS headers at all.
    API_CORS_ORIGINS = ""
    #: SMTP. Without MAIL_SERVER messages stay in the outbox (Beheer → Postvak uit).
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS after connecting
    MAIL_USE_SSL = False  # TLS from the start (port 465)
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Regiotafel <noreply@regiotafel.invalid>"
    MAIL_TIMEOUT = 30
    #: How often `flask scheduler run` plans and sends.
    SCHEDULER_INTERVAL_SECONDS = 60
    #: How long a scheduler process holds the notifications it claimed; a process that died
    #: mid-way leaves them to another after this.
    NOTIFY_LEASE_SECONDS = 300
    NOTIFY_BATCH = 10
    NOTIFY_MAX_ATTEMPTS = 5
    #: Days before a meeting on which the system adds the progress item to its agenda.
    PROGRESS_ITEM_DAYS = 42
    #: The vergaderbundel (meetings.papers.bundle_pdf): at most so many pages and megabytes of documents go in;
    #: a document past the limits gets a page that says so. Bundles are kept for readers who open
    #: them again, at most BUNDLE_CACHE_ENTRIES of them, in BUNDLE_CACHE_FOLDER (None: "bundels" in
    #: the instance folder). A cache: each web node keeps its own, made again from the database.
    BUNDLE_MAX_PAGES = 1500
    BUNDLE_MAX_MB = 150
    BUNDLE_CACHE_ENTRIES = 200
    BUNDLE_CACHE_FOLDER: str | None = None
    #: Where `backup` finds pg_dump and pg_restore (None: on PATH); they must be at least as new as the
    #: server, e.g. /usr/lib/postgresql/16/bin for a PostgreSQL 16 server.
    PG_BIN_DIR: str | None = None
    #: How long an invitation's link works.
    INVITATION_HOURS = 72
    #: How long a password reset link works; at most an hour (ASVS 6.4), longer values are cut to it.
    PASSWORD_RESET_MINUTES = 60
    #: Every how many months the beheerder and each body's secretariat are asked to review who has
    #: access (3: every quarter); 12 must be divisible by it.
    ACCESS_REVIEW_MONTHS = 3


def load_config(app: Any, overrides: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, the environment and ``overrides``, in that order."""
    app.config.from_object(Defaults)
    for key, parse in _ENV_PARSERS.items():
        raw = os.environ.get(key)
        if raw not in (None, ""):
            app.config[key] = parse(raw)
    app.config.from_prefixed_env("REGIOTAFEL")
    if overrides:
        app.config.update(overrides)

    if not app.config.get("DATABASE_URL"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'regiotafel.db'}"
    app.config["DATABASE_URL"] = normalise_database_url(app.config["DATABASE_URL"])
    if not app.config.get("BUNDLE_CACHE_FOLDER"):
        app.config["BUNDLE_CACHE_FOLDER"] = str(Path(app.instance_path) / "bundels")
    if not app.config.get("PUBLIC_URL"):
        if app.config.get("MAIL_SERVER") and app.config["REGIOTAFEL_ENV"] not in LOCAL_ENVS:
            raise RuntimeError(
                "PUBLIC_URL is not set. E-mails link to Regiotafel: set PUBLIC_URL to the address people "
                "reach it on, e.g. https://regiotafel.example.nl."
            )
        app.config["PUBLIC_URL"] = f"http://127.0.0.1:{app.config['PORT']}"
    # Several documents go up at once, each at most MAX_DOCUMENT_BYTES; leave room for the other fields.
    if not app.config.get("MAX_UPLOAD_BYTES"):
        app.config["MAX_UPLOAD_BYTES"] = 4 * app.config["MAX_DOCUMENT_BYTES"]
    app.config["MAX_UPLOAD_BYTES"] = max(app.config["MAX_UPLOAD_BYTES"], app.config["MAX_DOCUMENT_BYTES"])
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_BYTES"] + 1024 * 1024

    if 12 % int(app.config["ACCESS_REVIEW_MONTHS"]) or int(app.config["ACCESS_REVIEW_MONTHS"]) < 1:
        raise RuntimeError("ACCESS_REVIEW_MONTHS must divide a year: 1, 2, 3, 4, 6 or 12.")
    if int(app.config["INVITATION_HOURS"]) < 1 or int(app.config["PASSWORD_RESET_MINUTES"]) < 1:
        raise RuntimeError("INVITATION_HOURS and PASSWORD_RESET_MINUTES must be at least 1.")

    if app.config.get("REQUIRE_MFA") is None:
        app.config["REQUIRE_MFA"] = app.config["REGIOTAFEL_ENV"] not in LOCAL_ENVS

    if not app.config.get("SECRET_KEY"):
        if app.config["REGIOTAFEL_ENV"] not in LOCAL_ENVS:
            raise RuntimeError(
                f"SECRET_KEY is not set. Regiotafel runs as production (REGIOTAFEL_ENV={app.config['REGIOTAFEL_ENV']}; "
                "production when not set): set the environment variable SECRET_KEY to a long random value (e.g. "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`), the same for every web and "
                "scheduler process. Only on your own machine: REGIOTAFEL_ENV=development (as `make run` does)."
            )
        app.config["SECRET_KEY"] = DEV_SECRET_KEY


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs, as most hosting platforms hand them out."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
