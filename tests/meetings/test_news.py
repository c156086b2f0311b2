"""What is new since the reader's previous visit: on Start per body, and as *nieuw* and *gewijzigd* marks
on a meeting's items and documents. The previous visit is the reader's own mark, set by a POST; opening
a page never sets it and never writes to the audit trail. What is new is what the reader may see, judged
from their side: a regio member never learns that a Rijk-only document came in, not by a line, a mark, a
count or a date, and an item that was hidden from them is new to them, never "changed".
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from audit.models import AuditRecord
from cases.models import CaseType
from cases.services.cases import create_follow_up
from core.db import Audience
from core.extensions import db
from demo.pdf import text_pdf
from meetings.models import (
    AgendaItem,
    AgendaItemKind,
    BodyReadMark,
    CommentStatus,
    Decision,
    DecisionComment,
    Meeting,
    MeetingReadMark,
)
from meetings.services import agenda, decisions, news
from tests.conftest import find_body, in_app, new_meeting, user

SEC = "secretariaat@ezk.test"
RIJK = "beleid@ezk.test"  # deelnemer, EZK
REGIO = "economie@noord-brabant.test"  # deelnemer, Provincie Noord-Brabant
EINDHOVEN = "economie@eindhoven.test"  # deelnemer, Gemeente Eindhoven (regio)
WAARNEMER = "beleid@ienw.test"
OUTSIDER = "economie@gelderland.test"  # no member of BO-Brainport

MEETING_DAY = date(datetime.now(UTC).year + 3, 10, 7)
#: The story takes place on the meeting's day, after the meeting (10–12): decisions are recorded from
#: the meeting's day on.
BASE = datetime.combine(MEETING_DAY, time(13), UTC)


#: One step of a story: short enough that a signed-in client's session does not go idle in between.
STEP = timedelta(minutes=5)


def at(clock: Any, step: float) -> datetime:
    """Move the app's clock to the ``step``-th step of the test's story."""
    moment = BASE + step * STEP
    clock(moment)
    return moment


def text(response: Any) -> str:
    """What the page says, without its markup, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).replace(" .", ".")


def pdf(title: str) -> bytes:
    return text_pdf(title, ["Inhoud."])


def document(meeting: Meeting, title: str, *, item: AgendaItem | None = None, audience: Audience | None = None) -> int:
    added = agenda.add_document(
        user(SEC),
        meeting,
        title=title,
        filename=f"{title.lower().replace(' ', '-')}.pdf",
        content=pdf(title),
        agenda_item=item,
        audience=audience,
    )
    db.session.flush()
    return added.id


def item(meeting: Meeting, title: str, audience: Audience | None = None, shared: list[str] | None = None) -> int:
    added = agenda.add_agenda_item(
        user(SEC),
        meeting,
        title=title,
        kind=AgendaItemKind.TER_BESPREKING,
        audience=audience,
        shared_with=[user(email).id for email in shared or []] or None,
    )
    db.session.flush()
    return added.id


def published_meeting(app: Any, clock: Any, *titles: tuple[str, Audience | None]) -> tuple[int, dict[str, int]]:
    """A BO-Brainport meeting with these items, its agenda published at hour 0."""
    at(clock, 0)
    with in_app(app):
        meeting = new_meeting(MEETING_DAY, location="Eindhoven")
        ids = {title: item(meeting, title, audience) for title, audience in titles}
        agenda.publish_agenda(user(SEC), meeting)
        return meeting.id, ids


def read_meeting(app: Any, meeting_id: int, *emails: str) -> None:
    with in_app(app):
        for email in emails:
            news.mark_read(user(email), meeting=db.session.get(Meeting, meeting_id))


def marks(app: Any, email: str, meeting_id: int) -> news.Marks:
    with in_app(app):
        reader = user(email)
        meeting = db.session.get(Meeting, meeting_id)
        view = agenda.agenda_of(reader, meeting)
        return news.marks_for(reader, meeting, view.items, view.all_documents, None)


def named_marks(app: Any, email: str, meeting_id: int) -> dict[str, str]:
    """The reader's marks by the title of what is marked."""
    found = marks(app, email, meeting_id)
    with in_app(app):
        titles = {i: t for i, t in db.session.execute(select(AgendaItem.id, AgendaItem.title))}
        from meetings.models import Document

        documents = {i: t for i, t in db.session.execute(select(Document.id, Document.title))}
    return {
        **{titles[i]: m.value for i, m in found.items.items()},
        **{documents[i]: m.value for i, m in found.documents.items()},
    }


# --- what is new after the agenda went out: Start, the meeting page, the marks ---------------------


def test_a_regio_reader_never_learns_that_a_rijk_only_document_came_in(app, clock, clients):
    meeting_id, ids = published_meeting(app, clock, ("Netcongestie rond de campus", None))
    at(clock, 1)
    read_meeting(app, meeting_id, REGIO, RIJK)
    at(clock, 2)
    with in_app(app):
        meeting = db.session.get(Meeting, meeting_id)
        netcongestie = db.session.get(AgendaItem, ids["Netcongestie rond de campus"])
        document(meeting, "Nagekomen notitie netcongestie", item=netcongestie)
        document(meeting, "Rijksinzet netcongestie", item=netcongestie, audience=Audience.RIJK)
        title = meeting.title
    at(clock, 3)
    regio, rijk = clients(REGIO), clients(RIJK)

    start = text(regio.get("/"))
    assert f"1 stuk toegevoegd na publicatie: {title}" in start
    assert "Nagekomen notitie netcongestie" in start
    assert "Rijksinzet" not in start and "2 stukken toegevoegd" not in start
    page = text(regio.get(f"/vergaderingen/{meeting_id}"))
    assert "1 stuk nieuw" in page and "Rijksinzet" not in page and "2 stukken nieuw" not in page
    assert named_marks(app, REGIO, meeting_id) == {"Nagekomen notitie netcongestie": "nieuw"}

    start = text(rijk.get("/"))
    assert f"2 stukken toegevoegd na publicatie: {title}" in start
    assert "Nagekomen notitie netcongestie" in start and "Rijksinzet netcongestie" in start
    assert "2 stukken nieuw" in text(rijk.get(f"/vergaderingen/{meeting_id}"))
    assert named_marks(app, RIJK, meeting_id) == {
        "Nagekomen notitie netcongestie": "nieuw",
        "Rijksinzet netcongestie": "nieuw",
    }
    # Who added them finds nothing new in what they did themselves.
    assert named_marks(app, SEC, meeting_id) == {}


def test_nieuw_and_gewijzigd_are_judged_from_the_readers_side(app, clock):
    meeting_id, ids = published_meeting(
        app,
        clock,
        ("Talent", None),
        ("Rijksinzet talent", Audience.RIJK),
        ("Stikstofruimte", None),
        ("Interne voorbespreking", Audience.RIJK),
        ("Signaal", Audience.VERTROUWELIJK),
    )
    at(clock, 1)
    read_meeting(app, meeting_id, REGIO, RIJK)
    at(clock, 2)
    with in_app(app):
        sec, meeting = user(SEC), db.session.get(Meeting, meeting_id)

        def edit(which: str, **changes: Any) -> None:
            target = db.session.get(AgendaItem, ids[which])
            values = {"title": target.title, "kind": target.kind, "description": target.description, **changes}
            agenda.update_agenda_item(sec, target, **values)

        edit("Talent", title="Talent: 72.000 banen in 2030")  # changed for all who see it
        edit("Rijksinzet talent", audience=Audience.OVERLEG)  # shared with the table now
        # The vertrouwelijk item is shared with the province now (it named nobody but its maker before).
        edit("Signaal", audience=Audience.VERTROUWELIJK, shared_with=[user(REGIO).id, user(RIJK).id])
        # A Rijk-only item leaves the agenda: the items below it move up, which tells nothing.
        agenda.remove_agenda_item(sec, db.session.get(AgendaItem, ids["Interne voorbespreking"]))
        stikstof = db.session.get(AgendaItem, ids["Stikstofruimte"])
        place = [i.id for i in agenda.agenda_of(sec, meeting).items].index(stikstof.id) + 1
        agenda.move_agenda_item(sec, stikstof, position=place - 1)
        item(meeting, "Kenniswerkers")
    at(clock, 3)

    assert named_marks(app, REGIO, meeting_id) == {
        "Talent: 72.000 banen in 2030": "gewijzigd",
        "Rijksinzet talent": "nieuw",  # hidden from the regio before: new, not changed
        "Signaal": "nieuw",  # named only now
        "Kenniswerkers": "nieuw",
    }
    assert named_marks(app, RIJK, meeting_id) == {
        "Talent: 72.000 banen in 2030": "gewijzigd",
        "Rijksinzet talent": "gewijzigd",  # its audience changed, which the Rijk could see before and after
        "Signaal": "nieuw",
        "Kenniswerkers": "nieuw",
    }
    assert named_marks(app, SEC, meeting_id) == {}, "the secretariat's own changes are not news to it"


def test_a_whole_agenda_published_after_the_previous_visit_is_new(app, clock, clients):
    at(clock, 0)
    with in_app(app):
        meeting = new_meeting(MEETING_DAY, location="Eindhoven")
        meeting_id = meeting.id
        item(meeting, "Opening")
        news.mark_read(user(REGIO), meeting=meeting)  # the meeting page before its agenda was out
    at(clock, 1)
    with in_app(app):
        meeting = db.session.get(Meeting, meeting_id)
        item(meeting, "Bereikbaarheid")
        agenda.publish_agenda(user(SEC), meeting)
        title = meeting.title
    at(clock, 2)
    assert named_marks(app, REGIO, meeting_id) == {"Opening": "nieuw", "Bereikbaarheid": "nieuw"}
    start = text(clients(REGIO).get("/"))
    assert f"Agenda gepubliceerd: {title}" in start and "2 agendapunten" in start


# --- the mark itself: a POST, the reader's own, outside the audit trail -----------------------------


def _counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(BodyReadMark)) or 0,
        db.session.scalar(select(func.count()).select_from(MeetingReadMark)) or 0,
        db.session.scalar(select(func.count(AuditRecord.id))) or 0,
    )


def test_opening_pages_marks_nothing_and_gelezen_is_a_post_that_stays_out_of_the_audit_trail(app, clock, clients):
    meeting_id, ids = published_meeting(app, clock, ("Netcongestie", None))
    at(clock, 1)
    regio = clients(REGIO)
    with in_app(app):
        before = _counts()
    for url in ("/", f"/vergaderingen/{meeting_id}", f"/agendapunten/{ids['Netcongestie']}"):
        assert regio.get(url).status_code == 200
    assert regio.get(f"/vergaderingen/{meeting_id}/gelezen").status_code == 405
    with in_app(app):
        assert _counts() == before, "a GET changed something"

    page_made = at(clock, 1)
    at(clock, 2)
    with in_app(app):  # came in while the reader was reading the page made at hour 1
        document(
            db.session.get(Meeting, meeting_id), "Late notitie", item=db.session.get(AgendaItem, ids["Netcongestie"])
        )
        before = _counts()
    at(clock, 3)
    response = regio.post_form(f"/vergaderingen/{meeting_id}/gelezen", {"tot": page_made.isoformat()})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/vergaderingen/{meeting_id}")
    with in_app(app):
        marks_after = _counts()
        mark = db.session.scalars(select(MeetingReadMark).where(MeetingReadMark.user_id == user(REGIO).id)).one()
        assert mark.read_until == page_made
    assert marks_after == (before[0], before[1] + 1, before[2]), "one mark, and no audit record"
    assert named_marks(app, REGIO, meeting_id) == {"Late notitie": "nieuw"}, "came in while reading: still new"

    # A moment later than now counts as now; an earlier one never moves the mark back.
    regio.post_form(f"/vergaderingen/{meeting_id}/gelezen", {"tot": (BASE + timedelta(days=30)).isoformat()})
    regio.post_form(f"/vergaderingen/{meeting_id}/gelezen", {"tot": BASE.isoformat()})
    regio.post_form(f"/vergaderingen/{meeting_id}/gelezen", {"tot": "gisteren"})
    with in_app(app):
        mark = db.session.scalars(select(MeetingReadMark).where(MeetingReadMark.user_id == user(REGIO).id)).one()
        assert mark.read_until == BASE + 3 * STEP
        assert _counts()[2] == before[2]
    assert named_marks(app, REGIO, meeting_id) == {}

    # Alles gelezen for the body, from Start: its meetings are read up to then too.
    at(clock, 4)
    with in_app(app):
        document(db.session.get(Meeting, meeting_id), "Nog later", item=db.session.get(AgendaItem, ids["Netcongestie"]))
    at(clock, 5)
    assert "Nog later" in text(regio.get("/"))
    response = regio.post_form("/overleggen/bo-brainport/gelezen", {"tot": (BASE + 5 * STEP).isoformat()})
    assert response.status_code == 302 and response.headers["Location"].endswith("/#nieuw")
    assert named_marks(app, REGIO, meeting_id) == {}
    assert "Nog later" not in text(regio.get("/"))


def test_gelezen_is_refused_where_the_reader_may_not_look(app, clock, clients, client):
    at(clock, 0)
    with in_app(app):
        hidden = new_meeting(MEETING_DAY, location="Den Haag", audience=Audience.RIJK).id
        before = _counts()
    assert clients(REGIO).post_form(f"/vergaderingen/{hidden}/gelezen", {}).status_code == 404
    assert clients(OUTSIDER).post_form("/overleggen/bo-brainport/gelezen", {}).status_code == 404
    assert client.post_form("/overleggen/bo-brainport/gelezen", {}).status_code == 302  # to the login page
    assert clients(RIJK).post_form(f"/vergaderingen/{hidden}/gelezen", {}).status_code == 302
    with in_app(app):
        assert _counts()[:2] == (before[0], before[1] + 1), "only the Rijk member's mark"


# --- the other lines of what is new ---------------------------------------------------------------


def test_start_tells_the_besluitenlijst_out_settled_comments_and_actions_as_far_as_each_may_see(app, clock, clients):
    meeting_id, ids = published_meeting(app, clock, ("Netcongestie", None))
    with in_app(app):
        sec = user(SEC)
        meeting = db.session.get(Meeting, meeting_id)
        first = decisions.add_decision(sec, db.session.get(AgendaItem, ids["Netcongestie"]), text="Verkennen.")
        db.session.flush()
        first_id = first.id
        for email in (REGIO, EINDHOVEN, RIJK):
            news.mark_read(user(email), body=find_body())
    at(clock, 1)
    deadline = MEETING_DAY + timedelta(days=30)
    with in_app(app):
        meeting = db.session.get(Meeting, meeting_id)
        decisions.publish_besluitenlijst(user(SEC), meeting, comments_deadline=deadline)
        create_follow_up(
            user(SEC),
            find_body(),
            case_type=CaseType.ACTIEPUNT,
            title="Laadpleinen in kaart brengen",
            owner_organisation_id=user(REGIO).organisation_id,
            due_date=MEETING_DAY,
            decision=db.session.get(Decision, first_id),
        )
        comment = decisions.comment_on_decision(user(REGIO), db.session.get(Decision, first_id), text="Ook laden?")
        db.session.flush()
        comment_id, title = comment.id, meeting.title
    at(clock, 2)
    with in_app(app):
        settled = db.session.get(DecisionComment, comment_id)
        decisions.handle_comment(user(SEC), settled, outcome=CommentStatus.BEANTWOORD, response="Ja, ook laden.")
    at(clock, 3)

    regio, eindhoven = text(clients(REGIO).get("/")), text(clients(EINDHOVEN).get("/"))
    out = f"Besluitenlijst ter commentaar: {title}"
    until = f"reageren kan tot en met {deadline.day} "
    assert out in regio and until in regio and out in eindhoven
    assert "Reactie van Prov. Noord-Brabant op besluit 1.1 verwerkt: beantwoord" in regio
    assert "Reactie van" not in eindhoven, "a comment is its organisation's and the secretariat's"
    assert "Nieuw: AP-" in regio and "Laadpleinen in kaart brengen" in regio
    assert "Laadpleinen in kaart brengen" not in eindhoven, "another organisation's action"


def test_an_action_that_went_past_its_date_since_the_previous_visit_is_news_for_its_owner(app, clock, clients):
    at(clock, 0)
    with in_app(app):
        case = create_follow_up(
            user(SEC),
            find_body(),
            case_type=CaseType.ACTIEPUNT,
            title="Capaciteitskaart opvragen",
            owner_organisation_id=user(REGIO).organisation_id,
            due_date=BASE.date() + timedelta(days=2),
        )
        reference = case.reference
        news.mark_read(user(REGIO), body=find_body())
    clock(BASE + timedelta(days=5))
    page = text(clients(REGIO).get("/"))
    assert f"Over de datum: {reference} Capaciteitskaart opvragen" in page
    with in_app(app):
        news.mark_read(user(REGIO), body=find_body())
    assert f"Over de datum: {reference}" not in text(clients(REGIO).get("/"))


# --- the participant's to-do: the besluitenlijsten asking for comments ------------------------------


def test_start_asks_for_comments_until_the_deadline_with_what_the_organisation_did(app, clock, clients):
    meeting_id, ids = published_meeting(
        app, clock, ("Netcongestie", None), ("Stikstof", None), ("Rijksinzet", Audience.RIJK)
    )
    deadline = MEETING_DAY + timedelta(days=30)
    with in_app(app):
        sec = user(SEC)
        decided = [
            decisions.add_decision(sec, db.session.get(AgendaItem, ids[title]), text=f"Besluit over {title}.")
            for title in ("Netcongestie", "Stikstof", "Rijksinzet")
        ]
        decisions.publish_besluitenlijst(sec, db.session.get(Meeting, meeting_id), comments_deadline=deadline)
        db.session.flush()
        decisions.comment_on_decision(user(EINDHOVEN), decided[0], text="Eens.")
        decisions.comment_on_decision(user(REGIO), decided[1], text="Vraag.")
        title = db.session.get(Meeting, meeting_id).title

    asked = f"Besluitenlijst {title} — reactie gevraagd tot en met"
    regio = text(clients(REGIO).get("/"))
    assert asked in regio and "Uw organisatie reageerde op 1 van de 2 besluiten; u zelf op 1." in regio
    eindhoven = text(clients(EINDHOVEN).get("/"))
    assert "Uw organisatie reageerde op 1 van de 2 besluiten; u zelf op 1." in eindhoven
    rijk = text(clients(RIJK).get("/"))
    assert asked in rijk and "Uw organisatie reageerde op 0 van de 3 besluiten; u zelf op 0." in rijk
    assert asked not in text(clients(SEC).get("/")), "the secretariat sent it out and settles the comments"
    assert asked not in text(clients(WAARNEMER).get("/")), "a waarnemer only reads"
    assert asked not in text(clients(OUTSIDER).get("/"))

    clock(datetime.combine(deadline + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(hours=12))
    assert asked not in text(clients(REGIO).get("/")), "after the deadline nothing is asked any more"


# --- a fixed number of queries ----------------------------------------------------------------------


def test_start_loads_whats_new_in_a_fixed_number_of_queries(app, clock, clients, count_queries):
    meeting_id, ids = published_meeting(app, clock, ("Netcongestie", None))
    read_meeting(app, meeting_id, REGIO)
    regio = clients(REGIO)
    counts = []
    for hour, added in ((1, 2), (2, 6)):
        at(clock, hour)
        with in_app(app):
            meeting = db.session.get(Meeting, meeting_id)
            for n in range(added):
                document(meeting, f"Stuk {hour}.{n}", item=db.session.get(AgendaItem, ids["Netcongestie"]))
        at(clock, hour + 0.5)
        regio.get("/")
        with count_queries() as counter:
            page = text(regio.get("/"))
        counts.append(counter.count)
    assert "8 stukken toegevoegd na publicatie" in page
    assert counts[0] == counts[1], counts
