"""Bad input on every form: a clear Dutch message next to the field, status 400, nothing stored, no 500."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from audit.models import AuditRecord
from core.dates import now
from core.extensions import db
from demo.pdf import text_pdf
from tests.conftest import find_body, in_app, meeting_held, user
from tests.sso.provider_process import provider_fields

LONG = "x" * 100_000


@dataclass
class Targets:
    ids: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.ids[key]


@pytest.fixture
def targets(app, clock) -> Targets:
    """Demo objects in the states the forms need; the next BO-Brainport agenda is published for it, and
    a concept decision taken after that meeting (the clock is then put back: the forms are posted today)."""
    from cases.models import Case, CaseType
    from cases.services.cases import create_follow_up
    from meetings.models import (
        AgendaItem,
        Decision,
        DecisionComment,
        Meeting,
        Milestone,
        Note,
        ReviewStatus,
        Seat,
        StandingItem,
    )
    from meetings.services import agenda, decisions

    with in_app(app):
        sec = user("secretariaat@ezk.test")
        bo = find_body()
        upcoming = db.session.scalars(
            select(Meeting).where(Meeting.body_id == bo.id, Meeting.agenda_published_at.is_(None))
        ).one()
        agenda.publish_agenda(sec, upcoming)
        started = now()
        meeting_held(clock, upcoming)
        item = db.session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == upcoming.id).order_by(AgendaItem.position)
        ).all()[1]
        concept_decision = decisions.add_decision(sec, item, text="Een conceptbesluit.")
        db.session.flush()
        clock(started)
        rom_decision = db.session.scalars(
            select(Decision)
            .join(Meeting, Decision.meeting_id == Meeting.id)
            .where(Meeting.besluitenlijst_status == ReviewStatus.TER_COMMENTAAR)
        ).first()
        open_comment = db.session.scalars(select(DecisionComment).where(DecisionComment.status == "open")).first()
        request = db.session.scalars(
            select(Case).where(Case.type == "agendaverzoek", Case.state == "ingediend")
        ).first()
        action = db.session.scalars(select(Case).where(Case.type == "actiepunt", Case.state == "open")).first()
        milestone = db.session.scalars(select(Milestone).where(Milestone.cycle_id == upcoming.cycle_id)).first()
        ids = {
            "bo": "bo-brainport",
            "meeting": upcoming.id,
            "held": upcoming.ends_at + timedelta(minutes=30),
            "meeting_date": upcoming.starts_at.date(),
            "item": item.id,
            "concept_decision": concept_decision.id,
            "rom_decision": rom_decision.id,
            "comment": open_comment.id,
            "request": request.id,
            "action": action.id,
            "milestone": milestone.id,
            "ezk": sec.organisation_id,
            "brabant_user": user("economie@noord-brabant.test").id,
            "organisation": sec.organisation_id,
            "user": user("beleid@ocw.test").id,
            "outsider": user("economie@gelderland.test").id,  # no member of BO-Brainport
            "note": db.session.scalars(
                select(Note.id).where(Note.author_id == user("economie@noord-brabant.test").id)
            ).first(),
            "memo": db.session.scalars(select(Case.id).where(Case.type == "nota")).first(),
            "dossier": db.session.scalars(select(Case.id).where(Case.type == "dossier")).first(),
            "directeur": user("directeur.top@ezk.test").id,
            "province_user": user("economie@noord-brabant.test").id,
            "standing": db.session.scalars(
                select(StandingItem.id).where(StandingItem.body_id == bo.id).order_by(StandingItem.id)
            ).first(),
            "brabant_seat": db.session.scalars(
                select(Seat.id).where(Seat.body_id == bo.id, Seat.organisation_id == user(BRABANT).organisation_id)
            ).first(),
            # An action of the province's without a postponement asked (the demo's has one waiting).
            "brabant_action": create_follow_up(
                sec,
                bo,
                case_type=CaseType.ACTIEPUNT,
                title="Laadpleinen inventariseren",
                owner_organisation_id=user("economie@noord-brabant.test").organisation_id,
                due_date=date.today() + timedelta(days=10),
            ).id,
        }
        ids.update(_links(bo))
    return Targets(ids)


def _links(bo: Any) -> dict[str, str]:
    """A link of an invitation and of a password reset that work, and a body whose secretariat invites."""
    from audit.events import NOBODY
    from auth import invitations, links, recovery
    from auth.models import PasswordReset
    from meetings.services.bodies import set_secretariat_invites

    beheer = user("beheer@regiotafel.test")
    set_secretariat_invites(beheer, bo, allowed=True)
    invitation = invitations.invite_user(
        beheer,
        email="uitgenodigd@ezk.test",
        name="Uitgenodigd",
        organisation_id=user("beleid@ezk.test").organisation_id,
    )
    recovery.request_password_reset(NOBODY, email="beleid@ocw.test", address="10.1.2.3")
    reset = db.session.scalars(select(PasswordReset).where(PasswordReset.email == "beleid@ocw.test")).one()
    return {
        "invite_token": invitations.token_of(invitation),
        "reset_token": links.token_for(recovery.PURPOSE, reset.nonce),
    }


def pdf_upload(name: str = "stuk.pdf", content: bytes | None = None) -> tuple[io.BytesIO, str]:
    return io.BytesIO(content if content is not None else text_pdf("Stuk", ["Inhoud."])), name


SEC, BEHEER, BRABANT = "secretariaat@ezk.test", "beheer@regiotafel.test", "economie@noord-brabant.test"
#: The author of the demo's memo.
AUTHOR = "beleid@ezk.test"
#: Signed in with a password, second step still to come (the user has a second factor).
HALFWAY = "halfway"


def cycle_form(**changes: Any) -> dict[str, Any]:
    data = {
        "meeting_date": (date.today() + timedelta(days=400)).isoformat(),
        "start_time": "10:00",
        "end_time": "12:00",
        "location": "Den Haag",
        "chair": "Minister van EZK",
        "audience": "overleg",
    }
    return {**data, **changes}


def settings_form(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "BO-Brainport",
        "description": "",
        "agendaverzoeken_sluiten": -42,
        "ambtelijk_voorportaal": -28,
        "stukken_verzonden": -7,
        "conceptverslag": 14,
        "reactietermijn_sluit": 28,
    }
    return {**data, **changes}


#: An organisation's identity provider, as its beheer page posts it (the booleans left unticked).
PROVIDER = {
    k: v
    for k, v in provider_fields("https://login.microsoftonline.com/tenant/v2.0", 0).items()
    if not isinstance(v, bool) and k != "organisation_id"
}


# (who, url, form data, expected message, field whose error it is, or None for a page-level refusal)
CASES: list[tuple[str, str, Any, str, str | None]] = [
    (None, "/auth/login", {"email": "", "password": ""}, "Vul dit veld in", "email"),
    (None, "/taal", {"locale": "fr"}, "Kies Nederlands of English.", "locale"),
    (SEC, "/taal", {"locale": "klingon"}, "Kies Nederlands of English.", "locale"),
    (None, "/auth/login", {"email": "a@b.nl", "password": LONG}, "te lang", "password"),
    (BRABANT, "/auth/account/api-tokens", {"name": "", "scope": "read", "days": "30"}, "Vul dit veld in", "name"),
    (BRABANT, "/auth/account/api-tokens", {"name": "x", "scope": "alles", "days": "30"}, "Kies een van", "scope"),
    (BRABANT, "/auth/account/api-tokens", {"name": "x", "scope": "read", "days": "0"}, "1 tot 365 dagen", "days"),
    (BRABANT, "/auth/account/api-tokens", {"name": LONG, "scope": "read", "days": "x"}, "te lang", "name"),
    (BEHEER, "/beheer/organisaties/nieuw", {"name": "", "short_name": "X", "side": "rijk"}, "Vul dit veld in", "name"),
    (BEHEER, "/beheer/organisaties/nieuw", {"name": LONG, "short_name": "X", "side": "rijk"}, "te lang", "name"),
    (
        BEHEER,
        "/beheer/organisaties/nieuw",
        {"name": "Nieuw", "short_name": "N", "side": "midden"},
        "Kies een van",
        "side",
    ),
    (
        BEHEER,
        "/beheer/organisaties/nieuw",
        {"name": "Nieuw", "short_name": "N", "side": "rijk", "tooi_uri": "http://example.org"},
        "TOOI",
        "tooi_uri",
    ),
    (
        BEHEER,
        "/beheer/organisaties/{organisation}",
        {"name": "Provincie Noord-Brabant", "short_name": "EZK", "side": "rijk"},
        "Er is al een organisatie",
        "name",
    ),
    (
        BEHEER,
        "/beheer/inlogdiensten/nieuw",
        {**PROVIDER, "organisation_id": "{organisation}", "issuer": "http://login.example.org"},
        "Een issuer is een https-adres",
        "issuer",
    ),
    (
        BEHEER,
        "/beheer/inlogdiensten/nieuw",
        {**PROVIDER, "organisation_id": "{organisation}", "email_domains": "@ezk.nl"},
        "Geef domeinen als",
        "email_domains",
    ),
    (
        BEHEER,
        "/beheer/gebruikers/nieuw",
        {"email": "geen-adres", "name": "A", "organisation_id": "{organisation}", "locale": "nl"},
        "geldig e-mailadres",
        "email",
    ),
    (
        BEHEER,
        "/beheer/gebruikers/nieuw",
        {"email": "beleid@ocw.test", "name": "A", "organisation_id": "{organisation}", "locale": "nl"},
        "al een gebruiker",
        "email",
    ),
    (
        BEHEER,
        "/beheer/gebruikers/nieuw",
        {"email": "n@ezk.test", "name": "A", "organisation_id": "{organisation}", "locale": "kl"},
        "Kies Nederlands of English",
        "locale",
    ),
    (
        BEHEER,
        "/beheer/gebruikers/nieuw",
        {
            "email": "n@ezk.test",
            "name": "A",
            "organisation_id": "{organisation}",
            "locale": "nl",
            "roles-0-body_id": "1",
            "roles-0-role": "koning",
        },
        "Kies een van",
        "roles-0-role",
    ),
    # The secretariat of BO-Brainport may invite there (the targets allow it), but not an auditor.
    (
        SEC,
        "/overleggen/{bo}/toegang/uitnodigen",
        {"email": "n@ezk.test", "name": "A", "organisation_id": "{organisation}", "locale": "nl", "role": "auditor"},
        "Kies een van",
        "role",
    ),
    (SEC, "/overleggen/{bo}/toegang/afgerond", {"note": LONG}, "te lang", "note"),
    (BEHEER, "/beheer/gebruikers/{user}/uitzetten", {"reason": LONG}, "te lang", "reason"),
    (None, "/auth/wachtwoord-vergeten", {"email": "geen-adres"}, "geldig e-mailadres", "email"),
    (
        None,
        "/auth/uitnodiging",
        {"token": "{invite_token}", "password": "kort", "confirm": "kort"},
        "minstens 12",
        "password",
    ),
    (
        None,
        "/auth/wachtwoord-herstellen",
        {"token": "{reset_token}", "password": "een-lang-wachtwoord", "confirm": "een-ander-wachtwoord"},
        "niet gelijk",
        "confirm",
    ),
    (
        BEHEER,
        "/beheer/gebruikers/{user}",
        {"email": "", "name": "A", "organisation_id": "{organisation}"},
        "Vul dit veld in",
        "email",
    ),
    (HALFWAY, "/auth/tweede-stap", {"code": ""}, "Vul de code in", "code"),
    (HALFWAY, "/auth/tweede-stap", {"code": LONG}, "te lang", "code"),
    (SEC, "/auth/tweede-stap/instellen", {"code": ""}, "Vul de code in", "code"),
    (SEC, "/auth/tweede-stap/instellen", {"code": "123456"}, "klopt niet", "code"),
    (
        SEC,
        "/auth/account/wachtwoord",
        {"current": "regiotafel-demo", "password": "kort", "confirm": "kort"},
        "minstens 12",
        "password",
    ),
    (
        SEC,
        "/auth/account/wachtwoord",
        {
            "current": "niet-mijn-wachtwoord",
            "password": "een-goed-nieuw-zinnetje",
            "confirm": "een-goed-nieuw-zinnetje",
        },
        "niet uw huidige wachtwoord",
        "current",
    ),
    (
        SEC,
        "/auth/account/wachtwoord",
        {"current": "regiotafel-demo", "password": "welkom2024!!", "confirm": "welkom2024!!"},
        "veelgebruikte",
        "password",
    ),
    (BEHEER, "/beheer/overleggen", {"name": LONG}, "te lang", "name"),
    (SEC, "/audit/export", {"start": "2024-02-01", "end": "2024-01-01"}, "vóór de begindatum", "end"),
    # Only the form of an address is judged: whether it has an account, the export does not tell.
    (SEC, "/audit/export", {"actor": "niemand-at-nergens.test"}, "geldig e-mailadres", "actor"),
    (BEHEER, "/beheer/overleggen/nieuw", {"name": "Nieuw overleg", "slug": "Met Spaties!"}, "kleine letters", "slug"),
    (BEHEER, "/beheer/overleggen/{bo}", settings_form(agendaverzoeken_sluiten=5), "volgorde", "ambtelijk_voorportaal"),
    (BEHEER, "/beheer/overleggen/{bo}", settings_form(conceptverslag="veertien"), "aantal dagen", "conceptverslag"),
    (BEHEER, "/beheer/overleggen/{bo}/leden", {"user_id": "", "role": "deelnemer"}, "Kies een gebruiker", "user_id"),
    (
        SEC,
        "/overleggen/{bo}/zetels",
        {"function": "", "organisation_id": "{organisation}"},
        "Vul dit veld in",
        "function",
    ),
    (SEC, "/overleggen/{bo}/cycli/nieuw", cycle_form(end_time="09:00"), "eindtijd", "end_time"),
    (SEC, "/overleggen/{bo}/cycli/nieuw", cycle_form(meeting_date="2027-02-31"), "geldige datum", "meeting_date"),
    (SEC, "/overleggen/{bo}/cycli/nieuw", cycle_form(location=LONG), "te lang", "location"),
    (SEC, "/overleggen/{bo}/cycli/nieuw", cycle_form(meeting_date="2023-03-01"), "Er is al een cyclus", "meeting_date"),
    (SEC, "/mijlpalen/{milestone}", {"due_date": "gisteren"}, "geldige datum", "due-{milestone}"),
    (SEC, "/vergaderingen/{meeting}/bewerken", cycle_form(meeting_date="2031-03-01"), "buiten", "meeting_date"),
    (SEC, "/vergaderingen/{meeting}/bewerken", cycle_form(kenmerk="K" * 61), "hoogstens 60 tekens", "kenmerk"),
    (SEC, "/overleggen/{bo}/cycli/nieuw", cycle_form(kenmerk="K" * 61), "hoogstens 60 tekens", "kenmerk"),
    (
        SEC,
        "/vergaderingen/{meeting}/bewerken",
        cycle_form(start_time="16:00", end_time="15:00"),
        "eindtijd",
        "end_time",
    ),
    (
        SEC,
        "/vergaderingen/{meeting}/agendapunten/nieuw",
        {"title": "", "kind": "hamerstuk"},
        "Vul dit veld in",
        "title",
    ),
    (
        SEC,
        "/vergaderingen/{meeting}/agendapunten/nieuw",
        {"title": "T", "kind": "hamerstuk", "description": LONG},
        "te lang",
        "description",
    ),
    (SEC, "/vergaderingen/{meeting}/agendapunten/nieuw", {"title": "T", "kind": "onzin"}, "Kies een van", "kind"),
    (SEC, "/agendapunten/{item}/bewerken", {"title": "", "kind": "hamerstuk"}, "Vul dit veld in", "title"),
    (
        SEC,
        "/agendapunten/{item}/bewerken",
        {"title": "T", "kind": "hamerstuk", "duration_minutes": "een half uur"},
        "hele minuten",
        "duration_minutes",
    ),
    (
        SEC,
        "/vergaderingen/{meeting}/agendapunten/nieuw",
        {"title": "T", "kind": "hamerstuk", "duration_minutes": "0"},
        "hele minuten",
        "duration_minutes",
    ),
    # Naar plaats n: no place, a word, and a place beyond the end, each next to the item's own select.
    (SEC, "/agendapunten/{item}/verplaatsen", {}, "Kies een plaats", "position-{item}"),
    (SEC, "/agendapunten/{item}/verplaatsen", {"position": "boven"}, "Kies een plaats", "position-{item}"),
    (SEC, "/agendapunten/{item}/verplaatsen", {"position": "99"}, "van 1 tot en met", "position-{item}"),
    (SEC, "/vergaderingen/{meeting}/documenten/nieuw?agendapunt={item}", {"title": "Stuk"}, "Kies een bestand", "file"),
    (
        SEC,
        "/vergaderingen/{meeting}/documenten/nieuw?agendapunt={item}",
        {"title": "Stuk", "file": lambda: pdf_upload("virus.exe")},
        "Dit soort bestand kan niet",
        "file",
    ),
    (
        SEC,
        "/vergaderingen/{meeting}/documenten/nieuw?agendapunt={item}",
        {"title": "Stuk", "file": lambda: pdf_upload("nep.pdf", b"MZ\x90\x00 not a pdf")},
        "past niet bij",
        "file",
    ),
    (
        SEC,
        "/vergaderingen/{meeting}/documenten/nieuw?agendapunt={item}",
        {"title": "Stuk", "file": lambda: pdf_upload("groot.pdf", b"%PDF-1.4\n" + b"0" * 600_000)},
        "hoogstens",
        "file",
    ),
    (
        SEC,
        "/vergaderingen/{meeting}/documenten/nieuw?agendapunt={item}",
        {"title": LONG, "file": lambda: pdf_upload()},
        "te lang",
        "title",
    ),
    (
        SEC,
        "/vergaderingen/{meeting}/documenten/nieuw?agendapunt={item}",
        {"title": "Annotatie\nKamerbrief", "file": lambda: pdf_upload()},
        "U gaf 2 titels voor 1 bestand",
        "title",
    ),
    (
        SEC,
        "/vergaderingen/{meeting}/aanwezigheid",
        {"entries-0-seat_id": "1", "entries-0-status": "vervangen", "entries-0-replaced_by": ""},
        "door wie",
        "entries-0-replaced_by",
    ),
    (
        BRABANT,
        "/vergaderingen/{meeting}/zetels/{brabant_seat}/melden",
        {"status": "vervangen", "replaced_by": ""},
        "Vul in wie de zetel vervangt",
        "zetel-{brabant_seat}-replaced_by",
    ),
    (
        SEC,
        "/overleggen/{bo}/cycli/jaarplanning",
        {
            "year": "2032",
            "najaar": "2032-04-06",
            "start_time": "10:00",
            "end_time": "12:00",
            "location": "Den Haag",
            "chair": "Minister",
            "audience": "overleg",
        },
        "niet in het najaar",
        "najaar",
    ),
    (
        BEHEER,
        "/beheer/overleggen/{bo}/vaste-agendapunten",
        {
            "entries-0-item_id": "{standing}",
            "entries-0-title": "",
            "entries-0-kind": "hamerstuk",
            "entries-0-placement": "begin",
        },
        "Geef het vaste agendapunt een titel",
        "entries-0-title",
    ),
    (SEC, "/agendapunten/{item}/besluiten/nieuw", {"text": "", "amends_id": ""}, "Vul dit veld in", "text"),
    (SEC, "/agendapunten/{item}/besluiten/nieuw", {"text": LONG, "amends_id": ""}, "te lang", "text"),
    (SEC, "/besluiten/{concept_decision}/bewerken", {"text": "  "}, "Vul dit veld in", "text"),
    (
        SEC,
        "/vergaderingen/{meeting}/besluitenlijst/publiceren",
        {"comments_deadline": "2020-01-01"},
        "verleden",
        "comments_deadline",
    ),
    (
        SEC,
        "/vergaderingen/{meeting}/besluitenlijst/publiceren",
        {"comments_deadline": ""},
        "geldige datum",
        "comments_deadline",
    ),
    (BRABANT, "/besluiten/{rom_decision}", {"text": ""}, "Vul dit veld in", "text"),
    (BRABANT, "/besluiten/{rom_decision}", {"text": LONG}, "te lang", "text"),
    (SEC, "/reacties/{comment}/verwerken", {"outcome": "overgenomen", "new_text": ""}, "nieuwe tekst", "new_text"),
    (SEC, "/reacties/{comment}/verwerken", {"outcome": "beantwoord", "response": ""}, "antwoord", "response"),
    (SEC, "/vergaderingen/{meeting}/verslag", {"text": LONG}, "te lang", "text"),
    (
        BRABANT,
        "/overleggen/{bo}/agendaverzoeken/nieuw",
        {"title": "", "description": "x", "requested_kind": "ter_bespreking"},
        "Vul dit veld in",
        "title",
    ),
    (
        BRABANT,
        "/overleggen/{bo}/agendaverzoeken/nieuw",
        {"title": "T", "description": LONG, "requested_kind": "ter_bespreking"},
        "te lang",
        "description",
    ),
    (
        SEC,
        "/besluiten/{concept_decision}/actiepunten/nieuw",
        {"case_type": "actiepunt", "title": "Doen", "owner_organisation_id": "{ezk}", "due_date": ""},
        "Geef een datum",
        "due_date",
    ),
    (
        SEC,
        "/besluiten/{concept_decision}/actiepunten/nieuw",
        {
            "case_type": "actiepunt",
            "title": "Doen",
            "owner_organisation_id": "{ezk}",
            "assignee_id": "{brabant_user}",
            "due_date": "2030-01-01",
        },
        "eigenaar-organisatie",
        "assignee_id",
    ),
    (
        SEC,
        "/overleggen/{bo}/toezeggingen/nieuw",
        {"case_type": "toezegging", "title": "", "owner_organisation_id": "{ezk}"},
        "Vul dit veld in",
        "title",
    ),
    (SEC, "/zaken/{request}/stap/afwijzen", {"reason": ""}, "Geef een reden", "reason-afwijzen"),
    (SEC, "/zaken/{request}/stap/agenderen", {"kind": "onzin"}, "Kies een van", "kind-agenderen"),
    (SEC, "/zaken/{request}/stap/agenderen", {"position": "99"}, "Kies een van", "position-agenderen"),
    (SEC, "/zaken/{request}/stap/agenderen", {"position": "eerst"}, "Kies een van", "position-agenderen"),
    (
        BRABANT,
        "/overleggen/{bo}/agendaverzoeken/nieuw",
        {
            "title": "Laadpleinen",
            "description": "Graag bespreken.",
            "requested_kind": "ter_bespreking",
            "files": lambda: pdf_upload("nep.pdf", b"MZ\x90\x00 not a pdf"),
        },
        "past niet bij",
        "files",
    ),
    (BRABANT, "/overleggen/{bo}/notities/nieuw", {"title": "", "text": "x"}, "Vul dit veld in", "title"),
    (BRABANT, "/overleggen/{bo}/notities/nieuw", {"title": "T", "text": LONG}, "te lang", "text"),
    (
        BRABANT,
        "/overleggen/{bo}/notities/nieuw",
        {"title": "T", "text": "x", "audience": "vertrouwelijk"},
        "Noem wie",
        "shared_with",
    ),
    (
        BRABANT,
        "/overleggen/{bo}/notities/nieuw",
        {"title": "T", "text": "x", "audience": "vertrouwelijk", "shared_with": "{outsider}"},
        "Kies een van",
        "shared_with",
    ),
    (BRABANT, "/notities/{note}/bewerken", {"title": "", "text": "x"}, "Vul dit veld in", "title"),
    (BRABANT, "/overleggen/{bo}/notas/nieuw", {"title": "T", "description": ""}, "Vul dit veld in", "description"),
    (
        BRABANT,
        "/overleggen/{bo}/notas/nieuw",
        {"title": "T", "description": "x", "kenmerk": LONG},
        "te lang",
        "kenmerk",
    ),
    (SEC, "/zaken/{action}/voortgang", {"text": ""}, "Vul dit veld in", "text"),
    (
        SEC,
        "/zaken/{action}/voortgang",
        {"text": "Verslag erbij.", "files": lambda: pdf_upload("verslag.exe")},
        "Dit soort bestand kan niet",
        "files",
    ),
    (
        BRABANT,
        "/zaken/{brabant_action}/stap/uitstel_aanvragen",
        {"due_date": "morgen", "reason": "De netbeheerder is later."},
        "geldige datum",
        "due_date-uitstel_aanvragen",
    ),
    (
        BRABANT,
        "/zaken/{brabant_action}/stap/uitstel_aanvragen",
        {"due_date": "2020-01-01", "reason": "De netbeheerder is later."},
        "Kies een datum na de huidige datum",
        "due_date-uitstel_aanvragen",
    ),
    (
        BRABANT,
        "/zaken/{brabant_action}/stap/uitstel_aanvragen",
        {"due_date": lambda: (date.today() + timedelta(days=60)).isoformat(), "reason": " "},
        "Geef een reden",
        "reason-uitstel_aanvragen",
    ),
    (SEC, "/zaken/{action}/datum", {"due_date": "2031-01-01", "reason": ""}, "Vul dit veld in", "reason"),
    (SEC, "/zaken/{action}/datum", {"due_date": "morgen", "reason": "Omdat"}, "geldige datum", "due_date"),
    (AUTHOR, "/zaken/{memo}/bewerken", {"title": "", "description": "x"}, "Vul dit veld in", "title"),
    (AUTHOR, "/zaken/{memo}/bewerken", {"title": "T", "description": LONG}, "te lang", "description"),
    (AUTHOR, "/zaken/{memo}/route", {"user_id": "", "capacity": "directeur"}, "Kies een persoon", "user_id"),
    (AUTHOR, "/zaken/{memo}/route", {"user_id": "{directeur}", "capacity": ""}, "Vul dit veld in", "capacity"),
    # The province cannot see the ministry's memo: she is not on the list to choose from.
    (AUTHOR, "/zaken/{memo}/route", {"user_id": "{province_user}", "capacity": "x"}, "Kies een van", "user_id"),
    # Already on the route.
    (AUTHOR, "/zaken/{memo}/route", {"user_id": "{directeur}", "capacity": "x"}, "staat al in", "user_id"),
    (SEC, "/overleggen/{bo}/dossiers/nieuw", {"title": "", "audience": ""}, "Vul dit veld in", "title"),
    (SEC, "/zaken/{dossier}/dossier", {"agenda_item_id": "999999"}, "Kies een van", "agenda_item_id"),
    (SEC, "/zaken/{dossier}/dossier", {"case_id": "{dossier}"}, "Kies een van", "case_id"),
    (SEC, "/overleggen/{bo}/acties/importeren", {"audience": "overleg"}, "Kies een bestand", "file"),
    (
        SEC,
        "/overleggen/{bo}/acties/importeren",
        {"audience": "overleg", "file": lambda: pdf_upload("acties.xlsx")},
        "geen Excel-bestand",
        "file",
    ),
    (
        SEC,
        "/overleggen/{bo}/acties/importeren",
        {"audience": "regio", "file": lambda: pdf_upload("acties.xlsx")},
        "Kies een van",
        "audience",
    ),
    (SEC, "/overleggen/{bo}/acties/importeren/opslaan", {"mode": "alles"}, "voorvertoning ontbreekt", None),
    (SEC, "/overleggen/{bo}/acties/importeren/opslaan", {"payload": "vervalst", "mode": "alles"}, "opnieuw", None),
]


#: Forms for what is recorded from the meeting's day on: posted after the meeting.
AFTER_MEETING = {"/vergaderingen/{meeting}/aanwezigheid", "/agendapunten/{item}/besluiten/nieuw"}


def _fill(value: Any, targets: Targets) -> Any:
    if callable(value):
        return value()
    if isinstance(value, str) and "{" in value:
        return value.format(**targets.ids)
    return value


@pytest.mark.parametrize(
    ("who", "url", "data", "message", "field"), CASES, ids=lambda v: v if isinstance(v, str) else None
)
def test_bad_input_gets_a_dutch_message_next_to_the_field_and_stores_nothing(
    app, client, clients, clock, targets, who, url, data, message, field
):
    if url in AFTER_MEETING:
        clock(targets["held"])
    if who == HALFWAY:
        web = _halfway_signed_in(app, client)
    else:
        web = clients(who) if who else client
    with in_app(app):
        before = db.session.scalar(select(func.count(AuditRecord.id)))
    form = {key: _fill(value, targets) for key, value in data.items()}
    multipart = any(isinstance(v, tuple) for v in form.values()) or "documenten" in url
    response = web.post_form(_fill(url, targets), form, content_type="multipart/form-data" if multipart else None)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:2000]
    assert message in page
    if field:
        assert f'id="{_fill(field, targets)}-fout"' in page, f"no error next to {field}"
    with in_app(app):
        assert db.session.scalar(select(func.count(AuditRecord.id))) == before, "something was stored"


def test_a_request_far_over_the_upload_limit_gets_a_dutch_page_not_a_500(app, clients, targets):
    sec = clients(SEC)
    huge = b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024)
    response = sec.post_form(
        f"/vergaderingen/{targets['meeting']}/documenten/nieuw",
        {"title": "Te groot", "file": (io.BytesIO(huge), "groot.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    # The suite's limits are 512 kB a document and four of those at once: said in their own unit.
    assert "Bestand te groot" in page and "hoogstens 512 kB zijn" in page and "samen hoogstens 2,0 MB" in page


def test_every_form_of_the_app_is_covered_by_a_bad_input_case(app):
    """A new form (a POST route with fields) needs a case above; button-only POSTs do not."""
    buttons = {
        "auth.logout",
        "auth.sso_start",
        "meetings.agenda_item_remove",
        "meetings.agenda_publish",
        "meetings.document_remove",
        "meetings.decision_remove",
        "meetings.besluitenlijst_adopt",
        "meetings.minutes_share",
        "meetings.minutes_adopt",
        "meetings.seat_remove",
        "meetings.admin_membership_remove",
        "auth.admin_user_reset_mfa",
        "auth.admin_user_reactivate",
        "auth.invitation_resend",
        "auth.invitation_withdraw",
        "meetings.admin_body_invites",
        "auth.recovery_codes",
        "auth.calendar_feed_create",
        "auth.calendar_feed_revoke",
        "api_tokens.revoke",
        "meetings.note_remove",
        "meetings.progress_item_add",
        "meetings.agenda_copy",
        "cases.route_remove",
        "cases.route_move",
        "cases.dossier_unlink",
        "notify.outbox_retry",
        # Gelezen: the moment the page was made, which is never refused (one later than now is now).
        "meetings.body_read",
        "meetings.meeting_read",
    }
    covered = set()
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or set()) or rule.endpoint in buttons:
            continue
        if rule.endpoint.startswith("api_writes."):
            continue  # JSON, no form: tests/api/test_writes.py holds its 422 problems per field
        pattern = re.compile(re.sub(r"<[^>]+>", "[^/]+", rule.rule))
        if any(pattern.fullmatch(url.split("?")[0]) for _who, url, *_ in CASES):
            covered.add(rule.endpoint)
        else:
            pytest.fail(f"no bad-input case for {rule.endpoint} ({rule.rule})")
    assert covered


def _halfway_signed_in(app, client):
    """beleid@ocw.test with a second factor, past the password and at the code page."""
    from auth import mfa, sessions

    with in_app(app):
        secret = mfa.new_secret()
        sessions.enable_second_factor(user("beleid@ocw.test"), secret=secret, code=_code(secret))
    response = client.login("beleid@ocw.test")
    assert response.headers["Location"].endswith("/auth/tweede-stap")
    return client


def _code(secret: str) -> str:
    import pyotp

    return pyotp.TOTP(secret).now()


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/vergaderingen/100000000000000000000", 404),
        ("/vergaderingen/100000000000000000000.ics", 404),
        ("/vergaderingen/100000000000000000000/agenda.pdf", 404),
        ("/agendapunten/9223372036854775808", 404),
        ("/besluiten/2147483648", 404),  # fits 64 bits, not PostgreSQL's INTEGER
        ("/besluiten?pagina=100000000000000000000", 200),
        ("/zoeken?q=talent%00en", 200),
    ],
)
def test_numbers_no_database_holds_and_nul_characters_are_not_a_500(clients, url, status):
    assert clients(SEC).get(url).status_code == status


@pytest.mark.parametrize("ident", [2**31, 2**63])  # beyond PostgreSQL's INTEGER, beyond SQLite's
@pytest.mark.parametrize(
    ("method", "url"), [("get", "/beheer/organisaties/{}"), ("post", "/beheer/lidmaatschappen/{}/verwijderen")]
)
def test_the_beheerders_pages_give_404_for_an_id_no_database_holds(clients, method, url, ident):
    beheer = clients("beheer@regiotafel.test")
    response = beheer.get(url.format(ident)) if method == "get" else beheer.post_form(url.format(ident))
    assert response.status_code == 404


def test_a_nul_character_in_a_form_is_dropped_not_a_500(app, clients, targets):
    response = clients(SEC).post_form(f"/zaken/{targets['action']}/voortgang", {"text": "Voort\x00gang"})
    assert response.status_code == 302
    with in_app(app):
        from cases.models import CaseEvent

        texts = db.session.scalars(select(CaseEvent.note).where(CaseEvent.case_id == targets["action"])).all()
        assert "Voortgang" in texts
