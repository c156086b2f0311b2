"""Calendars: the personal feed behind a secret token, and one meeting as an .ics download."""

from __future__ import annotations

import hashlib
import re
from datetime import date, time, timedelta
from html import unescape
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from audit.models import AuditRecord
from auth.feeds import create_feed, revoke_feeds
from auth.models import CalendarFeed
from auth.services import update_user
from core.dates import now
from core.extensions import db
from meetings.models import Body, Meeting, Milestone, MilestoneKind
from meetings.services import cycles
from tests.conftest import in_app, user

BRABANT = "economie@noord-brabant.test"
EZK = "beleid@ezk.test"
RIJK_ONLY_ACTION = "Annotatie voor de bewindspersonen opstellen"


def _bo() -> Body:
    return db.session.scalars(select(Body).where(Body.slug == "bo-brainport")).one()


def _next_bo_brainport() -> Meeting:
    return db.session.scalars(
        select(Meeting).where(Meeting.body_id == _bo().id, Meeting.starts_at > now()).order_by(Meeting.starts_at)
    ).first()


def _feed_for(app: Any, email: str) -> str:
    with in_app(app):
        return create_feed(user(email)).token


def _fetch(client: Any, token: str) -> Any:
    return client.get(f"/agenda/{token}.ics")


def _events(response: Any) -> list[Any]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return list(Calendar.from_ical(response.get_data()).walk("VEVENT"))


def _summaries(events: list[Any]) -> list[str]:
    return [str(event["SUMMARY"]) for event in events]


def _audit_count() -> int:
    return db.session.scalar(select(func.count(AuditRecord.id))) or 0


# --- the feed ---------------------------------------------------------------------------------------


def test_the_feed_parses_and_holds_the_next_bo_brainport(app, client):
    token = _feed_for(app, EZK)
    response = _fetch(client, token)
    assert "no-store" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers  # no session: calendar apps hold no login
    calendar = Calendar.from_ical(response.get_data())
    assert "Regiotafel" in str(calendar["X-WR-CALNAME"])
    events = calendar.walk("VEVENT")
    with in_app(app):
        meeting = _next_bo_brainport()
        expected_uid = f"vergadering-{meeting.id}@regiotafel.invalid"
        starts, ends, title, location = meeting.starts_at, meeting.ends_at, meeting.title, meeting.location
    event = next(e for e in events if str(e["UID"]) == expected_uid)
    assert event.decoded("DTSTART") == starts
    assert event.decoded("DTEND") == ends
    assert str(event["SUMMARY"]) == title and str(event["LOCATION"]) == location
    assert str(event["URL"]) == f"http://localhost/vergaderingen/{meeting.id}"
    assert f"http://localhost/vergaderingen/{meeting.id}" in str(event["DESCRIPTION"])
    # Once per meeting: the UID is what lets a calendar app update instead of duplicate.
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))


def test_the_feed_holds_the_cycles_milestones_as_all_day_events(app, client):
    token = _feed_for(app, BRABANT)
    events = _events(_fetch(client, token))
    with in_app(app):
        meeting = _next_bo_brainport()
        closes = db.session.scalars(
            select(Milestone).where(
                Milestone.cycle_id == meeting.cycle_id, Milestone.kind == MilestoneKind.AGENDAVERZOEKEN_SLUITEN
            )
        ).one()
        due, milestone_id, cycle_id = closes.due_date, closes.id, meeting.cycle_id
    event = next(e for e in events if str(e["UID"]) == f"mijlpaal-{milestone_id}@regiotafel.invalid")
    assert str(event["SUMMARY"]) == "Agendaverzoeken sluiten — BO-Brainport"
    assert event.decoded("DTSTART") == due and event.decoded("DTEND") == due + timedelta(days=1)
    assert str(event["URL"]) == f"http://localhost/cycli/{cycle_id}"
    assert str(event["TRANSP"]) == "TRANSPARENT"
    # The meeting itself is a timed event, not a milestone as well.
    assert not any(s.startswith("Bestuurlijk overleg —") for s in _summaries(events))


def test_the_feed_holds_ones_own_due_dates_and_not_the_other_sides(app, client):
    ezk = _summaries(_events(_fetch(client, _feed_for(app, EZK))))
    brabant_events = _events(_fetch(client, _feed_for(app, BRABANT)))
    brabant = _summaries(brabant_events)
    assert any(RIJK_ONLY_ACTION in s for s in ezk)
    assert not any(RIJK_ONLY_ACTION in s for s in brabant)
    # The province's own overdue action is there, as an all-day event linking to its case.
    grid = next(e for e in brabant_events if "Knelpunten netcapaciteit in kaart brengen" in str(e["SUMMARY"]))
    with in_app(app):
        from cases.models import Case

        case = db.session.scalars(select(Case).where(Case.title.startswith("Knelpunten netcapaciteit"))).one()
        case_id, due = case.id, case.due_date
    assert str(grid["SUMMARY"]) == f"Actiepunt AP-{case_id}: {case.title}"
    assert grid.decoded("DTSTART") == due
    assert str(grid["URL"]) == f"http://localhost/zaken/{case_id}"
    # Someone else's action (Brainport Development's) is not in the province's calendar.
    assert not any("Gedragen aanpak talent uitwerken" in s for s in brabant)


def test_the_feed_follows_visibility_across_bodies(app, client):
    """Gelderland sits only at the ROM overleg: no BO-Brainport meeting or milestone in its feed."""
    events = _events(_fetch(client, _feed_for(app, "economie@gelderland.test")))
    summaries = _summaries(events)
    assert summaries, "the ROM overleg is in the feed"
    assert not any("BO-Brainport" in s for s in summaries)


def test_a_done_action_leaves_the_feed(app, client):
    from cases import engine
    from cases.models import Case

    token = _feed_for(app, BRABANT)
    with in_app(app):
        case = db.session.scalars(select(Case).where(Case.title.startswith("Knelpunten netcapaciteit"))).one()
        engine.fire(user(BRABANT), case, "gereed_melden")
    assert not any("Knelpunten netcapaciteit" in s for s in _summaries(_events(_fetch(client, token))))


def test_an_unknown_or_revoked_token_is_a_missing_page(app, client):
    assert _fetch(client, "dit-bestaat-niet").status_code == 404
    assert _fetch(client, "x" * 500).status_code == 404
    token = _feed_for(app, EZK)
    assert _fetch(client, token).status_code == 200
    with in_app(app):
        assert revoke_feeds(user(EZK)) == 1
    revoked = _fetch(client, token)
    assert revoked.status_code == 404
    assert revoked.get_data() == client.get("/agenda/ook-niet.ics").get_data()


def test_a_new_feed_revokes_the_old(app, client):
    old = _feed_for(app, EZK)
    new = _feed_for(app, EZK)
    assert _fetch(client, old).status_code == 404
    assert _fetch(client, new).status_code == 200
    with in_app(app):
        ezk = user(EZK)
        feeds = db.session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == ezk.id)).all()
        assert [f.revoked_at is None for f in feeds].count(True) == 1


def test_a_switched_off_account_has_no_feed(app, client):
    token = _feed_for(app, BRABANT)
    with in_app(app):
        target = user(BRABANT)
        update_user(
            user("beheer@regiotafel.test"),
            target,
            email=target.email,
            name=target.name,
            organisation_id=target.organisation_id,
            active=False,
        )
    assert _fetch(client, token).status_code == 404


def test_the_token_is_kept_only_as_its_hash_and_not_in_the_audit_trail(app):
    with in_app(app):
        before = db.session.scalar(select(func.max(AuditRecord.id)))
        issued = create_feed(user(EZK))
        token, feed_id = issued.token, issued.feed.id
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert len(token) >= 43
    with in_app(app):
        feed = db.session.get(CalendarFeed, feed_id)
        assert feed.token_hash == digest
        assert token not in repr({c.key: getattr(feed, c.key) for c in CalendarFeed.__table__.columns})
        records = db.session.scalars(select(AuditRecord).where(AuditRecord.id > before)).all()
        assert any(r.object_type == "calendar_feeds" and r.action == "create" for r in records)
        for record in records:
            text = repr((record.changes, record.origin, record.object_label, record.reason))
            assert token not in text and digest not in text


def test_fetching_the_feed_writes_nothing(app, client):
    token = _feed_for(app, EZK)
    with in_app(app):
        records = _audit_count()
        feed_rows = db.session.execute(select(CalendarFeed.id, CalendarFeed.revoked_at)).all()
    assert _fetch(client, token).status_code == 200
    assert _fetch(client, "onbekend").status_code == 404
    with in_app(app):
        assert _audit_count() == records
        assert db.session.execute(select(CalendarFeed.id, CalendarFeed.revoked_at)).all() == feed_rows


def test_the_feed_is_read_in_a_fixed_number_of_queries(app, client, count_queries):
    token = _feed_for(app, EZK)
    with count_queries() as before:
        _fetch(client, token)
    with in_app(app):
        sec, body = user("secretariaat@ezk.test"), _bo()
        for year in (2031, 2032, 2033):
            cycles.create_cycle(
                sec,
                body,
                meeting_date=date(year, 3, 10),
                start_time=time(10),
                end_time=time(12),
                location="Den Haag",
                chair="Minister van EZK",
            )
    with count_queries() as after:
        events = _events(_fetch(client, token))
    assert sum("BO-Brainport 10 maart 2031" in s for s in _summaries(events)) == 1
    assert after.count == before.count


# --- one meeting as a download ----------------------------------------------------------------------------


def test_a_member_downloads_a_meeting_with_the_feeds_uid(app, client, clients):
    with in_app(app):
        meeting_id = _next_bo_brainport().id
    response = clients(BRABANT).get(f"/vergaderingen/{meeting_id}.ics")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = Calendar.from_ical(response.get_data())
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"vergadering-{meeting_id}@regiotafel.invalid"
    feed = _events(_fetch(client, _feed_for(app, BRABANT)))
    assert str(event["UID"]) in {str(e["UID"]) for e in feed}


def test_the_meeting_page_links_to_its_download(app, clients):
    with in_app(app):
        meeting_id = _next_bo_brainport().id
    page = clients(BRABANT).get(f"/vergaderingen/{meeting_id}").get_data(as_text=True)
    assert f'href="/vergaderingen/{meeting_id}.ics"' in page


@pytest.mark.parametrize("email", ["economie@gelderland.test", "beheer@regiotafel.test"])
def test_a_non_member_gets_404_for_a_meetings_download(app, clients, email):
    with in_app(app):
        meeting_id = _next_bo_brainport().id
    assert clients(email).get(f"/vergaderingen/{meeting_id}.ics").status_code == 404


def test_the_download_asks_for_a_login(app, client):
    with in_app(app):
        meeting_id = _next_bo_brainport().id
    response = client.get(f"/vergaderingen/{meeting_id}.ics")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- the account page ---------------------------------------------------------------------------------------

_URL = re.compile(r'id="agenda-adres" value="([^"]+)"')


def test_the_account_page_makes_shows_once_and_revokes_a_feed(app, clients, client):
    browser = clients(BRABANT)
    page = browser.get("/auth/account").get_data(as_text=True)
    assert "Agenda-koppeling" in page and "Koppeling maken" in page and "Koppeling intrekken" not in page

    made = browser.post_form("/auth/account/agenda")
    assert made.status_code == 200
    html = made.get_data(as_text=True)
    url = unescape(_URL.search(html).group(1))
    assert url.startswith("http://localhost/agenda/") and url.endswith(".ics")
    assert "alleen nu" in html
    path = url.removeprefix("http://localhost")
    assert client.get(path).status_code == 200  # no login needed

    page = browser.get("/auth/account").get_data(as_text=True)
    assert "Staat aan sinds" in page and "Koppeling intrekken" in page
    assert path.split("/")[-1].removesuffix(".ics") not in page  # the address is shown only once

    revoked = browser.post_form("/auth/account/agenda/intrekken")
    assert revoked.status_code == 302 and revoked.headers["Location"].endswith("/auth/account")
    assert client.get(path).status_code == 404
    assert "Koppeling intrekken" not in browser.get("/auth/account").get_data(as_text=True)


def test_making_a_feed_needs_the_csrf_token_and_a_login(clients, client):
    assert clients(BRABANT).post("/auth/account/agenda").status_code == 400
    response = client.post_form("/auth/account/agenda")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
