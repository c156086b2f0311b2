"""Language: Dutch by default, English per user; the catalog covers every string and compiles to the
committed .mo; the switch is a POST; e-mails speak the recipient's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from jinja2 import Environment
from sqlalchemy import func, select

from audit.models import AuditRecord
from auth.services import set_own_language
from core.dates import show_date, show_datetime
from core.extensions import db
from core.i18n import COOKIE, TRANSLATIONS
from tests.conftest import in_app, user

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["core", "auth", "meetings", "cases", "audit", "notify", "search", "api", "demo"]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
ENGLISH = "economie@noord-brabant.test"
DUTCH = "beleid@ezk.test"


def _catalog():
    with PO.open("rb") as fh:
        return read_po(fh)


def _extracted() -> set[str | tuple[str, ...]]:
    """What `make translations` would extract now, with babel.cfg's methods."""
    methods = [("**.py", "python"), ("**/templates/**.html", "jinja2"), ("**/templates/**.txt", "jinja2")]
    found: set[str | tuple[str, ...]] = set()
    for package in PACKAGES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=methods, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else tuple(message))
    found.discard("")
    return found


def test_every_extracted_message_is_in_the_catalog():
    catalog = {m.id if isinstance(m.id, str) else tuple(m.id) for m in _catalog() if m.id}
    missing = sorted(map(str, _extracted() - catalog))
    assert not missing, f"run `make translations` and translate: {missing[:20]}"


def test_every_entry_has_an_english_translation_with_the_same_placeholders():
    problems = []
    for m in _catalog():
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        if m.fuzzy or not all(s.strip() for s in strings):
            problems.append(f"untranslated or fuzzy: {ids[0]!r}")
            continue
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            if sorted(PLACEHOLDER.findall(s)) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} → {s!r}")
    assert not problems, problems[:20]


def _messages(catalog) -> dict[str | tuple[str, ...], str | tuple[str, ...]]:
    """msgid → msgstr of what a compiled catalog serves: translated entries, fuzzy ones left out."""
    return {
        m.id if isinstance(m.id, str) else tuple(m.id): m.string if isinstance(m.string, str) else tuple(m.string)
        for m in catalog
        if m.id and not m.fuzzy and (m.string if isinstance(m.string, str) else all(m.string))
    }


def test_the_committed_mo_serves_the_messages_of_the_po():
    # Compared as messages, not as bytes: another Babel writes another header into the same catalog.
    with MO.open("rb") as fh:
        compiled = read_mo(fh)
    po = _catalog()
    assert _messages(compiled) == _messages(po), "run `make translations` to compile messages.mo"
    assert compiled.plural_forms == po.plural_forms


def test_the_mo_comparison_notices_a_changed_translation():
    po = _catalog()
    changed = next(m for m in po if m.id and isinstance(m.string, str) and m.string)
    before = _messages(po)
    changed.string += " (anders)"
    assert _messages(po) != before


def test_no_template_has_text_outside_a_translation_call():
    env = Environment(extensions=["jinja2.ext.i18n"])
    attributes = re.compile(r'\b(?:aria-label|title|alt|placeholder)\s*=\s*"([^"]*)"')
    #: Names that are the same in every language, and the switch that names itself in both.
    allowed = {"Regiotafel", "Regiotafel ·", "Taal / Language"}
    problems = []
    for path in sorted(p for package in PACKAGES for p in (ROOT / package).rglob("templates/**/*.html")):
        data = "".join(v if kind == "data" else "\0" for _l, kind, v in env.lex(path.read_text()))
        data = re.sub(r"<!--.*?-->|<(script|style)\b.*?</\1>", "", data, flags=re.S)
        texts = [t for t in attributes.findall(data)]
        texts += re.sub(r"&#?\w+;", " ", re.sub(r"<[^>]*>", " ", data)).split("\0")
        for text in texts:
            text = text.replace("\0", "").strip()
            if re.search(r"[^\W\d_]{2,}", text) and text not in allowed:
                problems.append(f"{path.relative_to(ROOT)}: {text[:60]!r}")
    assert not problems, problems


def _set_language(app, email: str, locale: str) -> None:
    with in_app(app):
        set_own_language(user(email), locale=locale)


def _meeting_and_case(app) -> tuple[int, int]:
    from cases.models import Case
    from meetings.models import Meeting

    with in_app(app):
        meeting = db.session.scalars(select(Meeting).where(Meeting.agenda_published_at.is_not(None))).first()
        case = db.session.scalars(select(Case).where(Case.type == "actiepunt")).first()
        return meeting.id, case.id


@pytest.mark.parametrize(
    ("locale", "expected", "absent"),
    [
        ("en", ["Sign out", "My account", "Consultations"], ["Uitloggen", "Mijn account"]),
        ("nl", ["Uitloggen", "Mijn account"], ["Sign out", "My account"]),
    ],
)
def test_pages_speak_the_users_language(app, clients, locale, expected, absent):
    _set_language(app, ENGLISH, locale)
    meeting_id, case_id = _meeting_and_case(app)
    web = clients(ENGLISH)
    pages = [
        "/",
        "/overleggen/bo-brainport",
        f"/vergaderingen/{meeting_id}",
        f"/vergaderingen/{meeting_id}/besluitenlijst",
        f"/zaken/{case_id}",
        "/auth/account",
    ]
    for page in pages:
        response = web.get(page)
        assert response.status_code == 200, page
        text = response.get_data(as_text=True)
        assert f'<html lang="{locale}"' in text
        if page == "/auth/account":
            assert all(word in text for word in expected), page
            assert not any(word in text for word in absent), page


def test_dates_follow_the_language(app):
    from datetime import UTC, date, datetime

    from flask_babel import force_locale

    with app.test_request_context():
        with force_locale("nl"):
            assert show_date(date(2023, 3, 14)) == "14 maart 2023"
            assert show_datetime(datetime(2023, 3, 14, 9, 0, tzinfo=UTC)) == "14 maart 2023 om 10:00"
        with force_locale("en"):
            assert show_date(date(2023, 3, 14)) == "14 March 2023"
            assert show_datetime(datetime(2023, 3, 14, 9, 0, tzinfo=UTC)) == "14 March 2023 at 10:00"


def _audit_count(app) -> int:
    with in_app(app):
        return db.session.scalar(select(func.count(AuditRecord.id))) or 0


def test_a_signed_in_user_switches_to_english_and_the_change_is_stored_and_audited(app, clients):
    web = clients(DUTCH)
    assert "Uitloggen" in web.get("/auth/account").get_data(as_text=True)
    before = _audit_count(app)
    response = web.post_form("/taal", {"locale": "en", "next": "/auth/account"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/account")
    assert "Sign out" in web.get("/auth/account").get_data(as_text=True)
    with in_app(app):
        assert user(DUTCH).locale == "en"
        record = db.session.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first()
        assert "locale" in str(record.__dict__)
    assert _audit_count(app) > before


def test_an_anonymous_visitor_switches_with_a_cookie_and_get_changes_nothing(app, client):
    assert client.get("/taal").status_code == 405
    login = client.get("/auth/login").get_data(as_text=True)
    assert 'lang="nl"' in login
    response = client.post_form("/taal", {"locale": "en", "next": "/auth/login"})
    assert response.status_code == 302
    assert f"{COOKIE}=en" in response.headers["Set-Cookie"]
    assert 'lang="en"' in client.get("/auth/login").get_data(as_text=True)


def test_the_browser_language_decides_for_an_anonymous_visitor_without_a_choice(client):
    assert 'lang="en"' in client.get("/auth/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(
        as_text=True
    )
    assert 'lang="nl"' in client.get("/auth/login", headers={"Accept-Language": "de,fr"}).get_data(as_text=True)


def test_an_unknown_language_gets_a_clear_message_and_stores_nothing(app, clients):
    web = clients(DUTCH)
    before = _audit_count(app)
    response = web.post_form("/taal", {"locale": "fr"})
    assert response.status_code == 400
    assert 'id="locale-fout"' in response.get_data(as_text=True)
    assert "Kies Nederlands of English." in response.get_data(as_text=True)
    assert _audit_count(app) == before


def test_an_email_to_an_english_recipient_is_in_english_and_a_dutch_ones_stays_dutch(app):
    from notify import services
    from notify.models import Notification, NotificationState

    with in_app(app):
        services.plan_due()
        recipients = {n.recipient_id for n in db.session.scalars(select(Notification))}
    assert len(recipients) >= 2
    english_id = min(recipients)
    with in_app(app):
        from auth.models import User

        set_own_language(db.session.get(User, english_id), locale="en")
    with in_app(app):
        services.dispatch("test:i18n")
        kept = list(db.session.scalars(select(Notification).where(Notification.state == NotificationState.IN_POSTVAK)))
    english = [n for n in kept if n.recipient_id == english_id]
    dutch = [n for n in kept if n.recipient_id != english_id]
    assert english and dutch
    assert all(n.mail_text.startswith("Dear ") for n in english), english[0].mail_text[:200]
    assert all(n.mail_text.startswith("Beste ") for n in dutch)
