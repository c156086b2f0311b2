"""Uitstel aanvragen: the owner of an action asks for a later due date with a reason; the secretariat
grants it (the due date moves, the old one stays in the history) or refuses it with a reason. The steps
are the workflow's (the engine takes them), each is a line in the case's history, and the people it
concerns are told. Who may not take a step is refused, whatever they post; who may not see the case
gets a 404."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cases import engine
from cases.models import Case, CaseEvent, EventKind
from cases.services.cases import change_due_date
from core.dates import today
from core.db import Audience
from core.errors import InvalidTransition
from core.extensions import db
from notify.models import Notification
from tests.cases.people import EINDHOVEN, OWNER, REGIO_AUDITOR, RIJK, SEC
from tests.conftest import in_app, new_action, user


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def offers(client: Any, case_id: int, step: str) -> bool:
    """Whether the case page offers the step (its form) to this user."""
    return f'/zaken/{case_id}/stap/{step}"' in client.get(f"/zaken/{case_id}").get_data(as_text=True)


def action_id(app: Any, audience: Audience = Audience.OVERLEG) -> int:
    """A new action for the province, due in five days."""
    with in_app(app):
        return new_action(
            title="Capaciteitskaart opvragen bij de netbeheerder",
            due_date=today() + timedelta(days=5),
            audience=audience,
        ).id


def ask(client: Any, case_id: int, days: int = 30, reason: str = "De netbeheerder levert later.") -> Any:
    return client.post_form(
        f"/zaken/{case_id}/stap/uitstel_aanvragen",
        {"due_date": (today() + timedelta(days=days)).isoformat(), "reason": reason},
    )


def load(app: Any, case_id: int) -> tuple[Case, list[CaseEvent]]:
    with in_app(app):
        case = db.session.get(Case, case_id)
        events = list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)))
        return case, events


def told(app: Any, case_id: int, step: str) -> set[str]:
    """Who is told of the step (the scheduler sends it), by e-mail address."""
    with in_app(app):
        from auth.models import User

        return set(
            db.session.scalars(
                select(User.email)
                .join(Notification, Notification.recipient_id == User.id)
                .join(CaseEvent, CaseEvent.id == Notification.subject_id)
                .where(
                    Notification.subject_type == "case_events",
                    CaseEvent.case_id == case_id,
                    CaseEvent.transition == step,
                )
            )
        )


def test_the_owner_asks_the_secretariat_grants_and_the_date_moves_with_its_history(app, clients):
    case_id = action_id(app)
    owner, sec = clients(OWNER), clients(SEC)
    assert offers(owner, case_id, "uitstel_aanvragen") and not offers(sec, case_id, "uitstel_aanvragen")
    assert not offers(sec, case_id, "uitstel_verlenen"), "nothing asked yet"
    assert ask(owner, case_id).status_code == 302
    case, events = load(app, case_id)
    old_due, wanted = today() + timedelta(days=5), today() + timedelta(days=30)
    assert case.state == "open" and case.due_date == old_due and case.requested_due_date == wanted
    assert (events[-1].transition, events[-1].from_state, events[-1].to_state) == ("uitstel_aanvragen", "open", "open")
    assert events[-1].due_date == wanted and events[-1].note == "De netbeheerder levert later."
    assert told(app, case_id, "uitstel_aanvragen") >= {SEC}

    start = text(sec.get("/"))
    assert "Uitstel gevraagd" in start and "Capaciteitskaart opvragen bij de netbeheerder" in start
    assert offers(sec, case_id, "uitstel_verlenen") and offers(sec, case_id, "uitstel_weigeren")
    assert not offers(owner, case_id, "uitstel_verlenen")
    assert "nieuwe datum gevraagd" in text(sec.get(f"/zaken/{case_id}"))
    assert not offers(owner, case_id, "uitstel_aanvragen"), "one request at a time"

    assert sec.post_form(f"/zaken/{case_id}/stap/uitstel_verlenen", {"reason": ""}).status_code == 302
    case, events = load(app, case_id)
    assert case.due_date == wanted and case.requested_due_date is None and case.state == "open"
    moved = [e for e in events if e.kind is EventKind.TERMIJN]
    assert [(e.previous_due_date, e.due_date) for e in moved] == [(old_due, wanted)]
    assert told(app, case_id, "uitstel_verlenen") >= {OWNER}
    page = text(owner.get(f"/zaken/{case_id}"))
    assert "Uitstel verlenen" in page and "datum verplaatst" in page and "Uitstel gevraagd" not in page
    assert offers(owner, case_id, "uitstel_aanvragen"), "a later request may follow"


def test_the_secretariat_refuses_with_a_reason_and_the_date_stays(app, clients):
    case_id = action_id(app)
    owner, sec = clients(OWNER), clients(SEC)
    ask(owner, case_id)
    response = sec.post_form(f"/zaken/{case_id}/stap/uitstel_weigeren", {"reason": " "})
    assert response.status_code == 400 and 'id="reason-uitstel_weigeren-fout"' in response.get_data(as_text=True)
    assert load(app, case_id)[0].requested_due_date is not None, "nothing stored"
    assert (
        sec.post_form(f"/zaken/{case_id}/stap/uitstel_weigeren", {"reason": "Het BO wacht hierop."}).status_code == 302
    )
    case, events = load(app, case_id)
    assert case.due_date == today() + timedelta(days=5) and case.requested_due_date is None
    assert events[-1].transition == "uitstel_weigeren" and events[-1].note == "Het BO wacht hierop."
    assert not [e for e in events if e.kind is EventKind.TERMIJN]
    assert "Uitstel weigeren" in text(owner.get(f"/zaken/{case_id}"))


@pytest.mark.parametrize(
    ("days", "message"),
    [(3, "Kies een datum na de huidige datum"), (-10, "Kies een datum na de huidige datum"), (900, "twee jaar")],
)
def test_a_date_that_is_no_postponement_is_refused_next_to_the_date(app, clients, days, message):
    case_id = action_id(app)
    response = ask(clients(OWNER), case_id, days=days)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and 'id="due_date-uitstel_aanvragen-fout"' in page
    assert "De netbeheerder levert later." in page, "the reason typed is kept"
    case, events = load(app, case_id)
    assert case.requested_due_date is None and [e.transition for e in events] == [None]


@pytest.mark.parametrize(
    ("email", "status"),
    [(SEC, 403), (EINDHOVEN, 403), (REGIO_AUDITOR, 403), (RIJK, 403), ("economie@gelderland.test", 404)],
)
def test_only_the_owners_participants_ask(app, clients, email, status):
    case_id = action_id(app)
    assert ask(clients(email), case_id).status_code == status
    malformed = clients(email).post_form(f"/zaken/{case_id}/stap/uitstel_aanvragen", {"due_date": "morgen"})
    assert malformed.status_code == status, "refused before the form is read"
    assert load(app, case_id)[0].requested_due_date is None


def test_only_the_secretariat_answers_and_the_other_side_never_sees_a_rijk_action(app, clients):
    case_id = action_id(app)
    ask(clients(OWNER), case_id)
    for email in (OWNER, EINDHOVEN, RIJK):
        assert clients(email).post_form(f"/zaken/{case_id}/stap/uitstel_verlenen", {}).status_code == 403
    assert load(app, case_id)[0].requested_due_date is not None
    hidden = action_id(app, Audience.RIJK)
    assert ask(clients(OWNER), hidden).status_code == 404
    assert clients(OWNER).get(f"/zaken/{hidden}").status_code == 404


def test_a_request_lapses_when_the_action_is_reported_done_or_the_date_is_moved(app):
    first, second = action_id(app), action_id(app)
    with in_app(app):
        owner, sec = user(OWNER), user(SEC)
        for case_id in (first, second):
            engine.fire(
                owner,
                db.session.get(Case, case_id),
                "uitstel_aanvragen",
                reason="Later.",
                details={"due_date": today() + timedelta(days=30)},
            )
        engine.fire(owner, db.session.get(Case, first), "gereed_melden")
        change_due_date(sec, db.session.get(Case, second), due_date=today() + timedelta(days=12), reason="Afgesproken.")
    assert load(app, first)[0].requested_due_date is None
    assert load(app, second)[0].requested_due_date is None and load(app, second)[0].due_date == today() + timedelta(
        days=12
    )
    with in_app(app):
        reopened = db.session.get(Case, first)
        engine.fire(user(SEC), reopened, "heropenen", reason="Nog niet af.")
        with pytest.raises(InvalidTransition, match="geen uitstel gevraagd"):
            engine.fire(user(SEC), reopened, "uitstel_verlenen")


def test_the_secretariat_is_told_of_the_request_with_the_date_asked(app, clients):
    from notify import services as notify

    case_id = action_id(app)
    ask(clients(OWNER), case_id, days=30, reason="De netbeheerder levert later.")
    with in_app(app):
        notify.dispatch("test:uitstel")
        from auth.models import User

        message = db.session.scalars(
            select(Notification)
            .join(CaseEvent, CaseEvent.id == Notification.subject_id)
            .join(User, User.id == Notification.recipient_id)
            .where(
                Notification.subject_type == "case_events",
                CaseEvent.case_id == case_id,
                CaseEvent.transition == "uitstel_aanvragen",
                User.email == SEC,
            )
        ).one()
    assert message.mail_subject.endswith(": uitstel aanvragen")
    asked = today() + timedelta(days=30)
    assert f"Gevraagde nieuwe datum: {asked.day} " in message.mail_text
    assert "De netbeheerder levert later." in message.mail_text
