"""Pages of cases: submitting requests, recording follow-ups, notas and their parafenroute,
dossiers, the case page, my actions, and a body's overview of actions per organisation."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.models import User
from auth.policy import Action, bodies_where, can, ensure, get_visible
from auth.services import list_users, named_people
from cases import bp, engine
from cases.forms import (
    AgendaRequestForm,
    DossierForm,
    DossierLinkForm,
    DueDateForm,
    FollowUpForm,
    NotaEditForm,
    NotaForm,
    NoteForm,
    PostponeForm,
    RouteStepForm,
    ScheduleForm,
    TransitionForm,
)
from cases.models import CaseAttachment, CaseType, EventKind
from cases.services import attachments, dossiers, nota, route
from cases.services import cases as services
from cases.services import news as case_news
from cases.workflows import SAME_STATE, TYPE_LABELS
from core.dates import show_date
from core.downloads import streamed
from core.errors import DomainError, NotPermitted, NotVisible
from core.labels import choices
from core.pages import form_page, run_action, submit_form
from core.refs import ObjectRef
from core.sections import HomePanel, LinkedItem, PageAction, PageSection
from core.signals import home_panels
from meetings import signals as meetings_signals
from meetings import storage
from meetings.forms import offer_members, uploads_of
from meetings.models import AgendaItemKind
from meetings.services import bodies as body_services
from meetings.services import decisions as decision_services
from notify.services import notifications_about


@bp.route("/overleggen/<slug>/agendaverzoeken/nieuw", methods=["GET", "POST"])
@login_required
def request_new(slug: str) -> ResponseReturnValue:
    """A member submits an agenda request for the body's next cycle."""
    body = body_services.body_by_slug(current_user, slug)
    ensure(current_user, Action.PARTICIPATE, body)
    form = AgendaRequestForm()
    form.theme_id.choices = [("", _("— geen —"))] + [(t.id, t.name) for t in body_services.all_themes()]
    case = submit_form(
        form,
        lambda user: services.submit_agenda_request(
            user, body, **{**form.service_data(), "files": uploads_of(form.files)}
        ),
    )
    if case:
        flash(_("Uw agendaverzoek %(ref)s is ingediend bij het secretariaat.", ref=case.reference), "success")
        return redirect(url_for("cases.case", case_id=case.id))
    return form_page("cases/request_form.html", form=form, body=body, **_upload_limits(form))


def _upload_limits(form: Any) -> dict[str, Any]:
    """What a form with files says about them, and after a refusal that they must be chosen again."""
    return {
        "allowed": ", ".join(e.upper() for e in storage.ALLOWED_EXTENSIONS),
        "max_mb": storage.max_bytes() // (1024 * 1024),
        "max_files": storage.max_files(),
        "choose_again": form.is_submitted() and bool(form.errors),
    }


@bp.route("/besluiten/<int:decision_id>/actiepunten/nieuw", methods=["GET", "POST"])
@login_required
def action_new(decision_id: int) -> ResponseReturnValue:
    """The secretariat records an action item or commitment that follows from a decision."""
    decision = decision_services.get_decision(current_user, decision_id)
    ensure(current_user, Action.MANAGE, decision)
    body = decision.meeting.cycle.body
    form = _follow_up_form(body.id)
    case = submit_form(
        form, lambda user: services.create_follow_up(user, body, decision=decision, **_follow_up_data(form))
    )
    if case:
        flash(_("%(ref)s vastgelegd.", ref=case.reference), "success")
        return redirect(
            url_for("meetings.besluitenlijst", meeting_id=decision.meeting_id, _anchor=f"besluit-{decision.id}")
        )
    return form_page("cases/follow_up_form.html", form=form, body=body, decision=decision)


@bp.route("/overleggen/<slug>/toezeggingen/nieuw", methods=["GET", "POST"])
@login_required
def follow_up_new(slug: str) -> ResponseReturnValue:
    """The secretariat records a commitment or action that comes from outside a meeting (a debate)."""
    body = body_services.body_by_slug(current_user, slug)
    ensure(current_user, Action.MANAGE, body)
    form = _follow_up_form(body.id)
    if not form.is_submitted():
        form.case_type.data = CaseType.TOEZEGGING.value
    case = submit_form(form, lambda user: services.create_follow_up(user, body, **_follow_up_data(form)))
    if case:
        flash(_("%(ref)s vastgelegd.", ref=case.reference), "success")
        return redirect(url_for("cases.case", case_id=case.id))
    return form_page("cases/follow_up_form.html", form=form, body=body, decision=None)


@bp.route("/overleggen/<slug>/notas/nieuw", methods=["GET", "POST"])
@login_required
def nota_new(slug: str) -> ResponseReturnValue:
    """A member writes a nota; by default only the author's side sees it."""
    body = body_services.body_by_slug(current_user, slug)
    ensure(current_user, Action.PARTICIPATE, body)
    form = NotaForm()
    offer_members(form, body.id)
    case = submit_form(
        form,
        lambda user: services.create_nota(
            user,
            body,
            title=form.title.data or "",
            kenmerk=form.kenmerk.data,
            description=form.description.data or "",
            **form.audience_data(),
        ),
    )
    if case:
        flash(_("Nota %(ref)s vastgelegd.", ref=case.reference), "success")
        return redirect(url_for("cases.case", case_id=case.id))
    return form_page("cases/nota_form.html", form=form, body=body)


def _follow_up_form(body_id: int) -> FollowUpForm:
    form = FollowUpForm()
    offer_members(form, body_id)
    # Owners and their people come from the body's table only: anyone else could not open the action.
    at_table = body_services.organisations_of(body_id)
    form.owner_organisation_id.choices = [("", _("— kies —"))] + [(o.id, o.name) for o in at_table]
    form.assignee_id.choices = [("", _("— niemand in het bijzonder —"))] + [
        (u.id, f"{u.name} ({u.organisation.short_name})")
        for u in list_users()
        if u.active and u.organisation_id in {o.id for o in at_table}
    ]
    return form


def _follow_up_data(form: FollowUpForm) -> dict[str, Any]:
    return {**form.service_data(), **form.audience_data()}


@bp.get("/zaken/<int:case_id>")
@login_required
def case(case_id: int) -> ResponseReturnValue:
    """A case: what it is, where it stands, its history, and the steps this user can take."""
    case = services.get_case(current_user, case_id)
    return _case_page(case)


def _case_page(
    case: Any,
    status: int = 200,
    *,
    transition_form: Any = None,
    schedule_form: Any = None,
    postpone_form: Any = None,
    note_form: Any = None,
    due_form: Any = None,
    step_form: Any = None,
    link_form: Any = None,
    failed: str | None = None,
) -> ResponseReturnValue:
    """The case page; after a refused POST with the posted form (and its errors) in its place."""
    transition_form = transition_form or TransitionForm(formdata=None)
    postpone_form = postpone_form or PostponeForm(formdata=None)
    note_form = note_form or NoteForm(formdata=None)
    due_form = due_form or DueDateForm(formdata=None)
    may_manage = can(current_user, Action.MANAGE, case)
    history = services.history_of(case)
    transitions = engine.available_transitions(current_user, case)
    context: dict[str, Any] = {}
    scheduling = next((t for t in transitions if "position" in t.asks), None)
    if scheduling is not None:
        context["schedule_form"] = schedule_form or _schedule_form(case, scheduling.name, ScheduleForm(formdata=None))
    workflow = engine.workflow_of(case)
    if workflow.route:
        steps = route.route_of(case)
        may_edit = nota.may_edit(current_user, case)
        if may_edit:
            step_form = step_form or RouteStepForm(formdata=None)
            step_form.user_id.choices = [("", _("— kies —"))] + [
                (u.id, f"{u.name} ({u.organisation.short_name})")
                for u in nota.candidates(case)
                if u.id not in {s.user_id for s in steps}
            ]
        context |= {
            "steps": steps,
            "turn": route.at_turn(case, steps),
            "holds": lambda step: route.holds(step, case),
            "may_edit": may_edit,
            "step_form": step_form,
        }
    if workflow.holds_items:
        may_link = may_manage and not engine.is_closed(case)
        if may_link:
            link_form = link_form or DossierLinkForm(formdata=None)
            for name, options in dossiers.link_choices(current_user, case).items():
                link_form[name].choices = [("", _("— kies —")), *options]
        context |= {
            "timeline": [(entry, _page_of(entry.subject)) for entry in dossiers.timeline(current_user, case)],
            "may_link": may_link,
            "link_form": link_form,
        }
    return (
        render_template(
            "cases/case.html",
            case=case,
            workflow=workflow,
            type_label=TYPE_LABELS[case.type],
            shared_with=named_people(case),
            history=history,
            earlier_dates=[e.previous_due_date for e in history if e.kind is EventKind.TERMIJN and e.previous_due_date],
            transitions=transitions,
            overdue=engine.is_overdue(case),
            due_soon=services.is_due_soon(case),
            may_note=services.may_add_note(current_user, case),
            may_manage=may_manage,
            may_move_date=may_manage and workflow.follow_up and not engine.is_closed(case),
            notifications=notifications_about("cases", case.id) if may_manage else [],
            in_dossiers=dossiers.dossiers_holding(current_user, case_id=case.id),
            transition_form=transition_form,
            postpone_form=postpone_form,
            note_form=note_form,
            attachments=attachments.attachments_of(current_user, case),
            upload=_upload_limits(note_form),
            due_form=due_form,
            failed_transition=failed,
            **context,
        ),
        status,
    )


@bp.post("/zaken/<int:case_id>/stap/<name>")
@login_required
def case_step(case_id: int, name: str) -> ResponseReturnValue:
    """Take a workflow step (agenderen with the kind and the place on the agenda chosen, uitstel with a
    new date)."""
    case = services.get_case(current_user, case_id)
    transition = engine.workflow_of(case).transition(name)
    if transition is not None and case.state in transition.sources:
        # Refused before the form is read: whoever may not take the step learns nothing from its fields.
        engine.ensure_may_fire(current_user, case, transition)
    form: TransitionForm = TransitionForm()
    shown_as = "transition_form"
    if transition is not None and "position" in transition.asks:
        form = _schedule_form(case, name, ScheduleForm())
        shown_as = "schedule_form"
    elif transition is not None and "due_date" in transition.asks:
        form = PostponeForm()
        shown_as = "postpone_form"
    return _post_on_case_page(
        case,
        form,
        lambda user: engine.fire(user, case, name, reason=form.reason.data, details=form.details()),
        success=lambda: _done(case, transition),
        shown_as=shown_as,
        failed=name,
    )


def _schedule_form(case: Any, name: str, form: ScheduleForm) -> ScheduleForm:
    """Agenderen's form: the kinds, and the places on the agenda as the secretary sees it."""
    form.kind.choices = choices(AgendaItemKind)
    places, default = services.agenda_places(current_user, case)
    form.position.choices = places
    if not form.is_submitted():
        form.kind.data = (case.requested_kind or AgendaItemKind.TER_BESPREKING).value
        form.position.data = default
    return form.for_step(name)


def _done(case: Any, transition: Any) -> str:
    """What the flash says after a step: the new state, or for a step that keeps it, the step."""
    if transition is not None and transition.target == SAME_STATE:
        return _("Gedaan: %(step)s.", step=str(transition.label).lower())
    return _("Gedaan: %(state)s.", state=engine.workflow_of(case).label(case.state))


def _post_on_case_page(
    case: Any,
    form: Any,
    call: Any,
    *,
    success: Any,
    shown_as: str,
    anchor: str | None = None,
    failed: str | None = None,
) -> ResponseReturnValue:
    """A form posted from the case page: done, back to the page; refused by the form or next to a
    field, the page again with the errors; refused without a field, back with the flashed reason."""
    if submit_form(form, call):
        flash(success() if callable(success) else success, "success")
        return redirect(url_for("cases.case", case_id=case.id, _anchor=anchor))
    if not form.errors:
        return redirect(url_for("cases.case", case_id=case.id, _anchor=anchor))
    return _case_page(case, 400, failed=failed, **{shown_as: form})


@bp.post("/zaken/<int:case_id>/voortgang")
@login_required
def case_note(case_id: int) -> ResponseReturnValue:
    """Report progress."""
    case = services.get_case(current_user, case_id)
    services.ensure_may_add_note(current_user, case)
    form = NoteForm()
    return _post_on_case_page(
        case,
        form,
        lambda user: services.add_progress_note(user, case, text=form.text.data or "", files=uploads_of(form.files)),
        success=_("Voortgang vastgelegd."),
        shown_as="note_form",
        anchor="geschiedenis",
    )


@bp.get("/zaken/<int:case_id>/bijlagen/<int:attachment_id>")
@login_required
def attachment_download(case_id: int, attachment_id: int) -> ResponseReturnValue:
    """A file on a case, only for whoever may see the case."""
    attachment = get_visible(current_user, CaseAttachment, attachment_id)
    content = storage.open_pieces(attachment.sha256) if attachment.case_id == case_id else None
    if content is None:
        abort(404)
    size, pieces = content
    response = streamed(
        pieces,
        size=size,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        etag=attachment.sha256,
    )
    response.headers["Cache-Control"] = "no-store"  # what one user may see, no shared cache keeps
    return response


@bp.post("/zaken/<int:case_id>/datum")
@login_required
def case_due_date(case_id: int) -> ResponseReturnValue:
    """Move the due date, with a reason."""
    case = services.get_case(current_user, case_id)
    ensure(current_user, Action.MANAGE, case)
    form = DueDateForm()
    return _post_on_case_page(
        case,
        form,
        lambda user: services.change_due_date(user, case, due_date=form.due_date.data, reason=form.reason.data or ""),
        success=_("Nieuwe datum vastgelegd."),
        shown_as="due_form",
    )


# --- the nota: its text and its parafenroute ------------------------------------------------------


@bp.route("/zaken/<int:case_id>/bewerken", methods=["GET", "POST"])
@login_required
def nota_edit(case_id: int) -> ResponseReturnValue:
    """The author changes the nota's text; parafen given on the old text lapse."""
    case = services.get_case(current_user, case_id)
    if refused := _unless_editable(case):
        return refused
    form = NotaEditForm(obj=case)
    done = submit_form(
        form,
        lambda user: nota.edit_nota(
            user,
            case,
            title=form.title.data or "",
            kenmerk=form.kenmerk.data,
            description=form.description.data or "",
            expected_version=form.version.data,
        ),
    )
    if done:
        flash(_("Nota bijgewerkt."), "success")
        return redirect(url_for("cases.case", case_id=case.id))
    return form_page("cases/nota_edit.html", form=form, case=case, steps=route.route_of(case))


def _unless_editable(case: Any) -> ResponseReturnValue | None:
    """None when the user may change the nota now; else back to it with the reason (a 403 for
    someone who is not its author)."""
    try:
        nota.ensure_may_edit(current_user, case)
    except (NotVisible, NotPermitted):
        raise
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("cases.case", case_id=case.id))
    return None


@bp.post("/zaken/<int:case_id>/route")
@login_required
def route_add(case_id: int) -> ResponseReturnValue:
    """Put a signatory on the parafenroute."""
    case = services.get_case(current_user, case_id)
    if refused := _unless_editable(case):
        return refused
    form = RouteStepForm()
    form.user_id.choices = [("", "")] + [(u.id, u.name) for u in nota.candidates(case)]
    return _post_on_case_page(
        case,
        form,
        lambda user: nota.add_route_step(
            user, case, user_id=form.user_id.data, capacity=form.capacity.data or "", decides=bool(form.decides.data)
        ),
        success=_("Parafenroute bijgewerkt."),
        shown_as="step_form",
        anchor="parafenroute",
    )


@bp.post("/zaken/<int:case_id>/route/<int:step_id>/weg")
@login_required
def route_remove(case_id: int, step_id: int) -> ResponseReturnValue:
    case = services.get_case(current_user, case_id)
    return run_action(
        nota.remove_route_step,
        case,
        step_id=step_id,
        success=_("Uit de parafenroute gehaald."),
        then=url_for("cases.case", case_id=case.id, _anchor="parafenroute"),
    )


@bp.post("/zaken/<int:case_id>/route/<int:step_id>/<any(omhoog, omlaag):direction>")
@login_required
def route_move(case_id: int, step_id: int, direction: str) -> ResponseReturnValue:
    case = services.get_case(current_user, case_id)
    return run_action(
        nota.move_route_step,
        case,
        step_id=step_id,
        offset=-1 if direction == "omhoog" else 1,
        success=_("Volgorde aangepast."),
        then=url_for("cases.case", case_id=case.id, _anchor="parafenroute"),
    )


# --- dossiers -------------------------------------------------------------------------------------


@bp.route("/overleggen/<slug>/dossiers/nieuw", methods=["GET", "POST"])
@login_required
def dossier_new(slug: str) -> ResponseReturnValue:
    """The secretariat opens a dossier for a subject that runs across cycles."""
    body = body_services.body_by_slug(current_user, slug)
    ensure(current_user, Action.MANAGE, body)
    form = DossierForm()
    offer_members(form, body.id)
    dossier = submit_form(
        form,
        lambda user: dossiers.create_dossier(
            user,
            body,
            title=form.title.data or "",
            description=form.description.data or "",
            **form.audience_data(),
        ),
    )
    if dossier:
        flash(_("Dossier %(ref)s geopend.", ref=dossier.reference), "success")
        return redirect(url_for("cases.case", case_id=dossier.id))
    return form_page("cases/dossier_form.html", form=form, body=body)


@bp.post("/zaken/<int:case_id>/dossier")
@login_required
def dossier_link(case_id: int) -> ResponseReturnValue:
    """Add an agenda item, decision or case to a dossier."""
    dossier = services.get_case(current_user, case_id)
    ensure(current_user, Action.MANAGE, dossier)
    form = DossierLinkForm()
    for name, options in dossiers.link_choices(current_user, dossier).items():
        form[name].choices = [("", ""), *options]
    return _post_on_case_page(
        dossier,
        form,
        lambda user: dossiers.link(user, dossier, **form.service_data()),
        success=_("Toegevoegd aan het dossier."),
        shown_as="link_form",
        anchor="tijdlijn",
    )


@bp.post("/zaken/<int:case_id>/dossier/<int:link_id>/weg")
@login_required
def dossier_unlink(case_id: int, link_id: int) -> ResponseReturnValue:
    dossier = services.get_case(current_user, case_id)
    return run_action(
        dossiers.unlink,
        dossier,
        link_id=link_id,
        success=_("Uit het dossier gehaald."),
        then=url_for("cases.case", case_id=dossier.id, _anchor="tijdlijn"),
    )


#: The page of each kind of thing a dossier holds: its endpoint and the name of its id there.
_PAGES = {
    "agenda_items": ("meetings.agenda_item", "item_id"),
    "decisions": ("meetings.decision", "decision_id"),
    "cases": ("cases.case", "case_id"),
}


def _page_of(subject: ObjectRef) -> str:
    endpoint, argument = _PAGES[subject.table]
    values: dict[str, Any] = {argument: subject.id}
    return url_for(endpoint, **values)


# --- overviews ------------------------------------------------------------------------------------


def as_linked(case: Any) -> LinkedItem:
    """A case as a list on this or another package's page shows it, linked to its page."""
    owner = case.owner_organisation.short_name
    if case.assignee is not None:
        owner = f"{owner} ({case.assignee.name})"
    title = f"{case.reference} {case.title}" if not case.kenmerk else f"{case.kenmerk}: {case.title}"
    status = engine.workflow_of(case).label(case.state)
    if case.requested_due_date is not None:
        status = _("%(state)s, uitstel gevraagd tot %(date)s", state=status, date=show_date(case.requested_due_date))
    return LinkedItem(
        title=title,
        url=url_for("cases.case", case_id=case.id),
        kind=TYPE_LABELS[case.type],
        status=status,
        owner=owner,
        due=case.due_date,
        overdue=engine.is_overdue(case),
        due_soon=services.is_due_soon(case),
        audience=case.audience,
    )


@bp.get("/acties")
@login_required
def my_cases() -> ResponseReturnValue:
    """Mijn acties: what waits for this user; for the secretariat, all open work in its bodies."""
    secretariat_bodies = bodies_where(current_user, Action.MANAGE)
    chase = services.open_follow_ups_of_bodies(current_user, secretariat_bodies) if secretariat_bodies else []
    at_turn, notas = services.notas_at_turn(current_user), services.my_notas(current_user)
    turn = route.turns(at_turn + notas)
    return render_template(
        "cases/my_cases.html",
        at_turn=[_linked_nota(c, turn[c.id]) for c in at_turn],
        mine=[as_linked(c) for c in services.my_follow_ups(current_user)],
        notas=[_linked_nota(c, turn[c.id]) for c in notas],
        requests=[as_linked(c) for c in services.requests_to_handle(current_user)],
        chase=[as_linked(c) for c in chase],
        bodies=[b for b in body_services.bodies_for(current_user) if b.id in secretariat_bodies],
    )


def _linked_nota(case: Any, turn: Any) -> LinkedItem:
    linked = as_linked(case)
    if turn is None:
        return linked
    waiting = _("bij %(name)s (%(capacity)s)", name=turn.user.name, capacity=turn.capacity)
    return LinkedItem(**{**linked.__dict__, "owner": waiting})


@bp.get("/overleggen/<slug>/acties")
@login_required
def body_actions(slug: str) -> ResponseReturnValue:
    """Per organisation: the body's open and overdue actions and commitments."""
    body = body_services.body_by_slug(current_user, slug)
    include_closed = request.args.get("ook") == "afgerond"
    rows = services.follow_up_overview(current_user, body, include_closed=include_closed)
    return render_template(
        "cases/body_actions.html",
        body=body,
        rows=rows,
        items={row.organisation.id: [as_linked(c) for c in row.cases] for row in rows},
        include_closed=include_closed,
        may_manage=can(current_user, Action.MANAGE, body),
    )


# --- what cases adds to other packages' pages ---------------------------------------------------


def _home_actions(user: User) -> HomePanel | None:
    if not user.roles:
        return None
    return HomePanel(
        title=_("Mijn acties"),
        template="cases/panels/actions.html",
        context={"items": [as_linked(c) for c in services.my_follow_ups(user)[:8]]},
        order=15,
    )


def _home_requests(user: User) -> HomePanel | None:
    if not bodies_where(user, Action.MANAGE):
        return None
    return HomePanel(
        title=_("Agendaverzoeken te behandelen"),
        template="cases/panels/actions.html",
        context={
            "items": [as_linked(c) for c in services.requests_to_handle(user)],
            "empty": _("Geen open verzoeken."),
        },
        order=12,
    )


def _home_postponements(user: User) -> HomePanel | None:
    asked = case_news.postponements_asked(user)
    if not asked:
        return None
    return HomePanel(
        title=_("Uitstel gevraagd"),
        template="cases/panels/actions.html",
        context={"items": [as_linked(c) for c in asked]},
        order=11,
    )


def _body_section(user: User, body: Any) -> PageSection:
    actions = []
    if can(user, Action.PARTICIPATE, body):
        actions.append(PageAction(_("Agendaverzoek indienen"), url_for("cases.request_new", slug=body.slug)))
    if can(user, Action.MANAGE, body):
        actions.append(PageAction(_("Toezegging vastleggen"), url_for("cases.follow_up_new", slug=body.slug)))
    if can(user, Action.PARTICIPATE, body):
        actions.append(PageAction(_("Nota schrijven"), url_for("cases.nota_new", slug=body.slug)))
    return PageSection(
        title=_("Agendaverzoeken"),
        items=[as_linked(c) for c in services.requests_of_body(user, body)],
        empty=_("Geen agendaverzoeken die u kunt zien."),
        actions=actions,
    )


def _body_follow_ups(user: User, body: Any) -> PageSection:
    rows = services.follow_up_overview(user, body)
    overdue = [as_linked(c) for row in rows for c in row.cases if engine.is_overdue(c)]
    return PageSection(
        title=_("Acties en toezeggingen over de datum"),
        items=overdue,
        empty=_("Niets over de datum."),
        actions=[PageAction(_("Alle acties per organisatie"), url_for("cases.body_actions", slug=body.slug))],
    )


def _body_dossiers(user: User, body: Any) -> PageSection:
    actions = []
    if can(user, Action.MANAGE, body):
        actions.append(PageAction(_("Dossier openen"), url_for("cases.dossier_new", slug=body.slug)))
    return PageSection(
        title=_("Dossiers"),
        items=[as_linked(c) for c in dossiers.dossiers_of(user, body)],
        empty=_("Nog geen dossiers."),
        actions=actions,
    )


def _cycle_section(user: User, cycle: Any) -> PageSection:
    return PageSection(
        title=_("Agendaverzoeken voor deze cyclus"),
        items=[as_linked(c) for c in services.requests_of_cycle(user, cycle)],
        empty=_("Nog geen agendaverzoeken."),
    )


def _besluitenlijst_follow_ups(user: User, meeting: Any) -> dict[int, list[Any]]:
    return {
        decision_id: [as_linked(c) for c in cases]
        for decision_id, cases in services.follow_ups_by_decision(user, meeting).items()
    }


def _item_section(user: User, item: Any) -> PageSection | None:
    cases = services.cases_of_item(user, item)
    if not cases:
        return None
    return PageSection(title=_("Verzoeken en acties"), items=[as_linked(c) for c in cases])


def _progress_sections(user: User, item: Any) -> list[PageSection] | None:
    if not item.is_progress_report:
        return None
    open_cases, closed_since, previous = services.progress_report(user, item)
    since = _(" sinds %(date)s", date=show_date(previous.starts_at)) if previous else ""
    return [
        PageSection(
            title=_("Openstaand"),
            items=[as_linked(c) for c in open_cases],
            empty=_("Geen open actiepunten of toezeggingen."),
        ),
        PageSection(
            title=_("Afgerond") + since,
            items=[as_linked(c) for c in closed_since],
            empty=_("Niets afgerond") + since + ".",
        ),
    ]


def _item_dossiers(user: User, item: Any) -> PageSection | None:
    held = dossiers.dossiers_holding(user, agenda_item_id=item.id)
    if not held:
        return None
    return PageSection(title=_("In dossier"), items=[as_linked(c) for c in held])


def connect_signals() -> None:
    """Connect what cases adds to other packages' pages (``cases.init_app`` calls this)."""
    home_panels.connect(_home_requests)
    home_panels.connect(_home_actions)
    home_panels.connect(_home_postponements)
    meetings_signals.whats_new.connect(case_news.news_lines)
    meetings_signals.body_page.connect(_body_section)
    meetings_signals.body_page.connect(_body_follow_ups)
    meetings_signals.body_page.connect(_body_dossiers)
    meetings_signals.cycle_page.connect(_cycle_section)
    meetings_signals.besluitenlijst_follow_ups.connect(_besluitenlijst_follow_ups)
    meetings_signals.agenda_item_page.connect(_item_section)
    meetings_signals.agenda_item_page.connect(_item_dossiers)
    meetings_signals.progress_report.connect(_progress_sections)
    meetings_signals.public_follow_ups.connect(services.public_follow_ups)
