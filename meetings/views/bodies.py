"""Bodies, their cycles and milestones, and their seats."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.policy import Action, can, ensure, get_visible
from auth.services import list_organisations
from core.dates import show_date, to_local, today
from core.db import Audience
from core.pages import form_page, run_action, submit_form
from core.signals import answer
from meetings import bp, signals
from meetings.forms import CycleForm, MilestoneForm, SeatForm, YearPlanForm
from meetings.models import Body, Cycle, Meeting, Milestone, Seat
from meetings.services import bodies, cycles, notes, standing


@bp.get("/overleggen", endpoint="bodies")
@login_required
def list_bodies() -> ResponseReturnValue:
    """The bodies the user takes part in."""
    return render_template("meetings/bodies.html", bodies=bodies.bodies_for(current_user))


@bp.get("/overleggen/<slug>")
@login_required
def body(slug: str) -> ResponseReturnValue:
    """A body: its cycles, meetings and seats."""
    body = bodies.body_by_slug(current_user, slug)
    return render_template(
        "meetings/body.html",
        body=body,
        cycles=cycles.cycles_of(current_user, body),
        seats=bodies.seats_of(body),
        notes=notes.notes_on(current_user, body=body),
        extras=answer(signals.body_page, current_user, body=body),
    )


def _start_from_previous(form: CycleForm | YearPlanForm, body: Body) -> Meeting | None:
    """Fill a new cycle's times, place and audience from the body's previous meeting (the chair from the
    chair's seat, else from that meeting too); the previous meeting, if there is one."""
    previous = cycles.last_meeting_of(current_user, body)
    form.chair.data = next((s.function for s in bodies.seats_of(body) if s.is_chair), "")
    if previous is not None:
        form.start_time.data = to_local(previous.starts_at).time()
        form.end_time.data = to_local(previous.ends_at).time()
        form.location.data = previous.location
        form.chair.data = form.chair.data or previous.chair
        if previous.audience is not Audience.VERTROUWELIJK:  # not offered: who is named is per meeting
            form.audience.data = previous.audience.value
    return previous


@bp.route("/overleggen/<slug>/cycli/nieuw", methods=["GET", "POST"])
@login_required
def cycle_new(slug: str) -> ResponseReturnValue:
    """Start a new cycle: its meeting date plans the milestones; it starts from the previous meeting."""
    body = bodies.body_by_slug(current_user, slug)
    ensure(current_user, Action.MANAGE, body)
    form = CycleForm()
    previous = None if form.is_submitted() else _start_from_previous(form, body)
    cycle = submit_form(form, lambda user: cycles.create_cycle(user, body, **form.service_data()))
    if cycle:
        flash(_("Cyclus %(title)s aangemaakt; de mijlpalen zijn gepland.", title=cycle.title), "success")
        return redirect(url_for("meetings.cycle", cycle_id=cycle.id))
    return form_page(
        "meetings/cycle_form.html",
        form=form,
        body=body,
        previous=previous,
        standing=standing.standing_items_of(body.id),
    )


@bp.route("/overleggen/<slug>/cycli/jaarplanning", methods=["GET", "POST"])
@login_required
def cycle_year_plan(slug: str) -> ResponseReturnValue:
    """Plan the year's cycles of a body at once: a meeting date per half year, all of them or none."""
    body = bodies.body_by_slug(current_user, slug)
    ensure(current_user, Action.MANAGE, body)
    form = YearPlanForm()
    previous = None
    if not form.is_submitted():
        previous = _start_from_previous(form, body)
        form.year.data = today().year + 1 if today().month > 6 else today().year
    planned = submit_form(form, lambda user: cycles.plan_year(user, body, **form.service_data()))
    if planned:
        for cycle in planned:
            meeting_day = show_date(cycle.meeting_date, "EEEE d MMMM yyyy")
            flash(
                _("Cyclus %(title)s aangemaakt: vergadering op %(day)s.", title=cycle.title, day=meeting_day), "success"
            )
        return redirect(url_for("meetings.body", slug=body.slug, _anchor="cycli"))
    return form_page(
        "meetings/year_plan_form.html",
        form=form,
        body=body,
        previous=previous,
        standing=standing.standing_items_of(body.id),
    )


@bp.get("/cycli/<int:cycle_id>")
@login_required
def cycle(cycle_id: int) -> ResponseReturnValue:
    """A cycle: its milestones and meeting, and what other packages attach (agenda requests)."""
    return _cycle_page(cycles.get_cycle(current_user, cycle_id))


def _cycle_page(
    cycle: Cycle, failed: Milestone | None = None, form: MilestoneForm | None = None
) -> ResponseReturnValue:
    page = render_template(
        "meetings/cycle.html",
        cycle=cycle,
        body=cycle.body,
        failed_milestone=failed.id if failed else None,
        milestone_form=form,
        extras=answer(signals.cycle_page, current_user, cycle=cycle),
    )
    return page, 400 if failed else 200


@bp.post("/mijlpalen/<int:milestone_id>")
@login_required
def milestone_move(milestone_id: int) -> ResponseReturnValue:
    """Give one milestone of a cycle another date."""
    milestone = get_visible(current_user, Milestone, milestone_id)
    ensure(current_user, Action.MANAGE, milestone.cycle.body)
    form = MilestoneForm()
    if submit_form(form, lambda user: cycles.move_milestone(user, milestone, due_date=form.due_date.data)):
        flash(_("Mijlpaal verplaatst."), "success")
        return redirect(url_for("meetings.cycle", cycle_id=milestone.cycle_id))
    return _cycle_page(cycles.get_cycle(current_user, milestone.cycle_id), failed=milestone, form=form)


@bp.route("/overleggen/<slug>/zetels", methods=["GET", "POST"])
@login_required
def seats(slug: str) -> ResponseReturnValue:
    """The seats at the table of a body; the secretariat adds and removes them."""
    body = bodies.body_by_slug(current_user, slug)
    may_edit = can(current_user, Action.MANAGE, body)
    form = SeatForm()
    form.organisation_id.choices = [("", _("— kies —"))] + [(o.id, o.name) for o in list_organisations()]
    if form.is_submitted():
        ensure(current_user, Action.MANAGE, body)
        if submit_form(form, lambda user: bodies.add_seat(user, body, **form.service_data())):
            flash(_("Zetel toegevoegd."), "success")
            return redirect(url_for("meetings.seats", slug=body.slug))
    return form_page("meetings/seats.html", body=body, seats=bodies.seats_of(body), form=form, may_edit=may_edit)


@bp.post("/zetels/<int:seat_id>/verwijderen")
@login_required
def seat_remove(seat_id: int) -> ResponseReturnValue:
    """Remove a seat."""
    seat = get_visible(current_user, Seat, seat_id)
    target = url_for("meetings.seats", slug=seat.body.slug)
    return run_action(bodies.remove_seat, seat, success=_("Zetel verwijderd."), then=target)
