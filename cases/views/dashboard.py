"""A body's dashboard: actions by status per organisation, overdue actions over time, decisions per
theme and the cycles' timeline, as charts drawn on the server with their numbers in tables: the view
computes each chart's geometry (``core.charts``), the template draws it (``core/charts.html``)."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from auth.models import User
from cases import bp
from cases.services import dashboard as numbers
from cases.workflows import Progress
from core import charts
from core.dates import show_date
from core.labels import label
from core.sections import LinkedItem, PageAction, PageSection
from meetings.models import MilestoneKind
from meetings.services import bodies as body_services

#: Colour and pattern per status (the legend names the pattern): colour never tells alone.
_STATUS_LOOK: dict[str, tuple[str, str]] = {
    numbers.LATE: (charts.BAD, "crosshatch"),
    Progress.OPEN: (charts.ACCENT, "dots"),
    Progress.BEZIG: (charts.BRAND, "diagonal"),
    Progress.GEREED: (charts.WARN, "horizontal"),
    Progress.AFGEROND: (charts.OK, charts.PLAIN),
    Progress.VERVALLEN: (charts.MUTED, "vertical"),
}


def _pattern_names() -> dict[str, str]:
    """Each pattern's name in the reader's language, for the legend."""
    return {
        charts.PLAIN: _("effen"),
        "dots": _("stippen"),
        "diagonal": _("schuine strepen"),
        "crosshatch": _("ruit"),
        "horizontal": _("liggende strepen"),
        "vertical": _("staande strepen"),
    }


@bp.get("/overleggen/<slug>/dashboard")
@login_required
def body_dashboard(slug: str) -> ResponseReturnValue:
    """The body's dashboard: four charts, each followed by its numbers, as far as the user may see."""
    body = body_services.body_by_slug(current_user, slug)
    data = numbers.dashboard(current_user, body)
    return render_template(
        "cases/dashboard.html",
        body=body,
        data=data,
        statuses=[(key, str(text)) for key, text in numbers.STATUSES.items()],
        charts={
            "status": _status_chart(data),
            "overdue": _overdue_chart(data),
            "themes": _theme_chart(data),
            "cycles": _cycle_chart(data),
        },
        main_milestone=MilestoneKind.VERGADERING,
    )


def _status_chart(data: numbers.Dashboard) -> charts.StackedBarChart | None:
    if not data.statuses:
        return None
    patterns = _pattern_names()
    series = [
        charts.Series(key, str(text), _STATUS_LOOK[key][0], _STATUS_LOOK[key][1], patterns[_STATUS_LOOK[key][1]])
        for key, text in numbers.STATUSES.items()
    ]
    total = sum(r.total for r in data.statuses)
    late = sum(r.counts[numbers.LATE] for r in data.statuses)
    return charts.stacked_bars(
        [charts.Row(r.short_name, tuple(r.counts[key] for key in numbers.STATUSES)) for r in data.statuses],
        series,
        chart_id="grafiek-status",
        title=_("Acties en toezeggingen per organisatie, naar status"),
        desc=_(
            "Liggende gestapelde staven, één per eigenaar-organisatie, met per status een deel met eigen kleur "
            "en patroon en het aantal erin of erboven. In totaal %(total)s acties en toezeggingen bij "
            "%(count)s organisaties, waarvan %(late)s over de datum. De cijfers staan in de tabel onder de grafiek.",
            total=total,
            count=len(data.statuses),
            late=late,
        ),
        total_label=_("totaal"),
    )


def _overdue_chart(data: numbers.Dashboard) -> charts.StepChart:
    latest = data.overdue[-1]
    highest = max(data.overdue, key=lambda w: w.count)
    # A date under every fourth week, counted back from today's, so that the last point is named.
    last = len(data.overdue) - 1
    points = [
        charts.Point(
            label=_("week %(week)s (%(day)s)", week=w.week, day=show_date(w.day)),
            value=w.count,
            tick=show_date(w.day, "d MMM") if (last - i) % 4 == 0 else "",
        )
        for i, w in enumerate(data.overdue)
    ]
    return charts.step_chart(
        points,
        chart_id="grafiek-te-laat",
        title=_("Acties en toezeggingen over de datum, per week"),
        desc=_(
            "Trapgrafiek van het aantal acties en toezeggingen dat aan het eind van elke week over de datum was, "
            "de laatste %(weeks)s weken. Vandaag: %(now)s; het hoogste aantal was %(max)s, in week %(week)s. "
            "De cijfers staan in de tabel onder de grafiek.",
            weeks=len(data.overdue),
            now=latest.count,
            max=highest.count,
            week=highest.week,
        ),
        x_title=_("einde van de week"),
        y_title=_("aantal over de datum"),
        latest_text=_("vandaag: %(count)s", count=latest.count),
    )


def _theme_chart(data: numbers.Dashboard) -> charts.BarChart | None:
    if not data.themes:
        return None
    total = sum(t.count for t in data.themes)
    return charts.bars(
        [charts.Row(t.theme or _("zonder thema"), (t.count,)) for t in data.themes],
        chart_id="grafiek-thema",
        title=_("Besluiten per thema"),
        desc=_(
            "Liggende staven, één per thema, met het aantal besluiten erachter. In totaal %(total)s besluiten "
            "in %(count)s groepen. De cijfers staan in de tabel onder de grafiek.",
            total=total,
            count=len(data.themes),
        ),
    )


def _cycle_title(cycle: numbers.CycleMilestones) -> str:
    return f"{label(cycle.season).capitalize()} {cycle.year}"


def _cycle_chart(data: numbers.Dashboard) -> charts.Timeline | None:
    if not data.cycles:
        return None
    lanes = [
        charts.Lane(
            _cycle_title(c),
            tuple(
                charts.Event(day, label(kind), show_date(day), main=kind is MilestoneKind.VERGADERING)
                for kind, day in c.milestones
            ),
        )
        for c in data.cycles
    ]
    coming = [(day, kind) for c in data.cycles for kind, day in c.milestones if day >= data.today]
    if coming:
        day, kind = min(coming)
        next_text = _("De volgende mijlpaal: %(name)s op %(day)s.", name=label(kind), day=show_date(day))
    else:
        next_text = _("Er zijn geen komende mijlpalen gepland.")
    return charts.timeline(
        lanes,
        today=data.today,
        today_text=_("vandaag, %(day)s", day=show_date(data.today)),
        chart_id="grafiek-cycli",
        title=_("Tijdlijn van de cycli en hun mijlpalen"),
        desc=ngettext(
            "Tijdlijn van %(num)s cyclus, van boven naar beneden in de tijd; elke mijlpaal met datum en naam, "
            "geweest gevuld en komend open; een stippellijn markeert vandaag. %(next)s",
            "Tijdlijn van %(num)s cycli, van boven naar beneden in de tijd; elke mijlpaal met datum en naam, "
            "geweest gevuld en komend open; een stippellijn markeert vandaag. %(next)s",
            len(data.cycles),
            next=next_text,
        ),
        past_text=_("geweest"),
        coming_text=_("komend"),
    )


# --- the link on the body's page ------------------------------------------------------------------


def body_dashboard_section(user: User, body: Any) -> PageSection:
    """The link to the dashboard on the body's page (a receiver of ``meetings.signals.body_page``)."""
    url = url_for("cases.body_dashboard", slug=body.slug)
    return PageSection(
        title=_("Dashboard"),
        items=[
            LinkedItem(
                title=_("Dashboard van %(body)s", body=body.name),
                url=url,
                kind=_("grafieken"),
                status=_("acties per organisatie, acties over de datum, besluiten per thema, tijdlijn van de cycli"),
            )
        ],
        actions=[PageAction(_("Dashboard"), url)],
    )
