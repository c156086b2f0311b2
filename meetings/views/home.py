"""What the meetings package adds to the home page (receivers of ``core.signals.home_panels``, connected
in ``meetings.init_app``)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from auth.policy import Action, bodies_where
from core.sections import HomePanel
from meetings.services import bodies as body_services
from meetings.services import cycles


def upcoming_panel(user: Any) -> HomePanel | None:
    """Every member: the meetings ahead."""
    if not user.roles:
        return None
    return HomePanel(
        title=_("Komende vergaderingen"),
        template="meetings/panels/upcoming.html",
        context={"meetings": cycles.upcoming_meetings(user), "recent": cycles.recent_meetings(user, limit=3)},
        order=20,
    )


def secretariat_panel(user: Any) -> HomePanel | None:
    """The secretariat: the milestones of its cycles in the coming two months."""
    body_ids = bodies_where(user, Action.MANAGE)
    if not body_ids:
        return None
    return HomePanel(
        title=_("Mijlpalen van uw cycli"),
        template="meetings/panels/milestones.html",
        context={"milestones": cycles.upcoming_milestones(user, body_ids)},
        order=10,
    )


def accountability_panel(user: Any) -> HomePanel | None:
    """Auditors: the bodies whose history they may read, with their recent meetings."""
    body_ids = set(bodies_where(user, Action.VIEW_HISTORY)) - set(bodies_where(user, Action.MANAGE))
    if not body_ids:
        return None
    return HomePanel(
        title=_("Verantwoording"),
        template="meetings/panels/accountability.html",
        context={
            "bodies": [b for b in body_services.bodies_for(user) if b.id in body_ids],
            "meetings": [m for m in cycles.recent_meetings(user, limit=6) if m.body_id in body_ids],
        },
        order=5,
    )
