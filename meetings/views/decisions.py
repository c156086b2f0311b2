"""The besluitenlijst: decisions, the members' comments, adoption; the minutes; all decisions."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.policy import Action, can, ensure
from auth.services import named_people
from core.labels import choices
from core.pages import confirm_page, form_page, run_action, submit_form
from core.signals import answer
from meetings import bp, signals
from meetings.forms import (
    CommentForm,
    DecisionEditForm,
    DecisionFilterForm,
    DecisionForm,
    HandleCommentForm,
    MinutesForm,
    PublishBesluitenlijstForm,
    offer_members,
)
from meetings.models import Decision, Meeting, ReviewStatus
from meetings.services import agenda, cycles, decisions, overview
from meetings.services.numbering import numbering, numbers_for


@bp.get("/vergaderingen/<int:meeting_id>/besluitenlijst")
@login_required
def besluitenlijst(meeting_id: int) -> ResponseReturnValue:
    """The besluitenlijst of a meeting: the concept for the secretariat, the published list for members."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    publish_form = PublishBesluitenlijstForm(formdata=None)
    if can(current_user, Action.MANAGE, meeting) and meeting.besluitenlijst_status is ReviewStatus.CONCEPT:
        publish_form.comments_deadline.data = decisions.suggested_comments_deadline(meeting)
    return _besluitenlijst_page(meeting, publish_form)


def _besluitenlijst_page(meeting: Meeting, publish_form: PublishBesluitenlijstForm) -> ResponseReturnValue:
    follow_ups = answer(signals.besluitenlijst_follow_ups, current_user, meeting=meeting)
    view = decisions.besluitenlijst_of(current_user, meeting)
    commenting_open = decisions.commenting_open(meeting)
    # Asked here, not in the template: for a vertrouwelijk decision the policy loads the reader's grants.
    commentable = {
        d.id
        for ds in view.decisions_by_item.values()
        for d in ds
        if commenting_open and can(current_user, Action.PARTICIPATE, d)
    }
    page = render_template(
        "meetings/besluitenlijst.html",
        meeting=meeting,
        body=meeting.cycle.body,
        view=view,
        publish_form=publish_form,
        commenting_open=commenting_open,
        commentable=commentable,
        follow_ups=_merge(follow_ups),
    )
    return page, 400 if publish_form.errors else 200


def _on_besluitenlijst(decision: Decision) -> str:
    """The besluitenlijst of the decision's meeting, scrolled to the decision."""
    return url_for("meetings.besluitenlijst", meeting_id=decision.meeting_id, _anchor=f"besluit-{decision.id}")


def _merge(answers: list[dict[int, list[object]]]) -> dict[int, list[object]]:
    merged: dict[int, list[object]] = {}
    for answered in answers:
        for key, items in answered.items():
            merged.setdefault(key, []).extend(items)
    return merged


@bp.route("/agendapunten/<int:item_id>/besluiten/nieuw", methods=["GET", "POST"])
@login_required
def decision_new(item_id: int) -> ResponseReturnValue:
    """Record a decision on an agenda item."""
    item = agenda.get_agenda_item(current_user, item_id)
    ensure(current_user, Action.MANAGE, item)
    form = DecisionForm()
    offer_members(form, item.body_id)
    earlier = decisions.adopted_decisions_of_body(current_user, item.body_id, item.meeting)
    form.amends_id.choices = [("", _("— geen —"))] + [
        (d.id, f"{d.meeting.title}, {numbering(current_user, d.meeting_id).decision(d)}: {d.text[:80]}")
        for d in earlier
    ]
    decision = submit_form(
        form,
        lambda user: decisions.add_decision(
            user,
            item,
            text=form.text.data or "",
            amends_id=form.amends_id.data,
            **form.audience_data(),
        ),
    )
    if decision:
        flash(_("Besluit %(n)s vastgelegd.", n=numbering(current_user, item.meeting_id).decision(decision)), "success")
        return redirect(_on_besluitenlijst(decision))
    return form_page(
        "meetings/decision_form.html",
        form=form,
        item=item,
        decision=None,
        numbers=numbering(current_user, item.meeting_id),
    )


@bp.route("/besluiten/<int:decision_id>/bewerken", methods=["GET", "POST"])
@login_required
def decision_edit(decision_id: int) -> ResponseReturnValue:
    """Change a decision of the concept besluitenlijst."""
    decision = decisions.get_decision(current_user, decision_id)
    ensure(current_user, Action.MANAGE, decision)
    form = DecisionEditForm(obj=decision)
    offer_members(form, decision.body_id, decision)
    done = submit_form(
        form,
        lambda user: decisions.update_decision(
            user, decision, text=form.text.data or "", expected_version=form.version.data, **form.audience_data()
        ),
    )
    if done:
        flash(_("Besluit bijgewerkt."), "success")
        return redirect(_on_besluitenlijst(decision))
    return form_page(
        "meetings/decision_form.html",
        form=form,
        item=decision.agenda_item,
        decision=decision,
        numbers=numbering(current_user, decision.meeting_id),
    )


@bp.route("/besluiten/<int:decision_id>/verwijderen", methods=["GET", "POST"])
@login_required
def decision_remove(decision_id: int) -> ResponseReturnValue:
    """Remove a decision from the concept besluitenlijst, after the question whether that is meant."""
    decision = decisions.get_decision(current_user, decision_id)
    ensure(current_user, Action.MANAGE, decision)
    target = url_for("meetings.besluitenlijst", meeting_id=decision.meeting_id)
    if request.method == "GET":
        adopted = decision.meeting.besluitenlijst_status is ReviewStatus.VASTGESTELD
        return confirm_page(
            _("Besluit verwijderen?"),
            _(
                "Besluit %(n)s gaat van de conceptbesluitenlijst af: %(text)s",
                n=numbering(current_user, decision.meeting_id).decision(decision),
                text=decision.text if len(decision.text) <= 300 else decision.text[:300] + "…",
            ),
            button=_("Ja, verwijderen"),
            back=_on_besluitenlijst(decision),
            refused=_("De besluitenlijst is vastgesteld; een besluit kan er niet meer af.") if adopted else None,
        )
    return run_action(decisions.remove_decision, decision, success=_("Besluit verwijderd."), then=target)


@bp.post("/vergaderingen/<int:meeting_id>/besluitenlijst/publiceren")
@login_required
def besluitenlijst_publish(meeting_id: int) -> ResponseReturnValue:
    """Publish the concept besluitenlijst for comments."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    ensure(current_user, Action.MANAGE, meeting)
    form = PublishBesluitenlijstForm()
    published = submit_form(
        form,
        lambda user: decisions.publish_besluitenlijst(user, meeting, comments_deadline=form.comments_deadline.data),
    )
    if published:
        flash(_("De conceptbesluitenlijst is gepubliceerd; de leden kunnen reageren."), "success")
    if published or not form.errors:
        # Refused without a field to blame (no decisions yet, say): the message is flashed.
        return redirect(url_for("meetings.besluitenlijst", meeting_id=meeting.id))
    return _besluitenlijst_page(meeting, form)


@bp.post("/vergaderingen/<int:meeting_id>/besluitenlijst/vaststellen")
@login_required
def besluitenlijst_adopt(meeting_id: int) -> ResponseReturnValue:
    """Adopt the besluitenlijst."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    target = url_for("meetings.besluitenlijst", meeting_id=meeting.id)
    return run_action(
        decisions.adopt_besluitenlijst, meeting, success=_("De besluitenlijst is vastgesteld."), then=target
    )


@bp.route("/besluiten/<int:decision_id>", methods=["GET", "POST"])
@login_required
def decision(decision_id: int) -> ResponseReturnValue:
    """One decision with its agenda item, documents, the comments the user may see, and a comment form."""
    decision = decisions.get_decision(current_user, decision_id)
    meeting = decision.meeting
    form = CommentForm()
    if request.method == "POST":
        ensure(current_user, Action.PARTICIPATE, decision)
    if submit_form(form, lambda user: decisions.comment_on_decision(user, decision, text=form.text.data or "")):
        flash(_("Uw reactie is verstuurd naar het secretariaat."), "success")
        return redirect(url_for("meetings.decision", decision_id=decision.id, _anchor="reacties"))
    view = agenda.agenda_of(current_user, meeting)
    amends = decisions.amended_decision(current_user, decision)
    amended_by = decisions.amending_decisions(current_user, decision)
    return form_page(
        "meetings/decision.html",
        decision=decision,
        item=decision.agenda_item,
        meeting=meeting,
        documents=view.documents_by_item.get(decision.agenda_item_id, []),
        comments=decisions.comments_on(current_user, decision),
        form=form,
        commenting_open=decisions.commenting_open(meeting),
        amends=amends,
        amended_by=amended_by,
        numbers=numbers_for(
            current_user, {d.meeting_id for d in [decision, *amended_by, *([amends] if amends else [])]}
        ),
        shared_with=named_people(decision),
        follow_ups=_merge(answer(signals.besluitenlijst_follow_ups, current_user, meeting=meeting)).get(
            decision.id, []
        ),
    )


@bp.route("/reacties/<int:comment_id>/verwerken", methods=["GET", "POST"])
@login_required
def comment_handle(comment_id: int) -> ResponseReturnValue:
    """The secretariat settles a comment: accept it with a new text, or answer it."""
    comment = decisions.get_comment(current_user, comment_id)
    decision = decisions.get_decision(current_user, comment.decision_id)
    ensure(current_user, Action.MANAGE, decision)
    form = HandleCommentForm()
    if not form.is_submitted():
        form.new_text.data = decision.text
    done = submit_form(
        form,
        lambda user: decisions.handle_comment(
            user, comment, outcome=form.outcome.data, response=form.response.data, new_text=form.new_text.data
        ),
    )
    if done:
        flash(_("Reactie verwerkt."), "success")
        return redirect(_on_besluitenlijst(decision))
    return form_page(
        "meetings/comment_handle.html",
        form=form,
        comment=comment,
        decision=decision,
        numbers=numbering(current_user, decision.meeting_id),
    )


@bp.route("/vergaderingen/<int:meeting_id>/verslag", methods=["GET", "POST"])
@login_required
def minutes(meeting_id: int) -> ResponseReturnValue:
    """The minutes: to read, or for the secretariat to write while they are a concept."""
    meeting = cycles.get_meeting(current_user, meeting_id)
    current = decisions.minutes_of(current_user, meeting)
    may_edit = can(current_user, Action.MANAGE, meeting) and (
        current is None or current.status is not ReviewStatus.VASTGESTELD
    )
    form = MinutesForm(obj=current)
    offer_members(form, meeting.body_id, current)
    if request.method == "POST":
        ensure(current_user, Action.MANAGE, meeting)
    saved = submit_form(
        form,
        lambda user: decisions.save_minutes(
            user, meeting, text=form.text.data or "", expected_version=form.version.data, **form.audience_data()
        ),
    )
    if saved:
        flash(_("Verslag opgeslagen."), "success")
        return redirect(url_for("meetings.minutes", meeting_id=meeting.id))
    return form_page(
        "meetings/minutes.html",
        meeting=meeting,
        minutes=current,
        form=form,
        may_edit=may_edit,
        shared_with=named_people(current) if current is not None else [],
    )


@bp.post("/vergaderingen/<int:meeting_id>/verslag/delen")
@login_required
def minutes_share(meeting_id: int) -> ResponseReturnValue:
    """Share the draft minutes with the members."""
    return _minutes_step(meeting_id, decisions.share_minutes, _("Het conceptverslag is gedeeld."))


@bp.post("/vergaderingen/<int:meeting_id>/verslag/vaststellen")
@login_required
def minutes_adopt(meeting_id: int) -> ResponseReturnValue:
    """Adopt the minutes."""
    return _minutes_step(meeting_id, decisions.adopt_minutes, _("Het verslag is vastgesteld."))


def _minutes_step(meeting_id: int, step: Callable[..., None], success: str) -> ResponseReturnValue:
    meeting = cycles.get_meeting(current_user, meeting_id)
    ensure(current_user, Action.MANAGE, meeting)
    current = decisions.minutes_of(current_user, meeting)
    target = url_for("meetings.minutes", meeting_id=meeting.id)
    if current is None:
        flash(_("Er is nog geen verslag."), "error")
        return redirect(target)
    return run_action(step, current, success=success, then=target)


@bp.get("/besluiten", endpoint="decisions")
@login_required
def list_decisions() -> ResponseReturnValue:
    """All decisions of the user's bodies, filterable by body, theme, meeting and status."""
    form, filters = decision_filters()
    result = overview.decisions_overview(current_user, filters)
    return render_template("meetings/decisions.html", form=form, result=result, filters=filters)


def decision_filters() -> tuple[DecisionFilterForm, overview.DecisionFilters]:
    """The filters of the decisions page from the query string; its exports use the same ones."""
    form = DecisionFilterForm(request.args)
    bodies, themes, meetings = overview.filter_choices(current_user)
    form.body.choices = [("", _("Alle overleggen"))] + [(b.id, b.name) for b in bodies]
    form.theme.choices = [("", _("Alle thema's"))] + [(t.id, t.name) for t in themes]
    form.meeting.choices = [("", _("Alle vergaderingen"))] + [(m.id, m.title) for m in meetings]
    statuses = [ReviewStatus.TER_COMMENTAAR, ReviewStatus.VASTGESTELD]
    if any(can(current_user, Action.MANAGE, b) for b in bodies):
        statuses.insert(0, ReviewStatus.CONCEPT)
    form.status.choices = [("", _("Alle statussen")), *choices(ReviewStatus, statuses)]
    valid = form.validate()
    filters = overview.DecisionFilters(
        body_id=form.body.data if valid else None,
        theme_id=form.theme.data if valid else None,
        meeting_id=form.meeting.data if valid else None,
        status=ReviewStatus(form.status.data) if valid and form.status.data else None,
        page=request.args.get("pagina", 1, type=int) or 1,
    )
    return form, filters
