"""The access matrix: every route of the app × every kind of user × items of every audience.

The expectations below are written from the rules in DESIGN.md, not from the policy's code: who is
a member, which side they are on, who is named on a vertrouwelijk item, what waits for publication,
and which role may do what. A route that appears without an expectation fails the test, so no page
can be added unchecked.

Every POST sends a valid form (``WRITES``), so that an allowed one can succeed and a refused one is
refused by the policy, not by its form. An allowed POST must end in a redirect or a page, never in a
form sent back (400) or a redirect with an error message; for the main writes the matrix then looks
in the database for what they wrote. Where the world's state makes the domain say no to an allowed
role, the row says so (DECLINED).

Each request runs in a savepoint that is rolled back, so a POST that is allowed does not change
what the next request sees.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from types import SimpleNamespace
from typing import Any

import pyotp
import pytest
from sqlalchemy import func, select

from auth import mfa
from auth.invitations import invite_user
from auth.models import IdentityProvider, Membership, Organisation, Role, User
from auth.services import create_user, switch_off_user
from auth.sso import save_provider
from cases.engine import fire
from cases.models import Case as CaseModel
from cases.models import CaseAttachment, CaseEvent, CaseType, DossierLink, RouteStep
from cases.services.cases import add_progress_note, create_follow_up, create_nota
from cases.services.dossiers import create_dossier, link
from cases.services.excel import preview_import, read_sheet
from cases.services.nota import add_route_step
from core.dates import now, today
from core.db import Audience
from core.extensions import db
from demo.pdf import text_pdf
from meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Attendance,
    AttendanceNotice,
    Body,
    Cycle,
    Decision,
    DecisionComment,
    Document,
    Meeting,
    Milestone,
    Minutes,
    Note,
    ReviewStatus,
    Seat,
    Theme,
)
from meetings.services import agenda, cycles, decisions, notes
from meetings.services.bodies import set_secretariat_invites
from meetings.storage import Upload
from notify.models import Notification, NotificationState
from tests.conftest import DEMO_PASSWORD, find_body, in_app, regio_secretary, user, workbook
from tests.sso.provider_process import provider_fields

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
#: Named on the vertrouwelijk nota the rijk deelnemer writes: the waarnemer too, who can then be put on its route.
NAMED_ON_NOTA = NAMED_BY_RIJK | {"waarnemer"}

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
    notification: int  # one that failed to go out
    leaver: int  # an account switched off
    # What the allowed writes below need to be valid:
    body: int
    named: list[int]  # the rijk and the regio deelnemer, named on the secretariat's vertrouwelijk items
    regio_organisation: int  # owns the actions
    non_member: int  # a user who is no member of BO-Brainport
    seats: list[int]
    meeting_date: date
    today: date  # the day the matrix looks from
    milestone_date: date
    import_payload: str  # the sealed preview of an action list of one good row, as the secretariat uploaded it
    postponed: dict[str, int]  # an action whose owner asked for a postponement the secretariat has yet to answer
    route_step: dict[str, int]  # the one paraaf on each nota's route (its author decides)
    route_candidate: dict[str, int]  # someone who may see the nota and is not on its route yet
    dossier_link: dict[str, int]  # the item of each audience, in the dossier of that audience
    #: A meeting held earlier whose besluitenlijst is still a concept and whose minutes are not shared.
    draft_meeting: int
    draft_item: dict[str, int]
    draft_decision: dict[str, int]
    draft_spare_item: int  # without decisions or documents: it can go from the agenda
    #: EZK's identity provider, at an address where nothing answers (the matrix never leaves the machine).
    identity_provider: int


@pytest.fixture
def world(app, clock) -> World:
    with in_app(app):
        sec, rijk, regio = user("secretariaat@ezk.test"), user("beleid@ezk.test"), user("economie@noord-brabant.test")
        waarnemer, regio_auditor = user("beleid@ienw.test"), user("auditor@noord-brabant.test")
        named = [rijk.id, regio.id]
        bo = find_body()
        # Regio-only items are made by someone on the regio side: a second secretariat member from
        # the province, who is not one of the roles the matrix looks through.
        beheer = user("beheer@regiotafel.test")
        regio_sec = regio_secretary()
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

        kinds = ("item", "document", "decision", "note", "action", "nota", "dossier", "postponed", "route_step")
        kinds += ("route_candidate", "dossier_link", "draft_item", "draft_decision")
        ids: dict[str, dict[str, int]] = {k: {} for k in kinds}
        attachments: dict[str, str] = {}
        askers: dict[str, Any] = {}

        def new_meeting(meeting_date: date, **details: Any) -> Any:
            cycle = cycles.create_cycle(
                sec,
                bo,
                meeting_date=meeting_date,
                start_time=time(10),
                end_time=time(12),
                location="Den Haag",
                chair="Minister van EZK",
                **details,
            )
            db.session.flush()
            return cycle, cycle.meetings[0]

        # Three half years of their own, after the demo's: an earlier meeting, the meeting the matrix
        # looks at from just after it was held, and a coming one.
        _draft_cycle, draft_meeting = new_meeting(today() + timedelta(days=400), standing_items=False)
        for audience in Audience:
            item = agenda.add_agenda_item(
                maker(audience),
                draft_meeting,
                title=f"Eerder punt {audience.value}",
                kind=AgendaItemKind.TER_BESLUITVORMING,
                audience=audience,
                shared_with=named if audience is Audience.VERTROUWELIJK else None,
            )
            db.session.flush()
            ids["draft_item"][audience.value] = item.id
        spare = agenda.add_agenda_item(sec, draft_meeting, title="Te schrappen punt", kind=AgendaItemKind.HAMERSTUK)
        agenda.publish_agenda(sec, draft_meeting)

        meeting_day = today() + timedelta(days=600)
        cycle, meeting = new_meeting(meeting_day)
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
        # The matrix looks from the day after the meeting: its decisions are being recorded, and what
        # members ask for now goes to the coming cycle.
        clock(meeting.ends_at + timedelta(days=1))
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
            # (A Rijk-only action is owned on the Rijk's side: the regio would not know of it.)
            asker = rijk if audience is Audience.RIJK else regio
            postponed = create_follow_up(
                maker(audience),
                bo,
                case_type=CaseType.ACTIEPUNT,
                title=f"Matrixuitstel {audience.value}",
                decision=decision,
                owner_organisation_id=asker.organisation_id,
                due_date=today() + timedelta(days=30),
            )
            ids["postponed"][audience.value] = postponed.id
            askers[audience.value] = asker
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
            nota = create_nota(
                writer,
                bo,
                title=f"Matrixnota {audience.value}",
                kenmerk=f"MX / {audience.value}",
                description="Tekst.",
                audience=audience,
                shared_with=[regio.id, waarnemer.id] if audience is Audience.VERTROUWELIJK else None,
            )
            db.session.flush()
            ids["nota"][audience.value] = nota.id
            signer = {Audience.REGIO: regio_sec, Audience.VERTROUWELIJK: regio}.get(audience, sec)
            ids["route_step"][audience.value] = add_route_step(writer, nota, user_id=signer.id, capacity="Paraaf").id
            add_route_step(writer, nota, user_id=writer.id, capacity="Beslisser", decides=True)
            ids["route_candidate"][audience.value] = (regio_auditor if audience is Audience.REGIO else waarnemer).id
            dossier = create_dossier(
                maker(audience),
                bo,
                title=f"Matrixdossier {audience.value}",
                audience=audience,
                shared_with=named if audience is Audience.VERTROUWELIJK else None,
            )
            db.session.flush()
            ids["dossier"][audience.value] = dossier.id
            ids["dossier_link"][audience.value] = link(
                maker(audience), dossier, agenda_item_id=ids["item"][audience.value]
            ).id
        decisions.share_minutes(sec, decisions.save_minutes(sec, meeting, text="Verslag van de matrixvergadering."))
        for audience in Audience:
            item = db.session.get(agenda.AgendaItem, ids["draft_item"][audience.value])
            decision = decisions.add_decision(maker(audience), item, text=f"Eerder besluit {audience.value}.")
            db.session.flush()
            ids["draft_decision"][audience.value] = decision.id
        decisions.save_minutes(sec, draft_meeting, text="Verslag van de eerdere vergadering.")
        decisions.publish_besluitenlijst(sec, meeting, comments_deadline=today() + timedelta(days=10))
        db.session.flush()
        for audience, asker in askers.items():  # the owners see their actions once the besluitenlijst is out
            postponed = db.session.get(CaseModel, ids["postponed"][audience])
            fire(asker, postponed, "uitstel_aanvragen", reason="Meer tijd.", details={"due_date": today() + LATER})
        comment = decisions.comment_on_decision(
            regio, db.session.get(decisions.Decision, ids["decision"]["overleg"]), text="Matrixreactie."
        )
        _concept_cycle, concept_meeting = new_meeting(today() + timedelta(days=200), standing_items=False)
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
        failed = db.session.scalars(select(Notification).order_by(Notification.id)).first()
        failed.state = NotificationState.MISLUKT  # as the scheduler leaves a message the mail server refused
        leaver = create_user(
            beheer, email="vertrokken@ezk.test", name="Vertrokken", organisation_id=sec.organisation_id
        )
        db.session.flush()
        switch_off_user(beheer, leaver, reason="Uit dienst.")
        sheet = read_sheet("actielijst.xlsx", workbook([IMPORT_HEADER, IMPORT_ROW]))
        import_payload = preview_import(sec, bo, sheet, audience=Audience.OVERLEG).payload
        milestone = db.session.scalars(select(Milestone).where(Milestone.cycle_id == cycle.id)).first()
        identity_provider = save_provider(beheer, None, **PROVIDER_FORM, organisation_id=sec.organisation_id)
        return World(
            identity_provider=identity_provider.id,
            slug=bo.slug,
            meeting=meeting.id,
            concept_meeting=concept_meeting.id,
            concept_item=concept_item.id,
            concept_document=concept_document.id,
            cycle=cycle.id,
            milestone=milestone.id,
            milestone_date=milestone.due_date,
            seat=db.session.scalars(
                select(Seat.id).where(Seat.body_id == bo.id, Seat.organisation_id == rijk.organisation_id)
            ).first(),
            membership=db.session.scalars(select(Membership.id).where(Membership.body_id == bo.id)).first(),
            organisation=sec.organisation_id,
            user=rijk.id,
            comment=comment.id,
            notification=failed.id,
            leaver=leaver.id,
            invitation=invitation.id,
            attachment=attachments,
            body=bo.id,
            named=named,
            regio_organisation=regio.organisation_id,
            non_member=user("economie@gelderland.test").id,
            seats=list(
                db.session.scalars(select(Seat.id).where(Seat.body_id == bo.id).order_by(Seat.position, Seat.id))
            ),
            meeting_date=meeting_day,
            today=today(),
            import_payload=import_payload,
            draft_meeting=draft_meeting.id,
            draft_spare_item=spare.id,
            **ids,
        )


# --- expectations ---------------------------------------------------------------------------------------------

OK, HIDDEN, REFUSED, LOGIN, REDIRECT = "ok", "hidden", "refused", "login", "redirect"
#: 401: the API (/api/v1) answers only a personal access token, never a browser's session.
UNAUTHORIZED = "unauthorized"
#: A form sent back as not valid (400), and a redirect with an error message: neither is an allowed write.
INVALID, DECLINED = "invalid", "declined"


@dataclass(frozen=True)
class Case:
    """One request of the matrix and what must come of it."""

    path: str
    method: str
    expect: str
    #: For a POST: the form it sends, and what an allowed one must have done.
    write: Write | None = None
    audience: str = "overleg"


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


def body_action(allowed: set[str], then: str = OK) -> Rule:
    """A member's action in the body: ``allowed`` roles get ``then`` (DECLINED: past the policy, the
    service says no with a message, as the world's state makes it), other members learn they may not."""

    def rule(role: str) -> str:
        if role == "anonymous":
            return LOGIN
        if role not in MEMBERS:
            return HIDDEN
        return then if role in allowed else REFUSED

    return rule


def on_item(
    allowed: set[str] | None, named: set[str] = NAMED_BY_SECRETARIAT, released: bool = True, then: str = OK
) -> Rule:
    """For an item of some audience: hidden unless seen; then allowed roles (None: all who see it) get
    ``then``, others are refused."""

    def rule(role: str, audience: str) -> str:
        if role == "anonymous":
            return LOGIN
        if not sees(role, audience, named, released):
            return HIDDEN
        return then if allowed is None or role in allowed else REFUSED

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


def written(allowed: str | set[str] | None, named: set[str] = NAMED_BY_RIJK) -> Rule:
    """Notes and notas, written by a deelnemer of each side. ``allowed`` is a set of roles, None for
    everyone who sees the item, or "author" for its writer only (who edits a note, and who writes a
    nota's text and route and offers it for initials)."""

    def rule(role: str, audience: str) -> str:
        side = "regio" if audience == "regio" else "rijk"
        if allowed == "author":
            permitted: set[str] | None = {AUTHOR[side]}
        else:
            permitted = allowed  # type: ignore[assignment]
        return on_item(permitted, named)(role, audience)

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
    # None of the matrix's accounts has a second factor: new recovery codes are refused with a message.
    "auth.recovery_codes": (
        "/auth/account/herstelcodes",
        {"POST": lambda r: LOGIN if r == "anonymous" else DECLINED},
        None,
    ),
    # Anyone may choose a language; an empty choice is refused with a message (400), for everyone.
    "auth.language": ("/taal", {"POST": lambda r: OK}, None),
    "auth.calendar_feed_create": ("/auth/account/agenda", {"POST": signed_in}, None),
    # Personal access tokens: one's own, made and revoked on *Mijn account*; another's does not exist.
    "api_tokens.create": ("/auth/account/api-tokens", {"POST": signed_in}, None),
    "api_tokens.revoke": (
        "/auth/account/api-tokens/999999/intrekken",
        {"POST": lambda r: LOGIN if r == "anonymous" else HIDDEN},
        None,
    ),
    # The API's document and its page are public; every call of the API itself wants a token, and a
    # browser's session is no token: 401 for every role (tests/api has the matrix with tokens).
    "api-docs.openapi_json": ("/api/v1/openapi.json", {"GET": public}, None),
    "api_docs.docs": ("/api/v1/docs", {"GET": public}, None),
    **{
        endpoint: (path, {method: lambda r: UNAUTHORIZED}, None)
        for method, paths in {
            "GET": {
                "api.me": "/api/v1/me",
                "api.bodies_list": "/api/v1/bodies",
                "api.bodies_get": "/api/v1/bodies/1",
                "api.cycles_list": "/api/v1/cycles",
                "api.cycles_get": "/api/v1/cycles/1",
                "api.meetings_list": "/api/v1/meetings",
                "api.meetings_get": "/api/v1/meetings/1",
                "api.agenda_items_list": "/api/v1/agenda-items",
                "api.agenda_items_get": "/api/v1/agenda-items/1",
                "api.documents_list": "/api/v1/documents",
                "api.documents_get": "/api/v1/documents/1",
                "api.documents_content": "/api/v1/documents/1/content",
                "api.decisions_list": "/api/v1/decisions",
                "api.decisions_get": "/api/v1/decisions/1",
                "api.decision_comments": "/api/v1/decisions/1/comments",
                "api.minutes_list": "/api/v1/minutes",
                "api.minutes_get": "/api/v1/minutes/1",
                "api.cases_list": "/api/v1/cases",
                "api.cases_get": "/api/v1/cases/1",
                "api.history": "/api/v1/history/meetings/1",
                "api.audit_trail": "/api/v1/audit-trail",
            },
            "POST": {
                "api_writes.agenda_requests_create": "/api/v1/agenda-requests",
                "api_writes.decision_comment": "/api/v1/decisions/1/comments",
                "api_writes.case_progress": "/api/v1/cases/1/progress",
                "api_writes.case_transition": "/api/v1/cases/1/transitions",
                "api_writes.meeting_documents_add": "/api/v1/meetings/1/documents",
            },
        }.items()
        for endpoint, path in paths.items()
    },
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
    "auth.admin_provider_new": ("/beheer/inlogdiensten/nieuw", {"GET": beheerder_only, "POST": beheerder_only}, None),
    "auth.admin_provider_edit": (
        "/beheer/inlogdiensten/{identity_provider}",
        {"GET": beheerder_only, "POST": beheerder_only},
        None,
    ),
    # Signed in, there is nothing to sign in to. Signed out, the provider does not answer (start), and an
    # answer without a sign-in under way is refused (callback): back to the sign-in page either way.
    "auth.sso_start": (
        "/auth/sso/{identity_provider}",
        {"POST": lambda r: LOGIN if r == "anonymous" else REDIRECT},
        None,
    ),
    "auth.sso_callback": ("/auth/sso/terug", {"GET": lambda r: LOGIN if r == "anonymous" else REDIRECT}, None),
    "meetings.admin_user_invite": ("/beheer/gebruikers/nieuw", {"GET": beheerder_only, "POST": beheerder_only}, None),
    "auth.admin_user_edit": ("/beheer/gebruikers/{user}", {"GET": beheerder_only, "POST": beheerder_only}, None),
    "auth.admin_user_switch_off": ("/beheer/gebruikers/{user}/uitzetten", {"POST": beheerder_only}, None),
    "auth.admin_user_reactivate": ("/beheer/gebruikers/{leaver}/aanzetten", {"POST": beheerder_only}, None),
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
    # A seat of the rijk deelnemer's organisation: another's participant is told it is not theirs.
    "meetings.attendance_notice": (
        "/vergaderingen/{concept_meeting}/zetels/{seat}/melden",
        {"POST": lambda r: DECLINED if r == "regio_deelnemer" else body_action(PARTICIPANTS)(r)},
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
        "/vergaderingen/{draft_meeting}/besluitenlijst/publiceren",
        {"POST": body_action(SEC)},
        None,
    ),
    # While the members may still comment, the secretariat is told it cannot adopt the list yet.
    "meetings.besluitenlijst_adopt": (
        "/vergaderingen/{meeting}/besluitenlijst/vaststellen",
        {"POST": body_action(SEC, then=DECLINED)},
        None,
    ),
    "meetings.minutes": ("/vergaderingen/{meeting}/verslag", {"GET": member, "POST": body_action(SEC)}, None),
    "meetings.minutes_share": ("/vergaderingen/{draft_meeting}/verslag/delen", {"POST": body_action(SEC)}, None),
    "meetings.minutes_adopt": ("/vergaderingen/{meeting}/verslag/vaststellen", {"POST": body_action(SEC)}, None),
    "meetings.agenda_item": ("/agendapunten/{id}", {"GET": on_item(None)}, "item"),
    "meetings.agenda_item_edit": ("/agendapunten/{id}/bewerken", {"GET": on_item(SEC), "POST": on_item(SEC)}, "item"),
    "meetings.agenda_item_move": ("/agendapunten/{id}/verplaatsen", {"POST": on_item(SEC)}, "item"),
    # An item with decisions and documents stays on the agenda: the secretariat is told so.
    "meetings.agenda_item_remove": (
        "/agendapunten/{id}/verwijderen",
        {"GET": on_item(SEC), "POST": on_item(SEC, then=DECLINED)},
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
    # Decisions are recorded, changed and removed while the besluitenlijst is a concept: on the earlier
    # meeting's items (rows in EXTRA); this meeting's list is out for comments.
    "meetings.decision_new": ("/agendapunten/{id}/besluiten/nieuw", {"GET": on_item(SEC)}, "item"),
    "meetings.decision": ("/besluiten/{id}", {"GET": on_item(None), "POST": on_item(PARTICIPANTS)}, "decision"),
    "meetings.decision_edit": ("/besluiten/{id}/bewerken", {"GET": on_item(SEC)}, "decision"),
    "meetings.decision_remove": ("/besluiten/{id}/verwijderen", {"GET": on_item(SEC)}, "decision"),
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
    "cases.nota_edit": (
        "/zaken/{id}/bewerken",
        {"GET": written("author", NAMED_ON_NOTA), "POST": written("author", NAMED_ON_NOTA)},
        "nota",
    ),
    # The nota's route is its author's to line up; anyone else may not touch it.
    "cases.route_add": ("/zaken/{id}/route", {"POST": written("author", NAMED_ON_NOTA)}, "nota"),
    "cases.route_remove": ("/zaken/{id}/route/{route_step}/weg", {"POST": written("author", NAMED_ON_NOTA)}, "nota"),
    "cases.route_move": ("/zaken/{id}/route/{route_step}/omhoog", {"POST": written("author", NAMED_ON_NOTA)}, "nota"),
    "cases.dossier_new": (
        "/overleggen/{slug}/dossiers/nieuw",
        {"GET": body_action(SEC), "POST": body_action(SEC)},
        None,
    ),
    "cases.dossier_link": ("/zaken/{id}/dossier", {"POST": on_item(SEC, NAMED_BY_SECRETARIAT)}, "dossier"),
    "cases.dossier_unlink": ("/zaken/{id}/dossier/{dossier_link}/weg", {"POST": on_item(SEC)}, "dossier"),
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
    ("/zaken/{id}", "GET", written(None, NAMED_ON_NOTA), "nota"),
    ("/zaken/{id}/stap/aanbieden", "POST", written("author", NAMED_ON_NOTA), "nota"),
    # Uitstel: the owner (the regio deelnemer's organisation) asks, the secretariat answers.
    ("/zaken/{id}/stap/uitstel_aanvragen", "POST", on_item({"regio_deelnemer"}), "action"),
    ("/zaken/{id}/stap/uitstel_verlenen", "POST", on_item(SEC), "postponed"),
    # The earlier meeting, whose besluitenlijst is still the secretariat's concept.
    ("/agendapunten/{id}/besluiten/nieuw", "POST", on_item(SEC), "draft_item"),
    ("/besluiten/{id}/bewerken", "POST", on_item(SEC, released=False), "draft_decision"),
    ("/besluiten/{id}/verwijderen", "POST", on_item(SEC, released=False), "draft_decision"),
    ("/agendapunten/{draft_spare_item}/verwijderen", "POST", on_item(SEC), None),
    # The list out for comments is not published again: the secretariat is told so.
    ("/vergaderingen/{meeting}/besluitenlijst/publiceren", "POST", body_action(SEC, then=DECLINED), None),
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


# --- what an allowed write sends, and what it must leave behind ----------------------------------------------


@dataclass(frozen=True)
class Write:
    """A valid form for a POST (so that an allowed one can succeed, and a refusal is not the form's doing),
    and, for the main writes, what must be in the database after an allowed one."""

    form: Callable[[World, str], dict[str, Any]]
    done: Callable[[World, str], bool] | None = None


#: An identity provider's form; port 9 (discard) on loopback: nothing answers there.
PROVIDER_FORM = {k: v for k, v in provider_fields("http://127.0.0.1:9", 0).items() if k != "organisation_id"}
SECRET = "MATRIXMATRIXMATRIXMATRIXMATRIX23"  # a second-factor secret set up in the session beforehand
PASSWORD = "een heel ander wachtwoord van de matrix"
LATER = timedelta(days=60)
IMPORT_HEADER = ["Soort", "Titel", "Eigenaar", "Uitvoerder", "Datum gereed", "Herkomst", "Toelichting"]
IMPORT_ROW = ["actiepunt", "Matrix: geïmporteerde actie", "EZK", "", "01-03-2031", "", ""]


def day(value: date) -> str:
    return value.isoformat()


def exists(model: Any, *where: Any) -> bool:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) == 1


def audience_fields(w: World, a: str, named: list[int] | None = None) -> dict[str, Any]:
    """The audience as the item has it, naming who it names."""
    return {"audience": a, "shared_with": (named or w.named) if a == "vertrouwelijk" else []}


# By endpoint (rows of ROUTES) or by path (rows of EXTRA). Every POST an allowed role sends carries its
# form; a POST that needs none (a button) is absent here and sent empty.
WRITES: dict[str, Write] = {
    "auth.login": Write(lambda w, a: {"email": "beleid@ocw.test", "password": DEMO_PASSWORD}),
    "auth.second_factor": Write(lambda w, a: {"code": "123456"}),
    "auth.mfa_setup": Write(lambda w, a: {"code": pyotp.TOTP(SECRET, interval=mfa.STEP).at(now())}),
    "auth.own_password": Write(lambda w, a: {"current": DEMO_PASSWORD, "password": PASSWORD, "confirm": PASSWORD}),
    "auth.language": Write(lambda w, a: {"locale": "nl", "next": "/"}),
    "api_tokens.create": Write(lambda w, a: {"name": "matrix", "scope": "read", "days": "30"}),
    "auth.password_forgotten": Write(lambda w, a: {"email": "iemand@ezk.test"}),
    "auth.invitation_accept": Write(
        lambda w, a: {"token": "geen-echte-sleutel", "password": PASSWORD, "confirm": PASSWORD}
    ),
    "auth.password_reset_save": Write(
        lambda w, a: {"token": "geen-echte-sleutel", "password": PASSWORD, "confirm": PASSWORD}
    ),
    "auth.admin_organisation_new": Write(
        lambda w, a: {"name": "Matrixorganisatie", "short_name": "MX", "side": "regio"},
        lambda w, a: exists(Organisation, Organisation.name == "Matrixorganisatie"),
    ),
    "auth.admin_provider_new": Write(
        lambda w, a: {**PROVIDER_FORM, "issuer": "http://127.0.0.1:9/matrix", "organisation_id": w.organisation},
        lambda w, a: exists(IdentityProvider, IdentityProvider.issuer == "http://127.0.0.1:9/matrix"),
    ),
    "auth.admin_provider_edit": Write(
        lambda w, a: {**PROVIDER_FORM, "client_id": "matrix-client", "organisation_id": w.organisation},
        lambda w, a: exists(IdentityProvider, IdentityProvider.client_id == "matrix-client"),
    ),
    "auth.admin_organisation_edit": Write(
        lambda w, a: {"name": "Ministerie van EZK (matrix)", "short_name": "EZK", "side": "rijk"},
        lambda w, a: exists(Organisation, Organisation.name == "Ministerie van EZK (matrix)"),
    ),
    "meetings.admin_user_invite": Write(
        lambda w, a: {
            "name": "Matrix Uitgenodigd",
            "email": "matrix-beheer@ezk.test",
            "organisation_id": w.organisation,
            "locale": "nl",
            "roles-0-body_id": w.body,
            "roles-0-role": "deelnemer",
        },
        lambda w, a: exists(User, User.email == "matrix-beheer@ezk.test"),
    ),
    "auth.admin_user_edit": Write(
        lambda w, a: {"email": "beleid@ezk.test", "name": "Sanne de Vries (matrix)", "organisation_id": w.organisation},
        lambda w, a: exists(User, User.name == "Sanne de Vries (matrix)"),
    ),
    "auth.admin_user_switch_off": Write(
        lambda w, a: {"reason": "Uit dienst."}, lambda w, a: exists(User, User.id == w.user, User.active.is_(False))
    ),
    "auth.admin_user_reactivate": Write(lambda w, a: {}, lambda w, a: exists(User, User.id == w.leaver, User.active)),
    "notify.outbox_retry": Write(
        lambda w, a: {},
        lambda w, a: exists(
            Notification, Notification.id == w.notification, Notification.state == NotificationState.GEPLAND
        ),
    ),
    "auth.invitation_resend": Write(lambda w, a: {"next": f"/overleggen/{w.slug}/toegang"}),
    "auth.invitation_withdraw": Write(lambda w, a: {"next": f"/overleggen/{w.slug}/toegang"}),
    "meetings.admin_bodies": Write(
        lambda w, a: {"name": "Matrixthema"}, lambda w, a: exists(Theme, Theme.name == "Matrixthema")
    ),
    "meetings.admin_body_new": Write(
        lambda w, a: {"name": "Matrixoverleg", "slug": "matrixoverleg"},
        lambda w, a: exists(Body, Body.slug == "matrixoverleg"),
    ),
    "meetings.admin_body_settings": Write(
        lambda w, a: {
            "name": "BO-Brainport (matrix)",
            "agendaverzoeken_sluiten": -42,
            "ambtelijk_voorportaal": -28,
            "stukken_verzonden": -7,
            "conceptverslag": 14,
            "reactietermijn_sluit": 28,
        },
        lambda w, a: exists(Body, Body.name == "BO-Brainport (matrix)"),
    ),
    "meetings.admin_body_members": Write(
        lambda w, a: {"user_id": w.non_member, "role": "waarnemer"},
        lambda w, a: exists(Membership, Membership.body_id == w.body, Membership.user_id == w.non_member),
    ),
    "meetings.admin_body_standing": Write(
        lambda w, a: {
            "entries-0-title": "Matrixopening",
            "entries-0-kind": "ter_informatie",
            "entries-0-placement": "begin",
            "entries-0-position": 1,
        },
    ),
    "meetings.admin_body_invites": Write(lambda w, a: {"secretariat_invites": "y"}),
    "meetings.body_invite": Write(
        lambda w, a: {
            "name": "Matrix Uitgenodigd",
            "email": "matrix-overleg@ezk.test",
            "organisation_id": w.organisation,
            "locale": "nl",
            "role": "deelnemer",
        },
        lambda w, a: exists(User, User.email == "matrix-overleg@ezk.test"),
    ),
    "meetings.access_review_confirm": Write(lambda w, a: {"note": "Alles nagelopen."}),
    "meetings.cycle_new": Write(
        lambda w, a: {
            "meeting_date": day(w.meeting_date + timedelta(days=730)),
            "start_time": "10:00",
            "end_time": "12:00",
            "location": "Den Haag",
            "chair": "Minister van EZK",
            "audience": "overleg",
        },
        lambda w, a: exists(Cycle, Cycle.meeting_date == w.meeting_date + timedelta(days=730)),
    ),
    "meetings.cycle_year_plan": Write(
        lambda w, a: {
            "year": w.meeting_date.year + 5,
            "voorjaar": day(date(w.meeting_date.year + 5, 3, 14)),
            "start_time": "10:00",
            "end_time": "12:00",
            "location": "Den Haag",
            "chair": "Minister van EZK",
            "audience": "overleg",
        },
        lambda w, a: exists(Cycle, Cycle.meeting_date == date(w.meeting_date.year + 5, 3, 14)),
    ),
    "meetings.milestone_move": Write(
        lambda w, a: {"due_date": day(w.milestone_date - timedelta(days=1))},
        lambda w, a: exists(
            Milestone, Milestone.id == w.milestone, Milestone.due_date == w.milestone_date - timedelta(days=1)
        ),
    ),
    "meetings.seats": Write(
        lambda w, a: {"function": "Matrixzetel", "organisation_id": w.organisation},
        lambda w, a: exists(Seat, Seat.function == "Matrixzetel"),
    ),
    "meetings.meeting_edit": Write(
        lambda w, a: {
            "meeting_date": day(w.meeting_date),
            "start_time": "10:00",
            "end_time": "12:00",
            "location": "Eindhoven",
            "chair": "Minister van EZK",
        },
        lambda w, a: exists(Meeting, Meeting.id == w.meeting, Meeting.location == "Eindhoven"),
    ),
    "meetings.agenda_item_new": Write(
        lambda w, a: {"title": "Matrix: nieuw punt", "kind": "ter_bespreking"},
        lambda w, a: exists(AgendaItem, AgendaItem.meeting_id == w.meeting, AgendaItem.title == "Matrix: nieuw punt"),
    ),
    "meetings.agenda_publish": Write(
        lambda w, a: {},
        lambda w, a: exists(Meeting, Meeting.id == w.concept_meeting, Meeting.agenda_published_at.is_not(None)),
    ),
    "meetings.attendance_notice": Write(
        lambda w, a: {"status": "afwezig"},
        lambda w, a: exists(
            AttendanceNotice, AttendanceNotice.meeting_id == w.concept_meeting, AttendanceNotice.seat_id == w.seat
        ),
    ),
    "meetings.attendance": Write(
        lambda w, a: {
            key: value
            for n, seat in enumerate(w.seats)
            for key, value in ((f"entries-{n}-seat_id", seat), (f"entries-{n}-status", "aanwezig"))
        },
        lambda w, a: db.session.scalar(select(func.count()).where(Attendance.meeting_id == w.meeting)) == len(w.seats),
    ),
    "/agendapunten/{id}/besluiten/nieuw": Write(
        lambda w, a: {"text": f"Matrix: nog een besluit {a}."},
        lambda w, a: exists(
            Decision, Decision.agenda_item_id == w.draft_item[a], Decision.text == f"Matrix: nog een besluit {a}."
        ),
    ),
    "/besluiten/{id}/bewerken": Write(
        lambda w, a: {"text": f"Eerder besluit {a}, bewerkt.", **audience_fields(w, a)},
        lambda w, a: exists(
            Decision, Decision.id == w.draft_decision[a], Decision.text == f"Eerder besluit {a}, bewerkt."
        ),
    ),
    "/besluiten/{id}/verwijderen": Write(
        lambda w, a: {}, lambda w, a: not exists(Decision, Decision.id == w.draft_decision[a])
    ),
    "/agendapunten/{draft_spare_item}/verwijderen": Write(
        lambda w, a: {}, lambda w, a: not exists(AgendaItem, AgendaItem.id == w.draft_spare_item)
    ),
    "meetings.besluitenlijst_publish": Write(
        lambda w, a: {"comments_deadline": day(w.meeting_date + timedelta(days=20))},
        lambda w, a: exists(
            Meeting, Meeting.id == w.draft_meeting, Meeting.besluitenlijst_status == ReviewStatus.TER_COMMENTAAR
        ),
    ),
    "/vergaderingen/{meeting}/besluitenlijst/publiceren": Write(
        lambda w, a: {"comments_deadline": day(w.meeting_date + timedelta(days=20))}
    ),
    "meetings.minutes_share": Write(
        lambda w, a: {},
        lambda w, a: exists(
            Minutes, Minutes.meeting_id == w.draft_meeting, Minutes.status == ReviewStatus.TER_COMMENTAAR
        ),
    ),
    "meetings.minutes_adopt": Write(
        lambda w, a: {},
        lambda w, a: exists(Minutes, Minutes.meeting_id == w.meeting, Minutes.status == ReviewStatus.VASTGESTELD),
    ),
    "meetings.progress_item_add": Write(
        lambda w, a: {},
        lambda w, a: exists(
            AgendaItem, AgendaItem.meeting_id == w.concept_meeting, AgendaItem.is_progress_report.is_(True)
        ),
    ),
    "meetings.minutes": Write(
        lambda w, a: {"text": "Verslag, herschreven.", "audience": "overleg"},
        lambda w, a: exists(Minutes, Minutes.meeting_id == w.meeting, Minutes.text == "Verslag, herschreven."),
    ),
    "meetings.agenda_item_edit": Write(
        lambda w, a: {"title": f"Matrixpunt {a}, bewerkt", "kind": "ter_besluitvorming", **audience_fields(w, a)},
        lambda w, a: exists(AgendaItem, AgendaItem.id == w.item[a], AgendaItem.title == f"Matrixpunt {a}, bewerkt"),
    ),
    "meetings.agenda_item_move": Write(lambda w, a: {"position": 1}),
    "meetings.document_new": Write(
        lambda w, a: {
            "file": (io.BytesIO(text_pdf("Matrixbijlage", [a])), "bijlage.pdf"),
            "title": f"Matrixbijlage {a}",
        },
        lambda w, a: exists(Document, Document.agenda_item_id == w.item[a], Document.title == f"Matrixbijlage {a}"),
    ),
    "meetings.decision": Write(
        lambda w, a: {"text": f"Matrix: een reactie op {a}."},
        lambda w, a: exists(
            DecisionComment,
            DecisionComment.decision_id == w.decision[a],
            DecisionComment.text == f"Matrix: een reactie op {a}.",
        ),
    ),
    "meetings.comment_handle": Write(
        lambda w, a: {"outcome": "beantwoord", "response": "Dank, zo blijft het."},
        lambda w, a: exists(
            DecisionComment, DecisionComment.id == w.comment, DecisionComment.response == "Dank, zo blijft het."
        ),
    ),
    "meetings.note_new": Write(
        lambda w, a: {"title": "Matrix: nieuwe notitie", "text": "Tekst."},
        lambda w, a: exists(Note, Note.title == "Matrix: nieuwe notitie"),
    ),
    "meetings.note_edit": Write(
        lambda w, a: {"title": f"Matrixnotitie {a}, bewerkt", "text": "Tekst.", **audience_fields(w, a, [w.named[1]])},
        lambda w, a: exists(Note, Note.id == w.note[a], Note.title == f"Matrixnotitie {a}, bewerkt"),
    ),
    "cases.request_new": Write(
        lambda w, a: {"title": "Matrix: agendaverzoek", "description": "Graag.", "requested_kind": "ter_bespreking"},
        lambda w, a: exists(CaseModel, CaseModel.title == "Matrix: agendaverzoek"),
    ),
    "cases.follow_up_new": Write(
        lambda w, a: {
            "case_type": "toezegging",
            "title": "Matrix: toezegging",
            "owner_organisation_id": w.regio_organisation,
            "due_date": day(w.today + LATER),
        },
        lambda w, a: exists(CaseModel, CaseModel.title == "Matrix: toezegging"),
    ),
    "cases.nota_new": Write(
        lambda w, a: {"title": "Matrix: nota", "description": "Tekst."},
        lambda w, a: exists(CaseModel, CaseModel.title == "Matrix: nota"),
    ),
    "cases.action_new": Write(
        lambda w, a: {
            "case_type": "actiepunt",
            "title": f"Matrix: actie bij {a}",
            "owner_organisation_id": w.regio_organisation,
            "due_date": day(w.today + LATER),
        },
        lambda w, a: exists(
            CaseModel, CaseModel.decision_id == w.decision[a], CaseModel.title == f"Matrix: actie bij {a}"
        ),
    ),
    "cases.case_step": Write(
        lambda w, a: {}, lambda w, a: exists(CaseModel, CaseModel.id == w.action[a], CaseModel.state == "in_uitvoering")
    ),
    "cases.case_note": Write(
        lambda w, a: {"text": f"Matrix: voortgang {a}."},
        lambda w, a: exists(CaseEvent, CaseEvent.case_id == w.action[a], CaseEvent.note == f"Matrix: voortgang {a}."),
    ),
    "cases.case_due_date": Write(
        lambda w, a: {"due_date": day(w.today + LATER), "reason": "Later."},
        lambda w, a: exists(CaseModel, CaseModel.id == w.action[a], CaseModel.due_date == w.today + LATER),
    ),
    "cases.actions_import": Write(
        lambda w, a: {"audience": "overleg", "file": (io.BytesIO(workbook([IMPORT_HEADER, IMPORT_ROW])), "lijst.xlsx")}
    ),
    "cases.actions_import_save": Write(
        lambda w, a: {"payload": w.import_payload, "mode": "alles"},
        lambda w, a: exists(CaseModel, CaseModel.title == IMPORT_ROW[1]),
    ),
    "cases.nota_edit": Write(
        lambda w, a: {"title": f"Matrixnota {a}, bewerkt", "kenmerk": f"MX / {a}", "description": "Tekst."},
        lambda w, a: exists(CaseModel, CaseModel.id == w.nota[a], CaseModel.title == f"Matrixnota {a}, bewerkt"),
    ),
    "cases.route_add": Write(
        lambda w, a: {"user_id": w.route_candidate[a], "capacity": "Tweede paraaf"},
        lambda w, a: exists(RouteStep, RouteStep.case_id == w.nota[a], RouteStep.user_id == w.route_candidate[a]),
    ),
    "cases.route_remove": Write(lambda w, a: {}, lambda w, a: not exists(RouteStep, RouteStep.id == w.route_step[a])),
    "cases.dossier_new": Write(
        lambda w, a: {"title": "Matrix: dossier"}, lambda w, a: exists(CaseModel, CaseModel.title == "Matrix: dossier")
    ),
    "cases.dossier_link": Write(
        lambda w, a: {"decision_id": w.decision[a]},
        lambda w, a: exists(
            DossierLink, DossierLink.dossier_id == w.dossier[a], DossierLink.decision_id == w.decision[a]
        ),
    ),
    "cases.dossier_unlink": Write(
        lambda w, a: {}, lambda w, a: not exists(DossierLink, DossierLink.id == w.dossier_link[a])
    ),
    "audit.export_page": Write(lambda w, a: {"form": "jsonl"}),
    "/zaken/{id}/stap/aanbieden": Write(
        lambda w, a: {}, lambda w, a: exists(CaseModel, CaseModel.id == w.nota[a], CaseModel.state == "ter_parafering")
    ),
    "/zaken/{id}/stap/uitstel_aanvragen": Write(
        lambda w, a: {"reason": "Meer tijd nodig.", "due_date": day(w.today + LATER)},
        lambda w, a: exists(CaseModel, CaseModel.id == w.action[a], CaseModel.requested_due_date == w.today + LATER),
    ),
    "/zaken/{id}/stap/uitstel_verlenen": Write(
        lambda w, a: {},
        lambda w, a: exists(CaseModel, CaseModel.id == w.postponed[a], CaseModel.due_date == w.today + LATER),
    ),
}


def cases_for(world: World, role: str) -> list[Case]:
    fields = {k: v for k, v in vars(world).items() if not isinstance(v, dict)}
    found: list[Case] = []
    for endpoint, (path, methods, kind) in ROUTES.items():
        for method, rule in methods.items():
            found.extend(_expand(world, fields, role, path, method, rule, kind, WRITES.get(endpoint)))
    for path, method, rule, kind in EXTRA:
        if kind is None and ("{concept" in path or "{draft_spare" in path):
            found.append(Case(path.format(**fields), method, rule(role, "overleg")))
        else:
            found.extend(_expand(world, fields, role, path, method, rule, kind, WRITES.get(path)))
    return found


def _expand(
    world: World,
    fields: dict[str, Any],
    role: str,
    path: str,
    method: str,
    rule: Rule,
    kind: str | None,
    write: Write | None,
) -> list[Case]:
    if method != "POST":
        write = None
    if kind is None:
        return [Case(path.format(**fields), method, rule(role), write)]
    per_audience = {k: v for k, v in vars(world).items() if isinstance(v, dict)}
    return [
        Case(
            path.format(**fields, id=getattr(world, kind)[a], **{k: v[a] for k, v in per_audience.items()}),
            method,
            rule(role, a),
            write,
            a,
        )
        for a in AUDIENCES
    ]


def outcome(response: Any, flashed: list[tuple[str, str]]) -> str:
    if response.status_code == 401:
        return UNAUTHORIZED
    if response.status_code == 404:
        return HIDDEN
    if response.status_code == 403:
        return REFUSED
    if response.status_code == 400:
        return INVALID
    if response.status_code in (301, 302, 303):
        if "/auth/login" in response.headers["Location"]:
            return LOGIN
        return DECLINED if any(category == "error" for category, _message in flashed) else REDIRECT
    if response.status_code >= 500:
        return "error"
    return OK


ERROR = re.compile(r'<p class="(?:error|flash flash-error)"[^>]*>.*?</p>|<div class="error-summary".*?</div>', re.S)


def reasons(response: Any, flashed: list[tuple[str, str]]) -> str:
    """What a refused form or a declined write said, for the report."""
    said = [message for category, message in flashed if category == "error"]
    if response.status_code == 400 and response.content_type.startswith("text/html"):
        said += [
            " ".join(re.sub(r"<[^>]+>", " ", m.group()).split())
            for m in ERROR.finditer(response.get_data(as_text=True))
        ]
    return f": {' '.join(said)}" if said else ""


def acceptable(case: Case, got: str) -> bool:
    if got == case.expect:
        return True
    # An allowed POST may end in a redirect (done) as well as in a page (200): never in a form sent back
    # (400), nor in a redirect with an error message.
    return case.expect == OK and case.method == "POST" and got == REDIRECT


# --- the tests ---------------------------------------------------------------------------------------------


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = endpoints - set(ROUTES)
    assert not missing, f"routes without an expectation in the access matrix: {sorted(missing)}"
    stale = set(ROUTES) - endpoints
    assert not stale, f"expectations for routes that no longer exist: {sorted(stale)}"


@dataclass
class Run:
    wrong: list[str]
    total: int
    #: Allowed writes whose result was looked up in the database and found.
    verified: list[str]


def run_matrix(app: Any, world: World, undo: Any, role: str) -> Run:
    """Every request of the matrix for one role: the ones that came out wrong, how many ran, and the
    allowed writes seen to have done their work."""
    client = app.test_client()
    if ROLES[role]:
        assert client.login(ROLES[role]).status_code == 302
    run = Run([], 0, [])
    cases = cases_for(world, role)
    for case in cases:
        with undo():
            if case.path.startswith("/auth/tweede-stap/") and ROLES[role]:
                with client.session_transaction() as state:
                    state["mfa_secret"] = SECRET  # the second factor being set up, as its page puts it there
            if case.method == "GET":
                response = client.get(case.path)
            else:
                response = client.post_form(case.path, case.write.form(world, case.audience) if case.write else {})
            with client.session_transaction() as state:
                flashed = state.pop("_flashes", [])
            got = outcome(response, flashed)
            why = reasons(response, flashed) if got in (INVALID, DECLINED) else ""
            response.close()
            checked = acceptable(case, got) and case.expect == OK and case.write is not None and case.write.done
            if checked:
                with app.app_context():
                    done = case.write.done(world, case.audience)  # type: ignore[union-attr,misc]
                    db.session.remove()
        request = f"{case.method} {case.path}"
        if not acceptable(case, got):
            run.wrong.append(f"{request}: expected {case.expect}, got {got} ({response.status_code}){why}")
        elif checked and not done:
            run.wrong.append(f"{request}: {got} ({response.status_code}), but what it writes is not there")
        elif checked:
            run.verified.append(request)
        with client.session_transaction() as state:
            # Signed out (logout, the second step), or signed in where anonymous (the login form works).
            ended = "csrf_token" not in state or ("sid" in state) is (ROLES[role] is None)
        if ended:
            # The request ended the session (logout, the second step) or began one: start again for the rest.
            client = app.test_client()
            if ROLES[role]:
                client.login(ROLES[role])
    run.total = len(cases)
    return run


#: How many of each role's allowed writes the matrix finds done in the database, at least.
WRITES_SEEN = {
    "anonymous": 0,
    "rijk_deelnemer": 28,
    "regio_deelnemer": 24,
    "non_member": 0,
    "secretariaat": 74,
    "waarnemer": 0,
    "auditor": 0,
    "beheerder": 12,
}


@pytest.mark.parametrize("role", list(ROLES))
def test_the_access_matrix_holds_for(role, app, world, undo):
    run = run_matrix(app, world, undo, role)
    assert not run.wrong, f"{len(run.wrong)} of {run.total} requests wrong for {role}:\n" + "\n".join(run.wrong)
    assert run.total > 200
    # The allowed writes were shown to work, not only to get past the policy.
    assert len(run.verified) >= WRITES_SEEN[role], run.verified


def test_the_matrix_catches_a_view_that_skips_the_policy(app, world, undo, monkeypatch):
    """The mutation test: delete the policy check from the loader one view uses, and the matrix
    reports every item the regio deelnemer may not see but now can open."""
    import meetings.services.agenda as agenda_services

    def unchecked(user: Any, item_id: int) -> Any:  # the mutation: any item by id, no policy
        return db.get_or_404(agenda_services.AgendaItem, item_id)

    monkeypatch.setattr(agenda_services, "get_agenda_item", unchecked)
    wrong = run_matrix(app, world, undo, "regio_deelnemer").wrong
    leaked = [line for line in wrong if line.startswith(f"GET /agendapunten/{world.item['rijk']}:")]
    assert leaked == [f"GET /agendapunten/{world.item['rijk']}: expected hidden, got ok (200)"]
    assert any(line.startswith(f"GET /agendapunten/{world.concept_item}:") for line in wrong)


def test_the_matrix_catches_an_allowed_write_that_fails_or_stores_nothing(app, world, undo, monkeypatch):
    """The mutation tests for writes: a comment form that is never valid (a 400, which the matrix once
    counted as allowed), and a note service that answers success but stores nothing."""
    from meetings.forms import CommentForm
    from meetings.services import notes as note_services

    monkeypatch.setattr(CommentForm, "validate", lambda form, extra_validators=None: False)
    earlier = SimpleNamespace(id=world.note["overleg"])  # a note that is there already
    monkeypatch.setattr(note_services, "add_note", lambda *args, **kwargs: earlier)
    wrong = run_matrix(app, world, undo, "rijk_deelnemer").wrong
    overleg = world.decision["overleg"]
    assert f"POST /besluiten/{overleg}: expected ok, got invalid (400)" in wrong
    assert f"POST /overleggen/{world.slug}/notities/nieuw: redirect (302), but what it writes is not there" in wrong
