"""The access matrix: every route of the app × every kind of user × items of every audience.

The expectations below are written from the rules in DESIGN.md, not from the policy's code: who is
a member, which side they are on, who is named on a vertrouwelijk item, what waits for publication,
and which role may do what. A route that appears without an expectation fails the test, so no page
can be added unchecked.

Each request runs in a savepoint that is rolled back, so a POST that is allowed does not change
what the next request sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from auth.invitations import invite_user
from auth.models import Role
from auth.services import create_user
from cases.dossiers import create_dossier
from cases.models import Case as CaseModel
from cases.models import CaseAttachment, CaseType
from cases.services import add_progress_note, create_follow_up, create_nota
from core.dates import today
from core.db import Audience
from core.extensions import db
from demo.pdf import text_pdf
from meetings.models import AgendaItemKind, Body, Milestone, Seat
from meetings.services import agenda, cycles, decisions, notes
from meetings.services.bodies import set_member_role, set_secretariat_invites
from meetings.storage import Upload
from notify.models import Notification
from tests.conftest import in_app, meeting_held, user

ROLES: dict[str, str | None] = {
    "anonymous": None,
    "rijk_deelnemer": "beleid@ezk.test",
    "regio_deelnemer": "economie@noord-brabant.test",
    "non_member": "economie@gelderland.test",  # a member of the ROM overleg, not of BO-Brainport
    "secretariaat": "secretariaat@ezk.test",
    "waarnemer": "beleid@ienw.test",
    "auditor": "auditor@noord-brabant.test",
    "beheerder": "beheer@regiotafel.test",
}
SIDE = {
    "rijk_deelnemer": "rijk",
    "regio_deelnemer": "regio",
    "secretariaat": "rijk",
    "waarnemer": "rijk",
    "auditor": "regio",
}
MEMBERS = set(SIDE)  # of BO-Brainport, where the matrix's items live
PARTICIPANTS = {"rijk_deelnemer", "regio_deelnemer", "secretariaat"}
HISTORY_READERS = {"secretariaat", "auditor"}
#: The organisation of the regio deelnemer, which also employs the regio auditor.
REGIO_ORGANISATION = {"regio_deelnemer", "auditor"}
#: Named on the vertrouwelijk items the secretariat makes (the maker always is).
NAMED_BY_SECRETARIAT = {"secretariaat", "rijk_deelnemer", "regio_deelnemer"}
#: Named on the vertrouwelijk note the rijk deelnemer writes.
NAMED_BY_RIJK = {"rijk_deelnemer", "regio_deelnemer"}

AUDIENCES = [a.value for a in Audience]


def sees(role: str, audience: str, named: set[str], released: bool = True) -> bool:
    """DESIGN.md's rule: members only; one side's items for that side; vertrouwelijk for the named;
    an item waiting for publication for the secretariat only."""
    if role not in MEMBERS:
        return False
    if not released and role != "secretariaat":
        return False
    if audience in ("openbaar", "overleg"):
        return True
    if audience in ("rijk", "regio"):
        return SIDE[role] == audience
    return role in named


# --- the world the matrix looks at ---------------------------------------------------------------------


@dataclass
class World:
    slug: str
    meeting: int  # published agenda, besluitenlijst out for comments
    concept_meeting: int  # agenda not yet published
    concept_item: int
    concept_document: int
    cycle: int
    milestone: int
    seat: int
    membership: int
    organisation: int
    user: int
    comment: int  # by the regio deelnemer on the overleg decision
    invitation: int  # open, sent by the secretariat from BO-Brainport's page
    item: dict[str, int]
    document: dict[str, int]
    decision: dict[str, int]
    note: dict[str, int]
    action: dict[str, int]  # owned by the regio deelnemer's organisation
    nota: dict[str, int]  # written by the rijk deelnemer
    dossier: dict[str, int]  # opened by the secretariat
    attachment: dict[str, str]  # "<action>/bijlagen/<file>": a file on the progress report of each action
    notification: int


@pytest.fixture
def world(app, clock) -> World:
    from auth.models import Membership

    with in_app(app):
        sec, rijk, regio = user("secretariaat@ezk.test"), user("beleid@ezk.test"), user("economie@noord-brabant.test")
        named = [rijk.id, regio.id]
        bo = db.session.scalars(select(Body).where(Body.slug == "bo-brainport")).one()
        # Regio-only items are made by someone on the regio side: a second secretariat member from
        # the province, who is not one of the roles the matrix looks through.
        beheer = user("beheer@regiotafel.test")
        regio_sec = create_user(
            beheer,
            email="secretariaat@noord-brabant.test",
            name="Secretariaat regio",
            organisation_id=regio.organisation_id,
        )
        db.session.flush()
        set_member_role(beheer, bo, user_id=regio_sec.id, role=Role.SECRETARIAAT)
        # BO-Brainport lets its secretariat invite; the secretariat invited someone who is not in yet.
        set_secretariat_invites(beheer, bo, allowed=True)
        invitation = invite_user(
            sec,
            email="nog-niet-binnen@ezk.test",
            name="Nog niet binnen",
            organisation_id=sec.organisation_id,
            roles=[(bo, Role.DEELNEMER)],
            from_body=bo,
        )

        def maker(audience: Audience) -> Any:
            return regio_sec if audience is Audience.REGIO else sec

        kinds = ("item", "document", "decision", "note", "action", "nota", "dossier")
        ids: dict[str, dict[str, int]] = {k: {} for k in kinds}
        attachments: dict[str, str] = {}

        def new_meeting(days: int) -> Any:
            cycle = cycles.create_cycle(
                sec,
                bo,
                meeting_date=today() + timedelta(days=days),
                start_time=time(10),
                end_time=time(12),
                location="Den Haag",
                chair="Minister van EZK",
            )
            db.session.flush()
            return cycle, cycle.meetings[0]

        cycle, meeting = new_meeting(240)
        for audience in Audience:
            shared = named if audience is Audience.VERTROUWELIJK else None
            item = agenda.add_agenda_item(
                maker(audience),
                meeting,
                title=f"Matrixpunt {audience.value}",
                kind=AgendaItemKind.TER_BESLUITVORMING,
                audience=audience,
                shared_with=shared,
            )
            db.session.flush()
            ids["item"][audience.value] = item.id
            document = agenda.add_document(
                maker(audience),
                meeting,
                agenda_item=item,
                title=f"Matrixstuk {audience.value}",
                filename="stuk.pdf",
                content=text_pdf("Matrixstuk", [audience.value]),
            )
            db.session.flush()
            ids["document"][audience.value] = document.id
        agenda.publish_agenda(sec, meeting)
        meeting_held(clock, meeting)  # decisions are taken at the meeting; the matrix looks from then on
        for audience in Audience:
            item = db.session.get(agenda.AgendaItem, ids["item"][audience.value])
            decision = decisions.add_decision(maker(audience), item, text=f"Matrixbesluit {audience.value}.")
            db.session.flush()
            ids["decision"][audience.value] = decision.id
            ids["action"][audience.value] = create_follow_up(
                maker(audience),
                bo,
                case_type=CaseType.ACTIEPUNT,
                title=f"Matrixactie {audience.value}",
                decision=decision,
                owner_organisation_id=regio.organisation_id,
                due_date=today() + timedelta(days=30),
            ).id
            report = add_progress_note(
                maker(audience),
                db.session.get(CaseModel, ids["action"][audience.value]),
                text="Voortgang met bijlage.",
                files=[Upload("bijlage.pdf", text_pdf("Matrixbijlage", [audience.value]))],
            )
            db.session.flush()
            attachment = db.session.scalars(select(CaseAttachment).where(CaseAttachment.event_id == report.id)).one()
            attachments[audience.value] = f"{attachment.case_id}/bijlagen/{attachment.id}"
            shared = [regio.id] if audience is Audience.VERTROUWELIJK else None
            writer = regio if audience is Audience.REGIO else rijk
            ids["note"][audience.value] = notes.add_note(
                writer,
                bo,
                title=f"Matrixnotitie {audience.value}",
                text="Tekst.",
                audience=audience,
                shared_with=shared,
                meeting=meeting,
            ).id
            ids["nota"][audience.value] = create_nota(
                writer,
                bo,
                title=f"Matrixnota {audience.value}",
                kenmerk=f"MX / {audience.value}",
                description="Tekst.",
                audience=audience,
                shared_with=shared,
            ).id
            ids["dossier"][audience.value] = create_dossier(
                maker(audience),
                bo,
                title=f"Matrixdossier {audience.value}",
                audience=audience,
                shared_with=named if audience is Audience.VERTROUWELIJK else None,
            ).id
        decisions.save_minutes(sec, meeting, text="Verslag van de matrixvergadering.")
        decisions.publish_besluitenlijst(sec, meeting, comments_deadline=today() + timedelta(days=10))
        db.session.flush()
        comment = decisions.comment_on_decision(
            regio, db.session.get(decisions.Decision, ids["decision"]["overleg"]), text="Matrixreactie."
        )
        _concept_cycle, concept_meeting = new_meeting(420)
        concept_item = agenda.add_agenda_item(sec, concept_meeting, title="Conceptpunt", kind=AgendaItemKind.HAMERSTUK)
        db.session.flush()
        concept_document = agenda.add_document(
            sec,
            concept_meeting,
            agenda_item=concept_item,
            title="Conceptstuk",
            filename="concept.pdf",
            content=text_pdf("Conceptstuk", ["concept"]),
        )
        db.session.flush()
        return World(
            slug=bo.slug,
            meeting=meeting.id,
            concept_meeting=concept_meeting.id,
            concept_item=concept_item.id,
            concept_document=concept_document.id,
            cycle=cycle.id,
            milestone=db.session.scalars(select(Milestone.id).where(Milestone.cycle_id == cycle.id)).first(),
            seat=db.session.scalars(select(Seat.id).where(Seat.body_id == bo.id)).first(),
            membership=db.session.scalars(select(Membership.id).where(Membership.body_id == bo.id)).first(),
            organisation=sec.organisation_id,
            user=rijk.id,
            comment=comment.id,
            notification=db.session.scalars(select(Notification.id)).first(),
            invitation=invitation.id,
            attachment=attachments,
            **ids,
        )


# --- expectations ---------------------------------------------------------------------------------------------

OK, HIDDEN, REFUSED, LOGIN, REDIRECT = "ok", "hidden", "refused", "login", "redirect"


@dataclass(frozen=True)
class Case:
    """One request of the matrix and what must come of it."""

    path: str
    method: str
    expect: str


# An expectation: given the role (and, for per-audience routes, the audience), what must happen.
Rule = Callable[..., str]


def signed_in(role: str) -> str:
    return LOGIN if role == "anonymous" else OK


def public(_role: str) -> str:
    return OK


def beheerder_only(role: str) -> str:
    if role == "anonymous":
        return LOGIN
    return OK if role == "beheerder" else REFUSED


def body_admin(role: str) -> str:
    """Beheer pages of one body: the beheerder; a member learns only that they may not; others nothing."""
    if role == "anonymous":
        return LOGIN
    if role == "beheerder":
        return OK
    return REFUSED if role in MEMBERS else HIDDEN


def history_export(role: str) -> str:
    """The export page: for who reads a history somewhere, and the beheerder (account records)."""
    if role == "anonymous":
        return LOGIN
    return OK if role in HISTORY_READERS | {"beheerder"} else REFUSED


def reviewer(role: str) -> str:
    """A body's access review: its secretariat and auditors, and the beheerder (no member); a member
    with another role learns only that they may not; anyone else nothing."""
    if role == "anonymous":
        return LOGIN
    if role in {"beheerder", "secretariaat", "auditor"}:
        return OK
    return REFUSED if role in MEMBERS else HIDDEN


def confirmer(role: str) -> str:
    """Recording that the review was done: the secretariat and the beheerder, who are asked to do it."""
    if role == "anonymous":
        return LOGIN
    if role in {"beheerder", "secretariaat"}:
        return OK
    return REFUSED if role in MEMBERS else HIDDEN


def inviter(role: str) -> str:
    """Inviting into BO-Brainport, which lets its secretariat invite: the secretariat and the beheerder."""
    return confirmer(role)


def invitation_rule(role: str) -> str:
    """An invitation the secretariat sent from BO-Brainport's page: that secretariat and the beheerder may
    send it again or withdraw it; an auditor sees it on the review page but may not act; others do not
    know of it."""
    if role == "anonymous":
        return LOGIN
    if role in {"beheerder", "secretariaat"}:
        return OK
    return REFUSED if role == "auditor" else HIDDEN


def member(role: str) -> str:
    if role == "anonymous":
        return LOGIN
    return OK if role in MEMBERS else HIDDEN


def body_action(allowed: set[str]) -> Rule:
    def rule(role: str) -> str:
        if role == "anonymous":
            return LOGIN
        if role not in MEMBERS:
            return HIDDEN
        return OK if role in allowed else REFUSED

    return rule


def on_item(allowed: set[str] | None, named: set[str] = NAMED_BY_SECRETARIAT, released: bool = True) -> Rule:
    """For an item of some audience: hidden unless seen; then allowed roles (None: all who see it)."""

    def rule(role: str, audience: str) -> str:
        if role == "anonymous":
            return LOGIN
        if not sees(role, audience, named, released):
            return HIDDEN
        return OK if allowed is None or role in allowed else REFUSED

    return rule


def comment_rule(allowed: set[str]) -> Rule:
    """A comment is seen by the secretariat and its author's organisation only."""

    def rule(role: str) -> str:
        if role == "anonymous":
            return LOGIN
        if role != "secretariaat" and role not in REGIO_ORGANISATION:
            return HIDDEN
        return OK if role in allowed else REFUSED

    return rule


SEC = {"secretariaat"}
OWNER = {"secretariaat", "regio_deelnemer"}  # actions are owned by the regio deelnemer's organisation
#: Notes and notas are written by the rijk deelnemer, the regio ones by the regio deelnemer.
AUTHOR = {"rijk": "rijk_deelnemer", "regio": "regio_deelnemer"}


def written(allowed: str | set[str] | None) -> Rule:
    """Notes and notas, written by a deelnemer of each side. ``allowed`` is a set of roles, None for
    everyone who sees the item, or "author" for its writer only (who edits a note, and who writes a
    nota's text and route and offers it for initials)."""

    def rule(role: str, audience: str) -> str:
        side = "regio" if audience == "regio" else "rijk"
        if allowed == "author":
            permitted: set[str] | None = {AUTHOR[side]}
        else:
            permitted = allowed  # type: ignore[assignment]
        return on_item(permitted, NAMED_BY_RIJK)(role, audience)

    return rule


# endpoint → (path template, {method: rule}, per-audience object or None)
# A per-audience route is requested once per audience; its path takes {id} from world.<object>[audience].
ROUTES: dict[str, tuple[str, dict[str, Rule], str | None]] = {
    "static": ("/static/css/regiotafel.css", {"GET": public}, None),
    "meetings.static": ("/static/meetings/agenda-editor.js", {"GET": public}, None),
    "core.healthz": ("/healthz", {"GET": public}, None),
    "core.favicon": ("/favicon.ico", {"GET": public}, None),
    "core.home": ("/", {"GET": signed_in}, None),
    "auth.login": ("/auth/login", {"GET": lambda r: OK if r == "anonymous" else REDIRECT, "POST": lambda r: OK}, None),
    "auth.logout": ("/auth/logout", {"POST": lambda r: LOGIN}, None),
    # Without a password step behind it, the second step sends everyone back to the login page.
    "auth.second_factor": ("/auth/tweede-stap", {"GET": lambda r: LOGIN, "POST": lambda r: LOGIN}, None),
    "auth.mfa_setup": ("/auth/tweede-stap/instellen", {"GET": signed_in, "POST": signed_in}, None),
    "auth.mfa_qr": ("/auth/tweede-stap/qr.svg", {"GET": signed_in}, None),
    "auth.account": ("/auth/account", {"GET": signed_in}, None),
    "auth.own_password": ("/auth/account/wachtwoord", {"POST": signed_in}, None),
    "auth.recovery_codes": ("/auth/account/herstelcodes", {"POST": signed_in}, None),
    # Anyone may choose a language; an empty choice is refused with a message (400), for everyone.
    "auth.language": ("/taal", {"POST": lambda r: OK}, None),
    "auth.calendar_feed_create": ("/auth/account/agenda", {"POST": signed_in}, None),
    "auth.calendar_feed_revoke": ("/auth/account/agenda/intrekken", {"POST": signed_in}, None),
    # The feed needs no login, only its token: a token nobody was given is a missing page for everyone.
    "meetings.calendar_feed": ("/agenda/geen-echte-sleutel.ics", {"GET": lambda r: HIDDEN}, None),
    "auth.admin_index": ("/beheer", {"GET": beheerder_only}, None),
    "auth.admin_organisation_new": (
        "/beheer/organisaties/nieuw",
        {"GET": beheerder_only, "POST": beheerder_only},
        None,
    ),
    "auth.admin_organisation_edit": (
        "/beheer/organisaties/{organisation}",
        {"GET": beheerder_only, "POST": beheerder_only},
        None,
    ),
    "meetings.admin_user_invite": ("/beheer/gebruikers/nieuw", {"GET": beheerder_only, "POST": beheerder_only}, None),
    "auth.admin_user_edit": ("/beheer/gebruikers/{user}", {"GET": beheerder_only, "POST": beheerder_only}, None),
    "auth.admin_user_switch_off": ("/beheer/gebruikers/{user}/uitzetten", {"POST": beheerder_only}, None),
    "auth.admin_user_reactivate": ("/beheer/gebruikers/{user}/aanzetten", {"POST": beheerder_only}, None),
    "auth.invitation_resend": ("/uitnodigingen/{invitation}/opnieuw", {"POST": invitation_rule}, None),
    "auth.invitation_withdraw": ("/uitnodigingen/{invitation}/intrekken", {"POST": invitation_rule}, None),
    # Links from e-mails need no login, only their token: one nobody was given is a missing page for all.
    "auth.invitation": ("/auth/uitnodiging/geen-echte-sleutel", {"GET": lambda r: HIDDEN}, None),
    "auth.invitation_accept": ("/auth/uitnodiging", {"POST": lambda r: HIDDEN}, None),
    "auth.password_reset": ("/auth/wachtwoord-herstellen/geen-echte-sleutel", {"GET": lambda r: HIDDEN}, None),
    "auth.password_reset_save": ("/auth/wachtwoord-herstellen", {"POST": lambda r: HIDDEN}, None),
    # Anyone may ask for a reset link (an empty address is refused with a message, for everyone).
    "auth.password_forgotten": ("/auth/wachtwoord-vergeten", {"GET": public, "POST": public}, None),
    "auth.admin_user_reset_mfa": ("/beheer/gebruikers/{user}/tweede-stap-resetten", {"POST": beheerder_only}, None),
    "meetings.admin_bodies": ("/beheer/overleggen", {"GET": beheerder_only, "POST": beheerder_only}, None),
    "meetings.admin_body_new": ("/beheer/overleggen/nieuw", {"GET": beheerder_only, "POST": beheerder_only}, None),
    "meetings.admin_body_settings": ("/beheer/overleggen/{slug}", {"GET": body_admin, "POST": body_admin}, None),
    "meetings.admin_body_members": ("/beheer/overleggen/{slug}/leden", {"GET": body_admin, "POST": body_admin}, None),
    "meetings.admin_body_standing": ("/beheer/overleggen/{slug}/vaste-agendapunten", {"POST": body_admin}, None),
    "meetings.admin_body_invites": ("/beheer/overleggen/{slug}/uitnodigen", {"POST": body_admin}, None),
    "meetings.body_invite": ("/overleggen/{slug}/toegang/uitnodigen", {"GET": inviter, "POST": inviter}, None),
    "meetings.access_review": ("/overleggen/{slug}/toegang", {"GET": reviewer}, None),
    "meetings.access_review_xlsx": ("/overleggen/{slug}/toegang.xlsx", {"GET": reviewer}, None),
    "meetings.access_review_csv": ("/overleggen/{slug}/toegang.csv", {"GET": reviewer}, None),
    "meetings.access_review_confirm": ("/overleggen/{slug}/toegang/afgerond", {"POST": confirmer}, None),
    "meetings.admin_membership_remove": (
        "/beheer/lidmaatschappen/{membership}/verwijderen",
        {"POST": beheerder_only},
        None,
    ),
    "meetings.bodies": ("/overleggen", {"GET": signed_in}, None),
    "meetings.decisions": ("/besluiten", {"GET": signed_in}, None),
    "meetings.decisions_xlsx": ("/besluiten.xlsx", {"GET": signed_in}, None),
    "meetings.decisions_csv": ("/besluiten.csv", {"GET": signed_in}, None),
    "meetings.body": ("/overleggen/{slug}", {"GET": member}, None),
    "meetings.cycle_new": ("/overleggen/{slug}/cycli/nieuw", {"GET": body_action(SEC), "POST": body_action(SEC)}, None),
    "meetings.cycle_year_plan": (
        "/overleggen/{slug}/cycli/jaarplanning",
        {"GET": body_action(SEC), "POST": body_action(SEC)},
        None,
    ),
    "meetings.cycle": ("/cycli/{cycle}", {"GET": member}, None),
    "meetings.milestone_move": ("/mijlpalen/{milestone}", {"POST": body_action(SEC)}, None),
    "meetings.seats": ("/overleggen/{slug}/zetels", {"GET": member, "POST": body_action(SEC)}, None),
    "meetings.seat_remove": ("/zetels/{seat}/verwijderen", {"POST": body_action(SEC)}, None),
    "meetings.meeting": ("/vergaderingen/{meeting}", {"GET": member}, None),
    # Marking what is new as read: one's own bookkeeping, for whoever may read the meeting or body.
    "meetings.meeting_read": ("/vergaderingen/{meeting}/gelezen", {"POST": member}, None),
    "meetings.body_read": ("/overleggen/{slug}/gelezen", {"POST": member}, None),
    "meetings.meeting_ics": ("/vergaderingen/{meeting}.ics", {"GET": member}, None),
    "meetings.meeting_edit": (
        "/vergaderingen/{meeting}/bewerken",
        {"GET": body_action(SEC), "POST": body_action(SEC)},
        None,
    ),
    "meetings.agenda_item_new": (
        "/vergaderingen/{meeting}/agendapunten/nieuw",
        {"GET": body_action(SEC), "POST": body_action(SEC)},
        None,
    ),
    "meetings.agenda_publish": ("/vergaderingen/{concept_meeting}/agenda/publiceren", {"POST": body_action(SEC)}, None),
    "meetings.agenda_copy": (
        "/vergaderingen/{concept_meeting}/agenda-overnemen",
        {"GET": body_action(SEC), "POST": body_action(SEC)},
        None,
    ),
    # Members who take part sign in or off ahead of the meeting (for their own organisation's seats).
    "meetings.attendance_notice": (
        "/vergaderingen/{concept_meeting}/zetels/{seat}/melden",
        {"POST": body_action(PARTICIPANTS)},
        None,
    ),
    "meetings.attendance": (
        "/vergaderingen/{meeting}/aanwezigheid",
        {"GET": body_action(SEC), "POST": body_action(SEC)},
        None,
    ),
    "meetings.besluitenlijst": ("/vergaderingen/{meeting}/besluitenlijst", {"GET": member}, None),
    "meetings.agenda_docx": ("/vergaderingen/{meeting}/agenda.docx", {"GET": member}, None),
    "meetings.agenda_pdf": ("/vergaderingen/{meeting}/agenda.pdf", {"GET": member}, None),
    "meetings.bundle_pdf": ("/vergaderingen/{meeting}/vergaderbundel.pdf", {"GET": member}, None),
    "meetings.bundle_zip": ("/vergaderingen/{meeting}/vergaderbundel.zip", {"GET": member}, None),
    "meetings.besluitenlijst_docx": ("/vergaderingen/{meeting}/besluitenlijst.docx", {"GET": member}, None),
    "meetings.besluitenlijst_pdf": ("/vergaderingen/{meeting}/besluitenlijst.pdf", {"GET": member}, None),
    "meetings.woo_package": ("/vergaderingen/{meeting}/woo-pakket", {"GET": body_action(SEC)}, None),
    "meetings.besluitenlijst_publish": (
        "/vergaderingen/{meeting}/besluitenlijst/publiceren",
        {"POST": body_action(SEC)},
        None,
    ),
    "meetings.besluitenlijst_adopt": (
        "/vergaderingen/{meeting}/besluitenlijst/vaststellen",
        {"POST": body_action(SEC)},
        None,
    ),
    "meetings.minutes": ("/vergaderingen/{meeting}/verslag", {"GET": member, "POST": body_action(SEC)}, None),
    "meetings.minutes_share": ("/vergaderingen/{meeting}/verslag/delen", {"POST": body_action(SEC)}, None),
    "meetings.minutes_adopt": ("/vergaderingen/{meeting}/verslag/vaststellen", {"POST": body_action(SEC)}, None),
    "meetings.agenda_item": ("/agendapunten/{id}", {"GET": on_item(None)}, "item"),
    "meetings.agenda_item_edit": ("/agendapunten/{id}/bewerken", {"GET": on_item(SEC), "POST": on_item(SEC)}, "item"),
    "meetings.agenda_item_move": ("/agendapunten/{id}/verplaatsen", {"POST": on_item(SEC)}, "item"),
    "meetings.agenda_item_remove": (
        "/agendapunten/{id}/verwijderen",
        {"GET": on_item(SEC), "POST": on_item(SEC)},
        "item",
    ),
    "meetings.document_new": (
        "/vergaderingen/{meeting}/documenten/nieuw?agendapunt={id}",
        {"GET": on_item(SEC), "POST": on_item(SEC)},
        "item",
    ),
    "meetings.document_download": ("/documenten/{id}/download", {"GET": on_item(None)}, "document"),
    "meetings.document_remove": (
        "/documenten/{id}/verwijderen",
        {"GET": on_item(SEC), "POST": on_item(SEC)},
        "document",
    ),
    "meetings.decision_new": (
        "/agendapunten/{id}/besluiten/nieuw",
        {"GET": on_item(SEC), "POST": on_item(SEC)},
        "item",
    ),
    "meetings.decision": ("/besluiten/{id}", {"GET": on_item(None), "POST": on_item(PARTICIPANTS)}, "decision"),
    "meetings.decision_edit": ("/besluiten/{id}/bewerken", {"GET": on_item(SEC), "POST": on_item(SEC)}, "decision"),
    "meetings.decision_remove": (
        "/besluiten/{id}/verwijderen",
        {"GET": on_item(SEC), "POST": on_item(SEC)},
        "decision",
    ),
    "meetings.comment_handle": (
        "/reacties/{comment}/verwerken",
        {"GET": comment_rule(SEC), "POST": comment_rule(SEC)},
        None,
    ),
    "meetings.note_new": (
        "/overleggen/{slug}/notities/nieuw",
        {"GET": body_action(PARTICIPANTS), "POST": body_action(PARTICIPANTS)},
        None,
    ),
    "meetings.note": ("/notities/{id}", {"GET": written(None)}, "note"),
    "meetings.note_edit": ("/notities/{id}/bewerken", {"GET": written("author"), "POST": written("author")}, "note"),
    "meetings.note_remove": (
        "/notities/{id}/verwijderen",
        {"GET": written("author"), "POST": written("author")},
        "note",
    ),
    "cases.request_new": (
        "/overleggen/{slug}/agendaverzoeken/nieuw",
        {"GET": body_action(PARTICIPANTS), "POST": body_action(PARTICIPANTS)},
        None,
    ),
    "cases.follow_up_new": (
        "/overleggen/{slug}/toezeggingen/nieuw",
        {"GET": body_action(SEC), "POST": body_action(SEC)},
        None,
    ),
    "cases.nota_new": (
        "/overleggen/{slug}/notas/nieuw",
        {"GET": body_action(PARTICIPANTS), "POST": body_action(PARTICIPANTS)},
        None,
    ),
    "cases.action_new": (
        "/besluiten/{id}/actiepunten/nieuw",
        {"GET": on_item(SEC), "POST": on_item(SEC)},
        "decision",
    ),
    "cases.my_cases": ("/acties", {"GET": signed_in}, None),
    "cases.case": ("/zaken/{id}", {"GET": on_item(None)}, "action"),
    "cases.case_step": ("/zaken/{id}/stap/starten", {"POST": on_item(OWNER)}, "action"),
    "cases.case_note": ("/zaken/{id}/voortgang", {"POST": on_item(OWNER)}, "action"),
    "cases.case_due_date": ("/zaken/{id}/datum", {"POST": on_item(SEC)}, "action"),
    # A file on a progress report: exactly who sees its case.
    "cases.attachment_download": ("/zaken/{id}", {"GET": on_item(None)}, "attachment"),
    "cases.body_actions": ("/overleggen/{slug}/acties", {"GET": member}, None),
    "cases.body_dashboard": ("/overleggen/{slug}/dashboard", {"GET": member}, None),
    "cases.body_actions_xlsx": ("/overleggen/{slug}/acties.xlsx", {"GET": member}, None),
    "cases.body_actions_csv": ("/overleggen/{slug}/acties.csv", {"GET": member}, None),
    "cases.actions_import": (
        "/overleggen/{slug}/acties/importeren",
        {"GET": body_action(SEC), "POST": body_action(SEC)},
        None,
    ),
    "cases.actions_import_template": (
        "/overleggen/{slug}/acties/importeren/voorbeeld.xlsx",
        {"GET": body_action(SEC)},
        None,
    ),
    "cases.actions_import_save": ("/overleggen/{slug}/acties/importeren/opslaan", {"POST": body_action(SEC)}, None),
    "search.search": ("/zoeken?q=matrix", {"GET": signed_in}, None),
    "cases.nota_edit": ("/zaken/{id}/bewerken", {"GET": written("author"), "POST": written("author")}, "nota"),
    "cases.route_add": ("/zaken/{id}/route", {"POST": written("author")}, "nota"),
    # A step that is not on the route: the author is told so; anyone else may not touch the route.
    "cases.route_remove": ("/zaken/{id}/route/999999/weg", {"POST": written("author")}, "nota"),
    "cases.route_move": ("/zaken/{id}/route/999999/omhoog", {"POST": written("author")}, "nota"),
    "cases.dossier_new": (
        "/overleggen/{slug}/dossiers/nieuw",
        {"GET": body_action(SEC), "POST": body_action(SEC)},
        None,
    ),
    "cases.dossier_link": ("/zaken/{id}/dossier", {"POST": on_item(SEC, NAMED_BY_SECRETARIAT)}, "dossier"),
    "cases.dossier_unlink": ("/zaken/{id}/dossier/999999/weg", {"POST": on_item(SEC)}, "dossier"),
    "meetings.progress_item_add": ("/vergaderingen/{concept_meeting}/voortgangspunt", {"POST": body_action(SEC)}, None),
    "notify.outbox": ("/beheer/postvak", {"GET": beheerder_only}, None),
    "notify.outbox_message": ("/beheer/postvak/{notification}", {"GET": beheerder_only}, None),
    "notify.outbox_retry": ("/beheer/postvak/{notification}/opnieuw", {"POST": beheerder_only}, None),
    "audit.history": ("/geschiedenis/agenda_items/{id}", {"GET": on_item(HISTORY_READERS)}, "item"),
    "audit.export_page": ("/audit/export", {"GET": history_export, "POST": history_export}, None),
}

#: Further rows for routes whose object is of another kind than the one above: notas are cases too,
#: and an agenda that is not yet published hides its items and documents from all but the secretariat.
EXTRA: list[tuple[str, str, Rule, str | None]] = [
    ("/zaken/{id}", "GET", written(None), "nota"),
    ("/zaken/{id}/stap/aanbieden", "POST", written("author"), "nota"),
    # Uitstel: the owner (the regio deelnemer's organisation) asks, the secretariat answers.
    ("/zaken/{id}/stap/uitstel_aanvragen", "POST", on_item({"regio_deelnemer"}), "action"),
    ("/zaken/{id}/stap/uitstel_verlenen", "POST", on_item(SEC), "action"),
    ("/zaken/{id}", "GET", on_item(None), "dossier"),
    ("/geschiedenis/documents/{id}", "GET", on_item(HISTORY_READERS), "document"),
    ("/geschiedenis/notes/{id}", "GET", written(HISTORY_READERS), "note"),
    ("/agendapunten/{concept_item}", "GET", on_item(None, released=False), None),
    ("/documenten/{concept_document}/download", "GET", on_item(None, released=False), None),
    ("/vergaderingen/{concept_meeting}/agenda.pdf", "GET", on_item(None, released=False), None),
    ("/vergaderingen/{concept_meeting}/agenda.docx", "GET", on_item(None, released=False), None),
    ("/vergaderingen/{concept_meeting}/vergaderbundel.pdf", "GET", on_item(None, released=False), None),
    ("/vergaderingen/{concept_meeting}/vergaderbundel.zip", "GET", on_item(None, released=False), None),
    ("/vergaderingen/{concept_meeting}/besluitenlijst.pdf", "GET", on_item(None, released=False), None),
    ("/vergaderingen/{concept_meeting}/besluitenlijst.docx", "GET", on_item(None, released=False), None),
]


def cases_for(world: World, role: str) -> list[Case]:
    fields = {k: v for k, v in vars(world).items() if not isinstance(v, dict)}
    found: list[Case] = []
    for path, methods, kind in ROUTES.values():
        for method, rule in methods.items():
            found.extend(_expand(world, fields, role, path, method, rule, kind))
    for path, method, rule, kind in EXTRA:
        if kind is None and "{concept" in path:
            found.append(Case(path.format(**fields), method, rule(role, "overleg")))
        else:
            found.extend(_expand(world, fields, role, path, method, rule, kind))
    return found


def _expand(world: World, fields: dict[str, Any], role: str, path: str, method: str, rule: Rule, kind: str | None):
    if kind is None:
        return [Case(path.format(**fields), method, rule(role))]
    objects = getattr(world, kind)
    return [Case(path.format(**fields, id=objects[a]), method, rule(role, a)) for a in AUDIENCES]


def outcome(response: Any) -> str:
    if response.status_code == 404:
        return HIDDEN
    if response.status_code == 403:
        return REFUSED
    if response.status_code in (301, 302, 303):
        return LOGIN if "/auth/login" in response.headers["Location"] else REDIRECT
    if response.status_code >= 500:
        return "error"
    return OK


def acceptable(case: Case, got: str) -> bool:
    if got == case.expect:
        return True
    # An allowed POST may end in a redirect (done) as well as 200/400 (form shown again).
    return case.expect == OK and case.method == "POST" and got == REDIRECT


# --- the tests ---------------------------------------------------------------------------------------------


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = endpoints - set(ROUTES)
    assert not missing, f"routes without an expectation in the access matrix: {sorted(missing)}"
    stale = set(ROUTES) - endpoints
    assert not stale, f"expectations for routes that no longer exist: {sorted(stale)}"


def run_matrix(app: Any, world: World, undo: Any, role: str) -> tuple[list[str], int]:
    """Every request of the matrix for one role; the ones that came out wrong, and how many ran."""
    client = app.test_client()
    if ROLES[role]:
        assert client.login(ROLES[role]).status_code == 302
    wrong = []
    cases = cases_for(world, role)
    for case in cases:
        with undo():
            response = client.get(case.path) if case.method == "GET" else client.post_form(case.path, {})
            got = outcome(response)
            response.close()
        if not acceptable(case, got):
            wrong.append(f"{case.method} {case.path}: expected {case.expect}, got {got} ({response.status_code})")
        with client.session_transaction() as state:
            ended = "csrf_token" not in state or (ROLES[role] is not None and "sid" not in state)
        if ended:
            # The request ended the session (logout, the second step): start again for the rest.
            client._token = None
            if ROLES[role]:
                client.login(ROLES[role])
    return wrong, len(cases)


@pytest.mark.parametrize("role", list(ROLES))
def test_the_access_matrix_holds_for(role, app, world, undo):
    wrong, total = run_matrix(app, world, undo, role)
    assert not wrong, f"{len(wrong)} of {total} requests wrong for {role}:\n" + "\n".join(wrong)
    assert total > 200


def test_the_matrix_catches_a_view_that_skips_the_policy(app, world, undo, monkeypatch):
    """The mutation test: delete the policy check from the loader one view uses, and the matrix
    reports every item the regio deelnemer may not see but now can open."""
    import meetings.services.agenda as agenda_services

    def unchecked(user: Any, item_id: int) -> Any:  # the mutation: any item by id, no policy
        return db.get_or_404(agenda_services.AgendaItem, item_id)

    monkeypatch.setattr(agenda_services, "get_agenda_item", unchecked)
    wrong, _total = run_matrix(app, world, undo, "regio_deelnemer")
    leaked = [line for line in wrong if line.startswith(f"GET /agendapunten/{world.item['rijk']}:")]
    assert leaked == [f"GET /agendapunten/{world.item['rijk']}: expected hidden, got ok (200)"]
    assert any(line.startswith(f"GET /agendapunten/{world.concept_item}:") for line in wrong)
