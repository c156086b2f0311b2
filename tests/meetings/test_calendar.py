"""Calendars: what a personal feed holds (as far as its user may see), and one meeting as an .ics
download. The feed's token and the account page are in ``tests/auth/test_calendar_feed.py``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select

from auth.feeds import create_feed
from cases import engine
from cases.models import Case, CaseType
from cases.services.cases import create_follow_up
from core.dates import AMSTERDAM, now
from core.db import Audience
from core.extensions import db
from demo.story import MEMO_TITLE
from meetings.calendar.feed import feed_ics
from meetings.models import Cycle, Meeting, Milestone, MilestoneKind
from meetings.services import cycles
from tests.conftest import find_body, in_app, user

BRABANT = "economie@noord-brabant.test"
EZK = "beleid@ezk.test"
SEC = "secretariaat@ezk.test"
RIJK_ONLY_ACTION = "Annotatie voor de bewindspersonen opstellen"
MEMO_KENMERK = "27293059"


def _next_bo_brainport() -> Meeting:
    return db.session.scalars(
        select(Meeting).where(Meeting.body_id == find_body().id, Meeting.starts_at > now()).order_by(Meeting.starts_at)
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


def _feed(app: Any, client: Any, email: str) -> list[Any]:
    return _events(_fetch(client, _feed_for(app, email)))


def _summaries(events: list[Any]) -> list[str]:
    return [str(event["SUMMARY"]) for event in events]


def _uids(events: list[Any]) -> set[str]:
    return {str(event["UID"]) for event in events}


def _bo_cycle(day: date, *, audience: Audience = Audience.OVERLEG, start: time = time(10)) -> Cycle:
    """A BO-Brainport cycle (and meeting) of the secretariat's making, on ``day``."""
    return cycles.create_cycle(
        user(SEC),
        find_body(),
        meeting_date=day,
        start_time=start,
        end_time=time(start.hour + 2),
        location="Den Haag",
        chair="Minister van EZK",
        audience=audience,
    )


def _cycle_uids(cycle_id: int) -> set[str]:
    meetings = db.session.scalars(select(Meeting.id).where(Meeting.cycle_id == cycle_id))
    milestones = db.session.scalars(select(Milestone.id).where(Milestone.cycle_id == cycle_id))
    return {f"vergadering-{m}@regiotafel.invalid" for m in meetings} | {
        f"mijlpaal-{m}@regiotafel.invalid" for m in milestones
    }


# --- what the feed holds ----------------------------------------------------------------------------------


def test_the_feed_parses_and_holds_the_next_bo_brainport(app, client):
    response = _fetch(client, _feed_for(app, EZK))
    assert "no-store" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers  # no session: calendar apps hold no login
    calendar = Calendar.from_ical(response.get_data())
    assert "Regiotafel" in str(calendar["X-WR-CALNAME"])
    events = calendar.walk("VEVENT")
    with in_app(app):
        meeting = _next_bo_brainport()
        expected_uid = f"vergadering-{meeting.id}@regiotafel.invalid"
        starts, ends, title, location = meeting.starts_at, meeting.ends_at, meeting.title, meeting.location
    assert title.startswith("BO-Brainport")
    event = next(e for e in events if str(e["UID"]) == expected_uid)
    assert event.decoded("DTSTART") == starts
    assert event.decoded("DTEND") == ends
    assert str(event["SUMMARY"]) == title and str(event["LOCATION"]) == location
    assert str(event["URL"]) == f"http://localhost/vergaderingen/{meeting.id}"
    assert f"http://localhost/vergaderingen/{meeting.id}" in str(event["DESCRIPTION"])
    # Once per meeting: the UID is what lets a calendar app update instead of duplicate.
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))


def test_uids_stay_the_same_from_one_fetch_to_the_next(app, client):
    token = _feed_for(app, EZK)
    first = _events(_fetch(client, token))
    second = _events(_fetch(client, token))
    assert len(first) > 5
    assert [str(e["UID"]) for e in first] == [str(e["UID"]) for e in second]
    assert _summaries(first) == _summaries(second)


def test_meeting_times_are_utc_and_land_right_in_amsterdam(app, client):
    """10:00 in Den Haag is 09:00 UTC in winter and 08:00 UTC in summer."""
    with in_app(app):
        winter = _bo_cycle(date(2031, 1, 14)).meetings[0].id
        summer = _bo_cycle(date(2031, 9, 9)).meetings[0].id
    response = _fetch(client, _feed_for(app, EZK))
    raw = response.get_data(as_text=True)
    assert "DTSTART:20310114T090000Z" in raw and "DTSTART:20310909T080000Z" in raw
    events = {str(e["UID"]): e for e in _events(response)}
    for meeting_id, day in ((winter, date(2031, 1, 14)), (summer, date(2031, 9, 9))):
        event = events[f"vergadering-{meeting_id}@regiotafel.invalid"]
        starts = event.decoded("DTSTART")
        assert starts.utcoffset() == timedelta(0)
        assert starts.astimezone(AMSTERDAM).replace(tzinfo=None) == datetime.combine(day, time(10))
        assert event.decoded("DTEND") - starts == timedelta(hours=2)


def test_the_feed_holds_the_cycles_milestones_as_all_day_events(app, client):
    events = _feed(app, client, BRABANT)
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


def test_the_feed_holds_ones_own_due_dates_as_all_day_events(app, client):
    events = _feed(app, client, BRABANT)
    grid = next(e for e in events if "Knelpunten netcapaciteit in kaart brengen" in str(e["SUMMARY"]))
    with in_app(app):
        case = db.session.scalars(select(Case).where(Case.title.startswith("Knelpunten netcapaciteit"))).one()
        case_id, due, title = case.id, case.due_date, case.title
    assert str(grid["SUMMARY"]) == f"Actiepunt AP-{case_id}: {title}"
    assert grid.decoded("DTSTART") == due and grid.decoded("DTEND") == due + timedelta(days=1)
    assert str(grid["UID"]) == f"zaak-{case_id}-termijn@regiotafel.invalid"
    assert str(grid["URL"]) == f"http://localhost/zaken/{case_id}"
    # Someone else's action (Brainport Development's) is not in the province's calendar.
    assert not any("Gedragen aanpak talent uitwerken" in s for s in _summaries(events))


def test_every_event_links_back_to_a_page_its_reader_may_open(app, client, clients):
    browser = clients(BRABANT)
    for event in _feed(app, client, BRABANT):
        url = str(event["URL"])
        assert url.startswith("http://localhost/"), url
        assert url.split("/")[3] in {"vergaderingen", "cycli", "zaken"}, url
        assert browser.get(url.removeprefix("http://localhost")).status_code == 200, url


def test_a_done_action_leaves_the_feed(app, client):
    token = _feed_for(app, BRABANT)
    with in_app(app):
        case = db.session.scalars(select(Case).where(Case.title.startswith("Knelpunten netcapaciteit"))).one()
        engine.fire(user(BRABANT), case, "gereed_melden")
    assert not any("Knelpunten netcapaciteit" in s for s in _summaries(_events(_fetch(client, token))))


def test_a_feed_read_outside_a_request_links_to_public_url(app, monkeypatch):
    """As a job or the command line would build it: links to where people reach Regiotafel."""
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://regiotafel.example.nl")
    with in_app(app):
        events = Calendar.from_ical(feed_ics(user(EZK))).walk("VEVENT")
    assert events and all(str(e["URL"]).startswith("https://regiotafel.example.nl/") for e in events)


# --- visibility ---------------------------------------------------------------------------------------------


def test_a_regio_feed_holds_nothing_rijk_internal(app, client):
    """A Rijk-only BO-Brainport meeting (with its cycle's milestones), the Rijk-only action and the
    minister's memo are in the Rijk's calendars and absent from the region's."""
    with in_app(app):
        rijk_cycle = _bo_cycle(date(2031, 3, 11), audience=Audience.RIJK)
        hidden = _cycle_uids(rijk_cycle.id)
        rijk_title = rijk_cycle.meetings[0].title
        rijk_action = db.session.scalars(select(Case).where(Case.title == RIJK_ONLY_ACTION)).one()
        hidden.add(f"zaak-{rijk_action.id}-termijn@regiotafel.invalid")
    ezk = _feed(app, client, EZK)
    assert {f"vergadering-{rijk_cycle.meetings[0].id}@regiotafel.invalid"} <= _uids(ezk)
    assert any(RIJK_ONLY_ACTION in s for s in _summaries(ezk))
    for email in (BRABANT, "economie@eindhoven.test", "auditor@noord-brabant.test"):
        response = _fetch(client, _feed_for(app, email))
        events = _events(response)
        raw = response.get_data(as_text=True)
        assert events, email
        assert not hidden & _uids(events), email
        assert MEMO_KENMERK not in raw and rijk_title not in raw and "Annotatie" not in raw, email
        assert MEMO_TITLE not in raw, email


def test_a_vertrouwelijk_due_date_is_only_in_the_named_peoples_feeds(app, client):
    """Both work at the province; only the one named sees the action."""
    with in_app(app):
        brabant = user(BRABANT)
        action = create_follow_up(
            user(SEC),
            find_body(),
            case_type=CaseType.ACTIEPUNT,
            title="Vertrouwelijk: uitbreiding hightechbedrijf voorbereiden",
            owner_organisation_id=brabant.organisation_id,
            due_date=date(2031, 2, 1),
            audience=Audience.VERTROUWELIJK,
            shared_with=[brabant.id],
        )
        db.session.flush()
        action_uid = f"zaak-{action.id}-termijn@regiotafel.invalid"
        assert user("auditor@noord-brabant.test").organisation_id == brabant.organisation_id
    assert action_uid in _uids(_feed(app, client, BRABANT))
    colleague = _feed(app, client, "auditor@noord-brabant.test")
    assert action_uid not in _uids(colleague)
    # Not because the colleague gets no actions at all: the province's other action is there.
    assert any("Knelpunten netcapaciteit" in s for s in _summaries(colleague))


def test_the_feed_follows_membership_across_bodies(app, client):
    """Gelderland sits only at the ROM overleg: no BO-Brainport meeting or milestone in its feed."""
    summaries = _summaries(_feed(app, client, "economie@gelderland.test"))
    assert summaries, "the ROM overleg is in the feed"
    assert not any("BO-Brainport" in s for s in summaries)


def test_a_beheerder_without_bodies_gets_an_empty_feed(app, client):
    response = _fetch(client, _feed_for(app, "beheer@regiotafel.test"))
    assert _events(response) == []
    assert Calendar.from_ical(response.get_data())["VERSION"] == "2.0"


def test_the_feed_is_read_in_a_fixed_number_of_queries(app, client, count_queries):
    token = _feed_for(app, EZK)
    with count_queries() as before:
        _events(_fetch(client, token))
    with in_app(app):
        ezk = user(EZK)
        for year in (2031, 2032, 2033):
            _bo_cycle(date(year, 3, 10))
            for n in range(2):
                create_follow_up(
                    user(SEC),
                    find_body(),
                    case_type=CaseType.ACTIEPUNT,
                    title=f"Actie {year}-{n}",
                    owner_organisation_id=ezk.organisation_id,
                    assignee_id=ezk.id,
                    due_date=date(year, 4, 1 + n),
                )
    with count_queries() as after:
        events = _events(_fetch(client, token))
    summaries = _summaries(events)
    assert sum("BO-Brainport 10 maart 2031" in s for s in summaries) == 1
    assert sum(s.endswith(("Actie 2033-0", "Actie 2033-1")) for s in summaries) == 2
    assert after.count == before.count


# --- one meeting as a download ------------------------------------------------------------------------------


def test_a_member_downloads_a_meeting_with_the_feeds_uid(app, client, clients):
    with in_app(app):
        meeting = _next_bo_brainport()
        meeting_id, starts, title = meeting.id, meeting.starts_at, meeting.title
    response = clients(BRABANT).get(f"/vergaderingen/{meeting_id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = Calendar.from_ical(response.get_data())
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"vergadering-{meeting_id}@regiotafel.invalid"
    assert str(event["SUMMARY"]) == title and event.decoded("DTSTART") == starts.astimezone(UTC)
    assert str(event["URL"]) == f"http://localhost/vergaderingen/{meeting_id}"
    assert str(event["UID"]) in _uids(_feed(app, client, BRABANT))


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


def test_a_regio_member_gets_404_for_a_rijk_meetings_download(app, clients):
    with in_app(app):
        meeting_id = _bo_cycle(date(2031, 3, 11), audience=Audience.RIJK).meetings[0].id
    assert clients(EZK).get(f"/vergaderingen/{meeting_id}.ics").status_code == 200
    assert clients(BRABANT).get(f"/vergaderingen/{meeting_id}.ics").status_code == 404


def test_the_download_asks_for_a_login(app, client):
    with in_app(app):
        meeting_id = _next_bo_brainport().id
    response = client.get(f"/vergaderingen/{meeting_id}.ics")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
