"""The nota's parafenroute (seed 004's memo DGBI / 27293059), through the web as each person would
walk it, and through the services where that says it more plainly."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlalchemy import select

from auth.models import User
from cases import engine
from cases.models import Case, CaseEvent, EventKind, RouteStep, StepStatus
from cases.services import cases as case_services
from cases.services import nota
from cases.workflows import NOTA
from core.errors import DomainError, InvalidTransition, NotPermitted
from core.extensions import db
from notify.models import Notification
from tests.cases.people import REGIO
from tests.conftest import find_body, in_app, user

KENMERK = "DGBI / 27293059"
AUTEUR = "beleid@ezk.test"
DIRECTEUR = "directeur.top@ezk.test"
DG = "dg.bi@ezk.test"
MINISTER = "minister@ezk.test"
SECRETARIAAT = "secretariaat@ezk.test"
OCW = "beleid@ocw.test"
RIJK_PEOPLE = [AUTEUR, DIRECTEUR, DG, MINISTER, SECRETARIAAT]

NAMES = {
    AUTEUR: "Sanne de Vries",
    DIRECTEUR: "Willem Koster",
    DG: "Anouk Verbeek",
    MINISTER: "Minister van Economische Zaken en Klimaat",
    OCW: "Ahmed El Amrani",
    REGIO: "Joost van den Heuvel",
}

_STEP_FORM = re.compile(
    r'<form method="post" action="/zaken/\d+/stap/(\w+)"[^>]*>.*?<button[^>]*>([^<]+)</button>', re.DOTALL
)
_ROUTE = re.compile(r'<ol class="route">(.*?)</ol>', re.DOTALL)
_TURN = re.compile(r'<li aria-current="step"[^>]*>\s*<strong>([^<]+)</strong>(.*?)</li>', re.DOTALL)
_ROUTE_NAMES = re.compile(r"<li [^>]*>\s*<strong>([^<]+)</strong>")


# --- helpers --------------------------------------------------------------------------------------


@pytest.fixture
def memo(app) -> int:
    with in_app(app):
        return db.session.scalars(select(Case.id).where(Case.kenmerk == KENMERK)).one()


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def step_buttons(page: str) -> dict[str, str]:
    """The workflow steps the page offers: step name → button label."""
    return {name: html.unescape(label.strip()) for name, label in _STEP_FORM.findall(page)}


def route_block(page: str) -> str:
    match = _ROUTE.search(page)
    assert match, "no parafenroute on the page"
    return match.group(1)


def whose_turn(page: str, *, in_words: bool = True) -> str | None:
    """The name the parafenroute marks as at turn (and, with ``in_words``, says so), if any."""
    match = _TURN.search(route_block(page))
    if match is None:
        return None
    if in_words:
        assert "aan de beurt" in match.group(2), f"the step at turn does not say so: {match.group(2)!r}"
    return html.unescape(match.group(1))


def route_names(page: str) -> list[str]:
    return [html.unescape(name) for name in _ROUTE_NAMES.findall(route_block(page))]


def snapshot(app, case_id: int) -> tuple[Any, ...]:
    """Everything a step or an edit could change: state, text, route, history."""
    with in_app(app):
        case = db.session.get(Case, case_id)
        steps = db.session.scalars(select(RouteStep).where(RouteStep.case_id == case_id).order_by(RouteStep.position))
        events = db.session.scalars(select(CaseEvent.id).where(CaseEvent.case_id == case_id)).all()
        return (
            case.state,
            case.title,
            case.kenmerk,
            case.description,
            case.text_version,
            tuple((s.user_id, s.position, s.status, s.approved_version, s.comment, s.decides) for s in steps),
            len(events),
        )


def route_state(app, case_id: int) -> list[tuple[str, StepStatus, bool]]:
    """Per signatory in order: e-mail, status, and whether the paraaf holds on the current text."""
    with in_app(app):
        case = db.session.get(Case, case_id)
        rows = db.session.execute(
            select(User.email, RouteStep)
            .join(RouteStep, RouteStep.user_id == User.id)
            .where(RouteStep.case_id == case_id)
            .order_by(RouteStep.position)
        ).all()
        return [(email, step.status, step.approved_version == case.text_version) for email, step in rows]


def state_of(app, case_id: int) -> str:
    with in_app(app):
        return db.session.get(Case, case_id).state


def step_notifications(app, case_id: int, transition: str | None = None) -> list[tuple[str, str]]:
    """The step messages planned about this case: (variant, recipient e-mail), oldest first."""
    with in_app(app):
        query = (
            select(Notification.variant, User.email)
            .join(CaseEvent, CaseEvent.id == Notification.subject_id)
            .join(User, User.id == Notification.recipient_id)
            .where(
                Notification.kind == "zaak-stap",
                Notification.subject_type == "case_events",
                CaseEvent.case_id == case_id,
            )
            .order_by(Notification.id)
        )
        if transition is not None:
            query = query.where(CaseEvent.transition == transition)
        return [(variant, email) for variant, email in db.session.execute(query)]


def ok(response: Any, status: int = 302) -> Any:
    assert response.status_code == status, text(response)[:3000]
    return response


def step(client: Any, case_id: int, name: str, reason: str = "") -> Any:
    return client.post_form(f"/zaken/{case_id}/stap/{name}", {"reason": reason})


def walk_to(app, clients, case_id: int, stage: str) -> None:
    """Walk the memo over the web, as its people would, to ``stage``."""
    order = [
        ("aanbieden", AUTEUR, "aanbieden"),
        ("paraaf_directeur", DIRECTEUR, "paraferen"),
        ("laatste_paraaf", DG, "laatste_paraaf"),
    ]
    for name, email, transition in order:
        ok(step(clients(email), case_id, transition))
        if name == stage:
            return
    raise AssertionError(f"unknown stage {stage}")


# --- walking the route ----------------------------------------------------------------------------


def test_the_demo_memo_walks_its_route_and_only_the_person_at_turn_gets_the_buttons(app, clients, memo):
    people = {email: clients(email) for email in RIJK_PEOPLE}
    regio = clients(REGIO)
    stages = [
        # state, whose turn the page shows, who acts, the step, the buttons they get
        ("concept", None, AUTEUR, "aanbieden", {"aanbieden": "Ter parafering aanbieden"}),
        (
            "ter_parafering",
            NAMES[DIRECTEUR],
            DIRECTEUR,
            "paraferen",
            {"paraferen": "Paraferen", "terugsturen": "Terugsturen met opmerking"},
        ),
        (
            "ter_parafering",
            NAMES[DG],
            DG,
            "laatste_paraaf",
            {"laatste_paraaf": "Paraferen", "terugsturen": "Terugsturen met opmerking"},
        ),
        (
            "ter_beslissing",
            NAMES[MINISTER],
            MINISTER,
            "besluiten",
            {
                "besluiten": "Besluiten conform advies",
                "afwijzen": "Afwijzen",
                "terugsturen_beslisser": "Terugsturen met opmerking",
            },
        ),
    ]
    for state, turn_name, actor, transition, buttons in stages:
        assert state_of(app, memo) == state
        for email, client in people.items():
            page = text(ok(client.get(f"/zaken/{memo}"), 200))
            assert whose_turn(page) == turn_name, (state, email)
            offered = step_buttons(page)
            if email == actor:
                assert offered == buttons, (state, email)
            elif email == AUTEUR:
                # The author may take the nota back, but never initial or decide for someone.
                assert offered == {"terugnemen": "Terugnemen om te wijzigen"}, (state, email)
            else:
                assert offered == {}, (state, email)

        before = snapshot(app, memo)
        for email, client in people.items():
            if email != actor:
                assert step(client, memo, transition).status_code == 403, (state, email)
        assert step(regio, memo, transition).status_code == 404
        assert snapshot(app, memo) == before, "a refused step changed the nota"

        ok(step(people[actor], memo, transition))

    assert state_of(app, memo) == "besloten"
    assert [status for _email, status, _holds in route_state(app, memo)] == [StepStatus.AKKOORD] * 3
    page = text(people[AUTEUR].get(f"/zaken/{memo}"))
    assert whose_turn(page) is None
    assert "besloten op" in route_block(page)
    assert all(step_buttons(text(c.get(f"/zaken/{memo}"))) == {} for c in people.values())


def test_the_person_at_turn_finds_the_memo_under_aan_u_on_mijn_acties(app, clients, memo):
    walk_to(app, clients, memo, "aanbieden")
    waiting = text(clients(DIRECTEUR).get("/acties"))
    assert 'id="aan-de-beurt"' in waiting and KENMERK in waiting
    assert 'id="aan-de-beurt"' not in text(clients(DG).get("/acties"))
    mine = text(clients(AUTEUR).get("/acties"))
    assert KENMERK in mine and f"bij {NAMES[DIRECTEUR]}" in mine


def test_the_dg_cannot_initial_before_the_directeur(app, clients, memo):
    walk_to(app, clients, memo, "aanbieden")
    dg = clients(DG)
    before = snapshot(app, memo)
    assert step(dg, memo, "paraferen").status_code == 403
    assert step(dg, memo, "laatste_paraaf").status_code == 403
    assert step(dg, memo, "terugsturen", "Te vroeg.").status_code == 403
    assert snapshot(app, memo) == before
    assert whose_turn(text(dg.get(f"/zaken/{memo}"))) == NAMES[DIRECTEUR]

    # Nor may the directeur skip ahead to the last paraaf: the DG still follows.
    directeur = clients(DIRECTEUR)
    refused = step(directeur, memo, "laatste_paraaf")
    assert refused.status_code == 302
    assert "Na deze paraaf volgen er nog meer." in text(directeur.get(refused.location))
    assert snapshot(app, memo) == before

    with in_app(app):
        case = db.session.get(Case, memo)
        with pytest.raises(NotPermitted):
            engine.fire(user(DG), case, "paraferen")
    assert snapshot(app, memo) == before


def test_returning_with_a_comment_sends_the_memo_back_and_reoffering_continues_with_who_returned_it(app, clients, memo):
    walk_to(app, clients, memo, "paraaf_directeur")
    dg, auteur = clients(DG), clients(AUTEUR)

    before = snapshot(app, memo)
    refused = step(dg, memo, "terugsturen", "   ")
    assert refused.status_code == 400
    assert "Geef een reden of opmerking bij &#39;terugsturen met opmerking&#39;." in text(refused)
    assert snapshot(app, memo) == before

    comment = "Graag de passage over CFEI en RFEI aanscherpen."
    ok(step(dg, memo, "terugsturen", comment))
    assert state_of(app, memo) == "concept"
    assert route_state(app, memo) == [
        (DIRECTEUR, StepStatus.AKKOORD, True),
        (DG, StepStatus.TERUGGESTUURD, False),
        (MINISTER, StepStatus.OPEN, False),
    ]
    page = text(auteur.get(f"/zaken/{memo}"))
    assert f"Opmerking: {comment}" in route_block(page)
    assert "teruggestuurd op" in route_block(page)
    assert ("auteur", AUTEUR) in step_notifications(app, memo, "terugsturen")

    ok(step(auteur, memo, "aanbieden"))
    page = text(auteur.get(f"/zaken/{memo}"))
    assert whose_turn(page, in_words=False) == NAMES[DG]  # in words: see the test below
    assert "geparafeerd op" in route_block(page).split(NAMES[DG])[0]  # the directeur's paraaf stays
    assert route_state(app, memo)[0] == (DIRECTEUR, StepStatus.AKKOORD, True)
    assert step(clients(DIRECTEUR), memo, "paraferen").status_code == 403
    assert step_notifications(app, memo, "aanbieden")[-1] == ("aan_de_beurt", DG)

    ok(step(dg, memo, "laatste_paraaf"))
    assert state_of(app, memo) == "ter_beslissing"


def test_after_reoffering_the_page_says_the_one_who_returned_it_is_at_turn(app, clients, memo):
    walk_to(app, clients, memo, "paraaf_directeur")
    ok(step(clients(DG), memo, "terugsturen", "Graag de passage over CFEI en RFEI aanscherpen."))
    auteur = clients(AUTEUR)
    ok(step(auteur, memo, "aanbieden"))
    assert whose_turn(text(auteur.get(f"/zaken/{memo}"))) == NAMES[DG]


def _taken_back_after_the_directeurs_paraaf(app, clients, memo) -> Any:
    walk_to(app, clients, memo, "paraaf_directeur")
    auteur = clients(AUTEUR)
    ok(step(auteur, memo, "terugnemen", "Een passage aanpassen."))
    assert state_of(app, memo) == "concept"
    assert route_state(app, memo)[0] == (DIRECTEUR, StepStatus.AKKOORD, True)
    return auteur


def test_changing_the_text_after_a_paraaf_voids_it_and_the_route_starts_again(app, clients, memo):
    auteur = _taken_back_after_the_directeurs_paraaf(app, clients, memo)
    with in_app(app):
        case = db.session.get(Case, memo)
        title, description = case.title, case.description

    warning = text(auteur.get(f"/zaken/{memo}/bewerken"))
    assert "Al geparafeerd door Willem Koster" in warning

    ok(
        auteur.post_form(
            f"/zaken/{memo}/bewerken",
            {"title": title, "kenmerk": KENMERK, "description": description + "\n\nNieuwe alinea over de planning."},
        )
    )
    assert route_state(app, memo) == [
        (DIRECTEUR, StepStatus.OPEN, False),
        (DG, StepStatus.OPEN, False),
        (MINISTER, StepStatus.OPEN, False),
    ]
    with in_app(app):
        case = db.session.get(Case, memo)
        assert case.text_version == 2
        line = db.session.scalars(
            select(CaseEvent.note).where(CaseEvent.case_id == memo, CaseEvent.kind == EventKind.TEKST)
        ).one()
    assert "De paraaf van Willem Koster (directeur Topsectoren en Industriebeleid) vervalt" in line
    assert "De paraaf van Willem Koster" in text(auteur.get(f"/zaken/{memo}"))

    ok(step(auteur, memo, "aanbieden"))
    assert whose_turn(text(auteur.get(f"/zaken/{memo}"))) == NAMES[DIRECTEUR]
    assert step(clients(DG), memo, "laatste_paraaf").status_code == 403


def test_changing_only_the_kenmerk_voids_nothing(app, clients, memo):
    auteur = _taken_back_after_the_directeurs_paraaf(app, clients, memo)
    with in_app(app):
        case = db.session.get(Case, memo)
        title, description = case.title, case.description

    ok(
        auteur.post_form(
            f"/zaken/{memo}/bewerken", {"title": title, "kenmerk": "DGBI / 27293060", "description": description}
        )
    )
    with in_app(app):
        case = db.session.get(Case, memo)
        assert case.kenmerk == "DGBI / 27293060"
        assert case.text_version == 1
        assert not db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == memo, CaseEvent.kind == EventKind.TEKST)
        ).all()
    assert route_state(app, memo)[0] == (DIRECTEUR, StepStatus.AKKOORD, True)

    ok(step(auteur, memo, "aanbieden"))
    assert whose_turn(text(auteur.get(f"/zaken/{memo}"))) == NAMES[DG]


_TEXTAREA = re.compile(r'<textarea[^>]*name="description"[^>]*>(.*?)</textarea>', re.DOTALL)
_INPUT = re.compile(r'<input[^>]*name="(title|kenmerk)"[^>]*value="([^"]*)"')


def test_saving_the_edit_form_as_a_browser_does_with_only_a_new_kenmerk_voids_nothing(app, clients, memo):
    auteur = _taken_back_after_the_directeurs_paraaf(app, clients, memo)
    form = text(ok(auteur.get(f"/zaken/{memo}/bewerken"), 200))
    fields = {name: html.unescape(value) for name, value in _INPUT.findall(form)}
    shown = html.unescape(_TEXTAREA.search(form).group(1))
    # As HTML parses and submits a textarea: one leading newline dropped, line breaks sent as CRLF.
    shown = shown[1:] if shown.startswith("\n") else shown[2:] if shown.startswith("\r\n") else shown
    submitted = shown.replace("\r\n", "\n").replace("\n", "\r\n")
    ok(
        auteur.post_form(
            f"/zaken/{memo}/bewerken",
            {"title": fields["title"], "kenmerk": "DGBI / 27293060", "description": submitted},
        )
    )
    assert route_state(app, memo)[0] == (DIRECTEUR, StepStatus.AKKOORD, True)


def test_the_decision_maker_decides_last_and_a_rejection_needs_a_reason(app, clients, memo):
    walk_to(app, clients, memo, "aanbieden")
    minister = clients(MINISTER)
    before = snapshot(app, memo)
    refused = step(minister, memo, "besluiten")
    assert refused.status_code == 302
    assert "kan niet bij een nota met de status &#39;ter parafering&#39;" in text(minister.get(refused.location))
    assert snapshot(app, memo) == before
    with in_app(app), pytest.raises(InvalidTransition):
        engine.fire(user(MINISTER), db.session.get(Case, memo), "besluiten")

    ok(step(clients(DIRECTEUR), memo, "paraferen"))
    # One paraaf still open: still no decision.
    assert step(minister, memo, "besluiten").status_code == 302
    assert state_of(app, memo) == "ter_parafering"

    ok(step(clients(DG), memo, "laatste_paraaf"))
    before = snapshot(app, memo)
    refused = step(minister, memo, "afwijzen", "")
    assert refused.status_code == 400
    assert "Geef een reden of opmerking bij &#39;afwijzen&#39;." in text(refused)
    assert snapshot(app, memo) == before

    ok(step(minister, memo, "afwijzen", "Eerst de reactie van de regio afwachten."))
    with in_app(app):
        case = db.session.get(Case, memo)
        assert case.state == "afgewezen" and case.closed_at is not None
    assert route_state(app, memo)[-1][:2] == (MINISTER, StepStatus.AFGEWEZEN)
    page = text(minister.get(f"/zaken/{memo}"))
    assert "afgewezen op" in route_block(page)
    assert "Eerst de reactie van de regio afwachten." in page
    assert step_buttons(page) == {}


# --- who sees the nota ----------------------------------------------------------------------------


def test_a_regio_member_gets_404_for_the_memo_its_route_and_its_edit_page(app, clients, memo):
    regio = clients(REGIO)
    with in_app(app):
        step_id = db.session.scalars(select(RouteStep.id).where(RouteStep.case_id == memo)).first()
        ocw_id = user(OCW).id
    before = snapshot(app, memo)
    assert regio.get(f"/zaken/{memo}").status_code == 404
    assert regio.get(f"/zaken/{memo}/bewerken").status_code == 404
    assert regio.post_form(f"/zaken/{memo}/bewerken", {"title": "x", "description": "y"}).status_code == 404
    assert regio.post_form(f"/zaken/{memo}/route", {"user_id": ocw_id, "capacity": "x"}).status_code == 404
    for path in ("weg", "omhoog", "omlaag"):
        assert regio.post_form(f"/zaken/{memo}/route/{step_id}/{path}").status_code == 404, path
    for transition in NOTA.transitions:
        assert step(regio, memo, transition.name, "reden").status_code == 404, transition.name
    assert regio.get(f"/geschiedenis/cases/{memo}").status_code == 404
    assert snapshot(app, memo) == before

    # Nor does it turn up among the regio's work, before or while it is on its way.
    def not_in_acties() -> None:
        acties = text(regio.get("/acties"))
        assert KENMERK not in acties and "hightech maakindustrie van wereldniveau" not in acties

    not_in_acties()
    walk_to(app, clients, memo, "aanbieden")
    not_in_acties()
    # The regio's own auditor sees nothing of it either.
    auditor = clients("auditor@noord-brabant.test")
    assert auditor.get(f"/zaken/{memo}").status_code == 404
    assert auditor.get(f"/geschiedenis/cases/{memo}").status_code == 404


def test_a_regio_member_gets_404_for_the_history_of_the_memos_route_steps(app, clients, memo, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # the error page, as in production
    with in_app(app):
        step_id = db.session.scalars(select(RouteStep.id).where(RouteStep.case_id == memo)).first()
    auditor = clients("auditor@noord-brabant.test")
    assert auditor.get("/geschiedenis/nota_route/999999").status_code == 404
    assert auditor.get(f"/geschiedenis/nota_route/{step_id}").status_code == 404


def test_a_nota_stays_on_its_authors_side_unless_the_author_says_otherwise(app, clients):
    brabant = clients(REGIO)
    response = ok(
        brabant.post_form(
            "/overleggen/bo-brainport/notas/nieuw",
            {
                "title": "Inzet gedeputeerde voor het BO",
                "kenmerk": "PNB-2024-118",
                "description": "Concept.",
                "audience": "",
            },
        )
    )
    case_id = int(re.search(r"/zaken/(\d+)", response.location).group(1))
    with in_app(app):
        assert db.session.get(Case, case_id).audience.value == "regio"
    assert brabant.get(f"/zaken/{case_id}").status_code == 200
    assert clients("economie@eindhoven.test").get(f"/zaken/{case_id}").status_code == 200
    assert clients(AUTEUR).get(f"/zaken/{case_id}").status_code == 404
    assert "PNB-2024-118" not in text(clients(SECRETARIAAT).get("/acties"))


# --- editing the route ----------------------------------------------------------------------------


def test_only_the_author_edits_the_route_and_only_while_it_is_a_concept(app, clients, memo):
    with in_app(app):
        ocw_id = user(OCW).id
        step_id = db.session.scalars(select(RouteStep.id).where(RouteStep.case_id == memo)).first()
    new_step = {"user_id": ocw_id, "capacity": "beleidsadviseur OCW"}
    before = snapshot(app, memo)
    for email in (DIRECTEUR, SECRETARIAAT, MINISTER):
        client = clients(email)
        assert client.post_form(f"/zaken/{memo}/route", new_step).status_code == 403, email
        assert client.post_form(f"/zaken/{memo}/route/{step_id}/omlaag").status_code == 403, email
        assert client.post_form(f"/zaken/{memo}/route/{step_id}/weg").status_code == 403, email
        assert client.get(f"/zaken/{memo}/bewerken").status_code == 403, email
        assert "Iemand aan de route toevoegen" not in text(client.get(f"/zaken/{memo}"))
    assert snapshot(app, memo) == before

    auteur = clients(AUTEUR)
    assert "Iemand aan de route toevoegen" in text(auteur.get(f"/zaken/{memo}"))
    walk_to(app, clients, memo, "aanbieden")
    before = snapshot(app, memo)
    refused = auteur.post_form(f"/zaken/{memo}/route", new_step)
    assert refused.status_code == 302
    assert "De nota is niet meer in concept" in text(auteur.get(refused.location))
    assert auteur.post_form(f"/zaken/{memo}/route/{step_id}/weg").status_code == 302
    assert auteur.get(f"/zaken/{memo}/bewerken").status_code == 302
    assert snapshot(app, memo) == before
    assert "Iemand aan de route toevoegen" not in text(auteur.get(f"/zaken/{memo}"))


def test_a_person_who_cannot_see_the_nota_cannot_be_put_on_its_route(app, clients, memo):
    auteur = clients(AUTEUR)
    with in_app(app):
        regio_id = user(REGIO).id
    page = text(auteur.get(f"/zaken/{memo}"))
    assert NAMES[OCW] in page  # a Rijk member of the body is offered
    assert NAMES[REGIO] not in page

    before = snapshot(app, memo)
    refused = auteur.post_form(f"/zaken/{memo}/route", {"user_id": regio_id, "capacity": "gedeputeerde"})
    assert refused.status_code == 400
    error = re.search(r'<p class="error" id="user_id-fout">([^<]+)</p>', text(refused))
    assert error, "no message next to the person field"
    assert snapshot(app, memo) == before

    with in_app(app):
        case = db.session.get(Case, memo)
        with pytest.raises(DomainError) as refusal:
            nota.add_route_step(user(AUTEUR), case, user_id=regio_id, capacity="gedeputeerde economie")
        assert refusal.value.field == "user_id"
        assert refusal.value.message.startswith("Joost van den Heuvel kan deze nota niet zien.")
        db.session.rollback()
    assert snapshot(app, memo) == before


def test_a_signatory_is_on_the_route_once_and_the_decision_maker_stays_last(app, clients, memo):
    auteur = clients(AUTEUR)
    with in_app(app):
        ids = {email: user(email).id for email in (DIRECTEUR, OCW, SECRETARIAAT)}

    before = snapshot(app, memo)
    twice = auteur.post_form(f"/zaken/{memo}/route", {"user_id": ids[DIRECTEUR], "capacity": "directeur"})
    assert twice.status_code == 400
    assert "Willem Koster staat al in de parafenroute." in text(twice)
    second_decider = auteur.post_form(
        f"/zaken/{memo}/route", {"user_id": ids[SECRETARIAAT], "capacity": "secretaris", "decides": "y"}
    )
    assert second_decider.status_code == 400
    assert "Er is al een beslisser." in text(second_decider)
    assert snapshot(app, memo) == before

    ok(auteur.post_form(f"/zaken/{memo}/route", {"user_id": ids[OCW], "capacity": "beleidsadviseur OCW"}))
    assert [email for email, *_ in route_state(app, memo)] == [DIRECTEUR, DG, OCW, MINISTER]
    with in_app(app):
        positions = db.session.scalars(
            select(RouteStep.position).where(RouteStep.case_id == memo).order_by(RouteStep.position)
        ).all()
    assert positions == [1, 2, 3, 4]
    page = text(auteur.get(f"/zaken/{memo}"))
    assert route_names(page) == [NAMES[DIRECTEUR], NAMES[DG], NAMES[OCW], NAMES[MINISTER]]


def test_the_author_moves_parafen_up_and_down_but_never_past_the_decision_maker(app, clients, memo):
    auteur = clients(AUTEUR)
    with in_app(app):
        case = db.session.get(Case, memo)
        nota.add_route_step(user(AUTEUR), case, user_id=user(OCW).id, capacity="beleidsadviseur OCW")
        db.session.flush()
        steps = {
            email: step_id
            for email, step_id in db.session.execute(
                select(User.email, RouteStep.id)
                .join(User, User.id == RouteStep.user_id)
                .where(RouteStep.case_id == memo)
            )
        }

    def order() -> list[str]:
        return [email for email, *_ in route_state(app, memo)]

    ok(auteur.post_form(f"/zaken/{memo}/route/{steps[OCW]}/omhoog"))
    assert order() == [DIRECTEUR, OCW, DG, MINISTER]
    ok(auteur.post_form(f"/zaken/{memo}/route/{steps[DIRECTEUR]}/omlaag"))
    assert order() == [OCW, DIRECTEUR, DG, MINISTER]
    ok(auteur.post_form(f"/zaken/{memo}/route/{steps[OCW]}/omhoog"))  # already first: nothing moves
    ok(auteur.post_form(f"/zaken/{memo}/route/{steps[DG]}/omlaag"))  # the last paraaf stays before the decider
    assert order() == [OCW, DIRECTEUR, DG, MINISTER]
    refused = auteur.post_form(f"/zaken/{memo}/route/{steps[MINISTER]}/omhoog")
    assert "De beslisser beslist altijd als laatste." in text(auteur.get(refused.location))
    assert order() == [OCW, DIRECTEUR, DG, MINISTER]
    assert route_names(text(auteur.get(f"/zaken/{memo}"))) == [NAMES[OCW], NAMES[DIRECTEUR], NAMES[DG], NAMES[MINISTER]]

    ok(auteur.post_form(f"/zaken/{memo}/route/{steps[OCW]}/weg"))
    assert order() == [DIRECTEUR, DG, MINISTER]
    ok(step(auteur, memo, "aanbieden"))
    assert whose_turn(text(auteur.get(f"/zaken/{memo}"))) == NAMES[DIRECTEUR]


# --- notifications --------------------------------------------------------------------------------


def test_each_step_tells_the_next_person_and_nobody_their_own_step(app, clients, memo):
    walk_to(app, clients, memo, "aanbieden")
    assert step_notifications(app, memo, "aanbieden") == [("aan_de_beurt", DIRECTEUR)]

    ok(step(clients(DIRECTEUR), memo, "paraferen"))
    assert step_notifications(app, memo, "paraferen") == [("aan_de_beurt", DG)]

    ok(step(clients(DG), memo, "laatste_paraaf"))
    assert step_notifications(app, memo, "laatste_paraaf") == [("beslisser", MINISTER)]

    ok(step(clients(MINISTER), memo, "besluiten"))
    assert step_notifications(app, memo, "besluiten") == [("auteur", AUTEUR)]

    for variant, email in step_notifications(app, memo):
        assert (variant, email) in {
            ("aan_de_beurt", DIRECTEUR),
            ("aan_de_beurt", DG),
            ("beslisser", MINISTER),
            ("auteur", AUTEUR),
        }


def test_a_minister_who_writes_and_decides_a_nota_is_not_told_of_their_own_decision(app):
    with in_app(app):
        bo = find_body()
        minister, directeur = user(MINISTER), user(DIRECTEUR)
        case = case_services.create_nota(
            minister, bo, title="Reactie op de motie over de mainportstatus", kenmerk=None, description="Concept."
        )
        db.session.flush()
        nota.add_route_step(minister, case, user_id=directeur.id, capacity="directeur Topsectoren")
        nota.add_route_step(minister, case, user_id=minister.id, capacity="minister", decides=True)
        engine.fire(minister, case, "aanbieden")
        engine.fire(directeur, case, "laatste_paraaf")
        engine.fire(minister, case, "besluiten")
        case_id = case.id
    assert step_notifications(app, case_id, "aanbieden") == [("aan_de_beurt", DIRECTEUR)]
    assert step_notifications(app, case_id, "laatste_paraaf") == [("beslisser", MINISTER)]
    assert step_notifications(app, case_id, "besluiten") == []  # the author decided: nobody else to tell
