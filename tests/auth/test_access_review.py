"""The access review of a body (issue 15; BIO: access rights reviewed periodically, and shown to be):
who holds which role since when, last sign-in, open invitations, who is named on vertrouwelijk items
(only on items the reader may see), an export, a reminder every quarter, and who confirmed it when."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import select

from audit.models import AuditRecord
from auth.models import Membership, Role
from auth.services import update_user
from core.db import Audience
from core.extensions import db
from meetings.models import AccessReview, Body
from meetings.services import notes
from notify import services as notify
from notify.models import Notification, NotificationState
from tests.auth.conftest import invited
from tests.conftest import find_body, in_app, user

SEC, AUDITOR, REGIO_AUDITOR = "secretariaat@ezk.test", "auditor@ezk.test", "auditor@noord-brabant.test"
BEHEER, RIJK, BRABANT = "beheer@regiotafel.test", "beleid@ezk.test", "economie@noord-brabant.test"
PAGE = "/overleggen/bo-brainport/toegang"
RIJK_NOTE = "Rijksnotitie alleen voor het secretariaat"
REGIO_NOTE = "Provinciale notitie alleen voor de eigen auditor"


def named_notes(app) -> None:
    """A vertrouwelijk note on each side: the Rijk one names the secretariat, the regio one the regio auditor."""
    with in_app(app):
        for author, title, named in ((RIJK, RIJK_NOTE, SEC), (BRABANT, REGIO_NOTE, REGIO_AUDITOR)):
            notes.add_note(
                user(author),
                find_body(),
                title=title,
                text="x",
                audience=Audience.VERTROUWELIJK,
                shared_with=[user(named).id],
            )


def row_of(page: str, email: str) -> str:
    start = page.index(email)
    return page[start : page.index("</tr>", start)]


def test_the_secretariat_sees_roles_since_when_last_sign_in_and_open_invitations(app, clients):
    with in_app(app):
        invited("nieuw@ezk.test", "Nieuw Lid", Role.WAARNEMER)
    page = clients(SEC).get(PAGE).get_data(as_text=True)
    for email in (RIJK, BRABANT, "beleid@ienw.test", REGIO_AUDITOR, "nieuw@ezk.test"):
        assert email in page
    assert "1 juni 2022" in row_of(page, RIJK)  # role since the demo's beheerder gave it
    assert "nooit" in row_of(page, "beleid@ienw.test")  # never signed in (the demo only sets passwords)
    assert "uitgenodigd" in row_of(page, "nieuw@ezk.test")
    invitations = page[page.index('id="uitnodigingen"') : page.index('id="reviews"')]
    assert "Nieuw Lid" in invitations and "Functioneel beheer" in invitations


def test_named_people_show_only_on_items_the_reader_may_see(app, clients):
    named_notes(app)
    secretariat = clients(SEC).get(PAGE).get_data(as_text=True)
    assert RIJK_NOTE in row_of(secretariat, RIJK) and RIJK_NOTE in row_of(secretariat, SEC)
    assert REGIO_NOTE not in secretariat  # the secretariat is not named on it: not here either
    regio = clients(REGIO_AUDITOR).get(PAGE).get_data(as_text=True)
    assert REGIO_NOTE in row_of(regio, BRABANT)
    # A regio auditor does not learn of a Rijk-only item here: not its title, not a count.
    assert RIJK_NOTE not in regio
    assert ">—</td>" in row_of(regio, SEC)
    assert "Signaal: mogelijke uitbreiding" not in regio  # the demo's vertrouwelijk signal names neither
    # The beheerder is no member and sees no item: the page, but no names on items.
    beheer = clients(BEHEER).get(PAGE).get_data(as_text=True)
    assert RIJK_NOTE not in beheer and REGIO_NOTE not in beheer and RIJK in beheer


def test_who_may_read_the_review(app, clients):
    assert clients(AUDITOR).get(PAGE).status_code == 200
    assert clients(RIJK).get(PAGE).status_code == 403
    assert clients("economie@gelderland.test").get(PAGE).status_code == 404  # no member of BO-Brainport
    assert clients(BEHEER).get(PAGE).status_code == 200


def test_the_export_holds_the_people_as_the_reader_sees_them_and_no_formula(app, clients):
    named_notes(app)
    with in_app(app):
        person = user("beleid@ienw.test")
        update_user(
            user(BEHEER),
            person,
            email=person.email,
            name='=HYPERLINK("http://evil.example","klik")',
            organisation_id=person.organisation_id,
        )
    response = clients(REGIO_AUDITOR).get(PAGE + ".csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Naam", "E-mailadres", "Organisatie"]
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["beleid@ienw.test"][0].startswith("'=HYPERLINK")
    assert REGIO_NOTE in by_email[BRABANT][-1]
    assert all(RIJK_NOTE not in cell for row in rows for cell in row)
    workbook = load_workbook(io.BytesIO(clients(SEC).get(PAGE + ".xlsx").get_data()))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    formula = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert formula.data_type == "s" and str(formula.value).startswith("'")
    assert any(RIJK_NOTE in str(c.value) for c in cells)


def test_confirming_the_review_records_who_and_when_and_an_auditor_may_not(app, clients):
    secretariat = clients(SEC)
    assert "nog niet nagekeken in deze periode" in secretariat.get(PAGE).get_data(as_text=True)
    assert clients(AUDITOR).post_form(PAGE + "/afgerond", {"note": "Gezien"}).status_code == 403
    response = secretariat.post_form(PAGE + "/afgerond", {"note": "Twee oud-medewerkers van IenW verwijderd."})
    assert response.status_code == 302
    page = secretariat.get(PAGE).get_data(as_text=True)
    assert "nagekeken in deze periode" in page and "Twee oud-medewerkers van IenW verwijderd." in page
    with in_app(app):
        review = db.session.scalars(select(AccessReview)).one()
        assert review.reviewer_id == user(SEC).id and review.body_id == find_body().id
        record = db.session.scalars(
            select(AuditRecord).where(AuditRecord.object_type == "access_reviews", AuditRecord.object_id == review.id)
        ).one()
        assert record.action == "create" and record.actor_user_id == user(SEC).id
    assert "Twee oud-medewerkers" in clients(AUDITOR).get(PAGE).get_data(as_text=True)


def reminders() -> list[Notification]:
    return list(
        db.session.scalars(select(Notification).where(Notification.kind == "toegangsreview").order_by(Notification.id))
    )


def test_the_scheduler_asks_the_beheerder_and_each_secretariat_once_per_quarter(app, clock):
    clock(datetime(2031, 2, 10, 9, 0, tzinfo=UTC))
    with in_app(app):
        notify.plan_due()
        first = {(n.key, n.recipient_id) for n in reminders()}
        beheer, sec = user(BEHEER).id, user(SEC).id
        bodies = dict(db.session.execute(select(Body.id, Body.slug)).all())
        # Per body and quarter: the beheerder and the body's secretariat (one person here, of both bodies).
        assert {(key.rsplit(":", 1)[0], who) for key, who in first} == {
            (f"toegangsreview:{body}:2031-01", who) for body in bodies for who in (beheer, sec)
        }
        notify.plan_due()
        assert {(n.key, n.recipient_id) for n in reminders()} == first  # planned twice, planned once
        from meetings.services.access import confirm_review

        confirm_review(user(SEC), find_body())
        notify.dispatch("test:review")
        states = {(n.subject_id, n.recipient_id): n.state for n in reminders()}
        rom = next(body for body, slug in bodies.items() if slug == "rom-overleg")
        assert states[(find_body().id, sec)] is NotificationState.VERVALLEN  # already reviewed this quarter
        assert states[(rom, sec)] is NotificationState.IN_POSTVAK
        kept = db.session.scalars(
            select(Notification.mail_text).where(Notification.kind == "toegangsreview", Notification.subject_id == rom)
        ).first()
        assert "/overleggen/rom-overleg/toegang" in kept
    clock(datetime(2031, 4, 1, 7, 0, tzinfo=UTC))  # the next quarter
    with in_app(app):
        notify.plan_due()
        keys = {n.key.rsplit(":", 1)[0] for n in reminders()}
        assert {f"toegangsreview:{body}:2031-04" for body in bodies} <= keys


def test_the_period_is_configurable(app, clock, monkeypatch):
    monkeypatch.setitem(app.config, "ACCESS_REVIEW_MONTHS", 6)
    clock(datetime(2031, 11, 30, 12, 0, tzinfo=UTC))
    with in_app(app):
        notify.plan_due()
        assert {n.key.split(":")[2] for n in reminders()} == {"2031-07"}


def test_a_role_taken_away_is_in_the_trail(app, clients):
    """What the review looks at must have a history: revoking a role is recorded like granting one."""
    with in_app(app):
        membership = db.session.scalars(
            select(Membership).where(
                Membership.user_id == user("beleid@ienw.test").id, Membership.body_id == find_body().id
            )
        ).one()
        membership_id = membership.id
    response = clients(BEHEER).post_form(f"/beheer/lidmaatschappen/{membership_id}/verwijderen")
    assert response.status_code == 302
    with in_app(app):
        assert db.session.get(Membership, membership_id) is None
        record = db.session.scalars(
            select(AuditRecord).where(
                AuditRecord.object_type == "memberships",
                AuditRecord.object_id == membership_id,
                AuditRecord.action == "delete",
            )
        ).one()
        assert (
            record.changes["role"] == ["waarnemer", None]
            and record.main_object == f"users/{record.changes['user_id'][0]}"
        )
