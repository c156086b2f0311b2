"""A body's dashboard: the numbers behind the charts, what the page draws and tabulates, who may see
what, and that the drawings are accessible SVG that the CSP allows."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from auth.models import Organisation
from auth.policy import visible
from cases.engine import fire, is_overdue
from cases.models import Case, CaseType
from cases.services import dashboard as numbers
from cases.services.cases import change_due_date, create_follow_up
from core import charts
from core.dates import now, today
from core.db import Audience
from core.extensions import db
from meetings.models import AgendaItemKind, Meeting, Theme
from meetings.services.agenda import add_agenda_item, publish_agenda
from meetings.services.decisions import add_decision, publish_besluitenlijst
from tests.cases.people import REGIO, RIJK, SEC
from tests.conftest import find_body, in_app, meeting_held, user

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
URL = "/overleggen/bo-brainport/dashboard"
SVG = "{http://www.w3.org/2000/svg}"


def _organisation(short_name: str) -> Organisation:
    return db.session.scalars(select(Organisation).where(Organisation.short_name == short_name)).one()


def _at(day: date) -> datetime:
    """Noon in Amsterdam on ``day``: the moment a constructed event happens."""
    return datetime.combine(day, time(12), AMSTERDAM)


def _action(
    owner: str, due: date | None, *, audience: Audience = Audience.OVERLEG, kind: CaseType = CaseType.ACTIEPUNT
) -> Case:
    return create_follow_up(
        user(SEC),
        find_body(),
        case_type=kind,
        title=f"Dashboardtest {owner} {due}",
        owner_organisation_id=_organisation(owner).id,
        due_date=due,
        audience=audience,
    )


def _statuses(email: str) -> dict[str, dict[str, int]]:
    rows = numbers.status_by_organisation(user(email), find_body(), today())
    return {row.short_name: dict(row.counts) for row in rows}


def _overdue(email: str, day: date, weeks: int) -> list[int]:
    return [w.count for w in numbers.overdue_by_week(user(email), find_body(), day, weeks)]


def _themes(email: str) -> dict[str | None, int]:
    return {t.theme: t.count for t in numbers.decisions_by_theme(user(email), find_body())}


# --- the numbers ----------------------------------------------------------------------------------

#: Each state of an action or commitment, with the name the case page gives it, and the secretariat's
#: steps from a new case to it.
STATES: dict[tuple[CaseType, str], tuple[str, list[str]]] = {
    (CaseType.ACTIEPUNT, "open"): ("open", []),
    (CaseType.ACTIEPUNT, "in_uitvoering"): ("in uitvoering", ["starten"]),
    (CaseType.ACTIEPUNT, "gereed"): ("gereed gemeld", ["gereed_melden"]),
    (CaseType.ACTIEPUNT, "afgerond"): ("afgerond", ["gereed_melden", "afronden"]),
    (CaseType.ACTIEPUNT, "vervallen"): ("vervallen", ["laten_vervallen"]),
    (CaseType.TOEZEGGING, "openstaand"): ("openstaand", []),
    (CaseType.TOEZEGGING, "deels_voldaan"): ("deels voldaan", ["deels_voldaan"]),
    (CaseType.TOEZEGGING, "voldaan"): ("voldaan", ["voldaan"]),
    (CaseType.TOEZEGGING, "vervallen"): ("vervallen", ["laten_vervallen"]),
}


def segment(case_type: CaseType, state: str) -> str:
    """The bar's segment a case in ``state`` counts in (when not late): the one whose legend names the
    state, as "open / openstaand" names an actiepunt's "open" and a toezegging's "openstaand"."""
    name = STATES[(case_type, state)][0]
    return next(key for key, legend in numbers.STATUSES.items() if name in str(legend).split(" / "))


@pytest.mark.parametrize("email", [SEC, RIJK, REGIO])
def test_status_counts_match_the_visible_cases_one_by_one(app, email):
    with in_app(app):
        # One of each kind in each state, on time and late: every state has a case to count.
        for (kind, state), (_name, steps) in STATES.items():
            for due in (today() + timedelta(days=5), today() - timedelta(days=5)):
                case = _action("Gem. Eindhoven", due, kind=kind)
                for step in steps:
                    fire(user(SEC), case, step, reason="Voor de test.")
                assert case.state == state
    with in_app(app):
        reader = user(email)
        cases = db.session.scalars(
            select(Case).where(
                Case.body_id == find_body().id, Case.type.in_(numbers.FOLLOW_UP_TYPES), visible(reader, Case)
            )
        ).all()
        expected: Counter[tuple[int, str]] = Counter()
        for case in cases:
            status = "te_laat" if is_overdue(case) else segment(case.type, case.state)
            expected[(case.owner_organisation_id, status)] += 1
        names = {o.short_name: o.id for o in db.session.scalars(select(Organisation))}
        got = Counter(
            {
                (names[short], status): count
                for short, counts in _statuses(email).items()
                for status, count in counts.items()
                if count
            }
        )
    assert cases, "the demo has actions in BO-Brainport"
    assert got == expected


def test_new_actions_land_in_their_organisation_and_status(app):
    with in_app(app):
        before = _statuses(SEC)
        _action("Gem. Eindhoven", today() - timedelta(days=3))
        _action("Gem. Eindhoven", today() - timedelta(days=40))
        under_way = _action("Gem. Eindhoven", today() + timedelta(days=10))
        fire(user(SEC), under_way, "starten")
        done = _action("Gem. Eindhoven", today() - timedelta(days=5))  # late, but reported done: not late
        fire(user(SEC), done, "gereed_melden")
        _action("Gem. Eindhoven", None, kind=CaseType.TOEZEGGING)  # no date, never late
    with in_app(app):
        after = _statuses(SEC)
    empty = dict.fromkeys(numbers.STATUSES, 0)
    old = before.get("Gem. Eindhoven", empty)
    delta = {key: after["Gem. Eindhoven"][key] - old[key] for key in numbers.STATUSES}
    assert delta == {"te_laat": 2, "open": 1, "bezig": 1, "gereed": 1, "afgerond": 0, "vervallen": 0}
    assert {k: v for k, v in after.items() if k != "Gem. Eindhoven"} == {
        k: v for k, v in before.items() if k != "Gem. Eindhoven"
    }


def test_week_ends_are_sundays_and_the_last_is_today():
    wednesday = date(2025, 3, 12)
    ends = numbers.week_ends(wednesday, 4)
    assert ends == [date(2025, 2, 23), date(2025, 3, 2), date(2025, 3, 9), wednesday]
    assert numbers.week_ends(date(2025, 3, 9), 2) == [date(2025, 3, 2), date(2025, 3, 9)]


def _overdue_change(app: Any, clock: Any, weeks: int, story: Callable[[Any, list[date]], None]) -> list[int]:
    """How many more actions were overdue at each of the last ``weeks`` week ends after ``story``
    (acted by the secretariat on the clock it sets, given the week ends) than before it."""
    started, day = now(), today()
    with in_app(app):
        before = _overdue(SEC, day, weeks)
    with in_app(app):
        story(user(SEC), numbers.week_ends(day, weeks))
        clock(started)
    with in_app(app):
        after = _overdue(SEC, day, weeks)
    return [n - o for n, o in zip(after, before, strict=True)]


def test_overdue_per_week_follows_creation_steps_and_moved_due_dates(app, clock):
    def story(sec: Any, ends: list[date]) -> None:
        # A: late from week 1 until it is reported done after week 3.
        clock(_at(ends[0] - timedelta(days=1)))
        a = _action("Gem. Eindhoven", ends[1] - timedelta(days=1))
        clock(_at(ends[3] + timedelta(days=1)))
        fire(sec, a, "gereed_melden")
        # B: late at once; its date moves forward after week 1, and passes again before week 4.
        clock(_at(ends[0] - timedelta(days=2)))
        b = _action("Prov. Noord-Brabant", ends[0] - timedelta(days=1))
        clock(_at(ends[1] + timedelta(days=1)))
        change_due_date(sec, b, due_date=ends[3] + timedelta(days=2), reason="Meer tijd nodig")
        # C: made after week 2 with a date already past: late from its first week end on.
        clock(_at(ends[2] + timedelta(days=1)))
        _action("Brainport Development", ends[0])
        # D: closed before the window: never counted, though its date long passed.
        clock(_at(ends[0] - timedelta(days=30)))
        d = _action("Gem. Eindhoven", ends[0] - timedelta(days=25))
        clock(_at(ends[0] - timedelta(days=20)))
        fire(sec, d, "laten_vervallen", reason="Niet meer nodig")
        # E: a commitment without a date is never late.
        clock(_at(ends[0] - timedelta(days=3)))
        _action("Gem. Eindhoven", None, kind=CaseType.TOEZEGGING)

    delta = _overdue_change(app, clock, 6, story)
    a_late = [0, 1, 1, 1, 0, 0]
    b_late = [1, 1, 0, 0, 1, 1]
    c_late = [0, 0, 0, 1, 1, 1]
    assert delta == [sum(w) for w in zip(a_late, b_late, c_late, strict=True)]


def test_a_step_back_makes_an_action_late_again(app, clock):
    def story(sec: Any, ends: list[date]) -> None:
        clock(_at(ends[0] - timedelta(days=10)))
        action = _action("Gem. Eindhoven", ends[0] - timedelta(days=3))
        clock(_at(ends[0] + timedelta(days=1)))
        fire(sec, action, "gereed_melden")
        clock(_at(ends[1] + timedelta(days=1)))
        fire(sec, action, "heropenen", reason="Nog niet af")

    assert _overdue_change(app, clock, 4, story) == [1, 0, 1, 1]


def test_state_and_due_date_on_a_day_from_the_history():
    d = date(2025, 1, 10)
    steps = [(d, "open", "in_uitvoering"), (d + timedelta(days=5), "in_uitvoering", "gereed")]
    assert numbers.state_on("gereed", steps, d - timedelta(days=1)) == "open"
    assert numbers.state_on("gereed", steps, d) == "in_uitvoering"
    assert numbers.state_on("gereed", steps, d + timedelta(days=9)) == "gereed"
    # Without steps a case has always been in the state it is in now.
    assert numbers.state_on("afgerond", [], d) == "afgerond"
    moves = [(d, date(2025, 1, 1), date(2025, 2, 1)), (d + timedelta(days=5), date(2025, 2, 1), date(2025, 3, 1))]
    assert numbers.due_date_on(date(2025, 3, 1), moves, d - timedelta(days=1)) == date(2025, 1, 1)
    assert numbers.due_date_on(date(2025, 3, 1), moves, d + timedelta(days=1)) == date(2025, 2, 1)
    assert numbers.due_date_on(date(2025, 3, 1), moves, d + timedelta(days=5)) == date(2025, 3, 1)
    assert numbers.due_date_on(date(2025, 4, 1), [], d) == date(2025, 4, 1)


@pytest.mark.parametrize("email", [SEC, REGIO])
def test_this_weeks_overdue_count_is_the_number_late_now(app, email):
    with in_app(app):
        _action("Gem. Eindhoven", today() - timedelta(days=2))
    with in_app(app):
        data = numbers.dashboard(user(email), find_body())
    assert data.overdue[-1].current and data.overdue[-1].day == data.today
    assert data.overdue[-1].count == sum(row.counts["te_laat"] for row in data.statuses) > 0


# --- who sees what ----------------------------------------------------------------------------------


def test_rijk_actions_count_for_the_rijk_side_only(app, clock):
    started, day = now(), today()
    with in_app(app):
        regio_before, rijk_before = _statuses(REGIO), _statuses(RIJK)
        regio_weeks, rijk_weeks = _overdue(REGIO, day, 4), _overdue(RIJK, day, 4)
    with in_app(app):
        clock(_at(day - timedelta(days=40)))
        _action("EZK", day - timedelta(days=30), audience=Audience.RIJK)
        clock(started)
    with in_app(app):
        assert _statuses(REGIO) == regio_before
        assert _overdue(REGIO, day, 4) == regio_weeks
        assert _statuses(RIJK)["EZK"]["te_laat"] == rijk_before.get("EZK", {}).get("te_laat", 0) + 1
        assert _overdue(RIJK, day, 4) == [n + 1 for n in rijk_weeks]


def test_rijk_decisions_count_for_the_rijk_side_once_released(app, clock):
    with in_app(app):
        sec, body = user(SEC), find_body()
        meeting = db.session.scalars(
            select(Meeting).where(Meeting.body_id == body.id, Meeting.agenda_published_at.is_(None))
        ).first()
        assert meeting is not None, "the demo has a coming BO-Brainport with its agenda still a concept"
        talent = db.session.scalars(select(Theme).where(Theme.name == "Talent")).one()
        before = {email: _themes(email).get("Talent", 0) for email in (SEC, RIJK, REGIO)}
        item = add_agenda_item(
            sec, meeting, title="Dashboardtest talent", kind=AgendaItemKind.TER_BESLUITVORMING, theme_id=talent.id
        )
        publish_agenda(sec, meeting)
        meeting_held(clock, meeting)
        add_decision(sec, item, text="Intern besluit over talent", audience=Audience.RIJK)
    with in_app(app):
        # A concept besluitenlijst: only the secretariat counts it.
        assert {email: _themes(email).get("Talent", 0) for email in (SEC, RIJK, REGIO)} == {
            SEC: before[SEC] + 1,
            RIJK: before[RIJK],
            REGIO: before[REGIO],
        }
        meeting = db.session.get(Meeting, meeting.id)
        publish_besluitenlijst(user(SEC), meeting, comments_deadline=today() + timedelta(days=14))
    with in_app(app):
        assert {email: _themes(email).get("Talent", 0) for email in (SEC, RIJK, REGIO)} == {
            SEC: before[SEC] + 1,
            RIJK: before[RIJK] + 1,
            REGIO: before[REGIO],
        }


def test_non_member_gets_404(clients):
    assert clients("economie@gelderland.test").get(URL).status_code == 404
    assert clients("economie@gelderland.test").get("/overleggen/geen-overleg/dashboard").status_code == 404


def test_dashboard_is_linked_from_the_body_and_the_actions_page(clients):
    web = clients(REGIO)
    for page in ("/overleggen/bo-brainport", "/overleggen/bo-brainport/acties"):
        assert f'href="{URL}"' in web.get(page).get_data(as_text=True), page


# --- the page ---------------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """The page's tables by caption: each a list of rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_caption = False
        self._in_svg = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "svg":
            self._in_svg += 1
        elif tag == "table":
            self._caption, self._rows = "", []
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._in_svg -= 1
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self.tables[self._caption or ""] = self._rows

    def handle_data(self, data: str) -> None:
        if self._in_svg:
            return
        if self._in_caption:
            self._caption = (self._caption or "") + data.strip()
        elif self._cell is not None:
            self._cell.append(data)


def _page(clients, email: str) -> str:
    response = clients(email).get(URL)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _svgs(html: str) -> dict[str, ET.Element]:
    found = {}
    for markup in re.findall(r"<svg\b.*?</svg>", html, flags=re.S):
        element = ET.fromstring(markup)  # well-formed XML, or this raises
        found[element.get("id") or ""] = element
    return found


def _tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


@pytest.mark.parametrize("email", [SEC, REGIO])
def test_the_tables_and_the_drawings_hold_the_numbers(app, clients, email):
    with in_app(app):
        _action("Gem. Eindhoven", today() - timedelta(days=2))
        _action("Gem. Eindhoven", today() + timedelta(days=2))
    with in_app(app):
        data = numbers.dashboard(user(email), find_body())
    html = _page(clients, email)
    tables, svgs = _tables(html), _svgs(html)

    status_table = tables["Acties en toezeggingen per organisatie, naar status"]
    body_rows = {row[0]: [int(n) for n in row[1:]] for row in status_table[1:-1]}
    assert body_rows == {r.name: [r.counts[key] for key in numbers.STATUSES] + [r.total] for r in data.statuses}
    assert status_table[-1][-1] == str(sum(r.total for r in data.statuses))
    drawn = {
        g.get("data-label"): (
            int(g.get("data-value") or -1),
            {
                s.get("data-label"): int(s.get("data-value") or -1)
                for s in g.iter(f"{SVG}rect")
                if s.get("class") == "segment"
            },
        )
        for g in svgs["grafiek-status"].iter(f"{SVG}g")
        if g.get("class") == "row"
    }
    assert drawn == {
        r.short_name: (
            r.total,
            {str(numbers.STATUSES[key]): r.counts[key] for key in numbers.STATUSES if r.counts[key]},
        )
        for r in data.statuses
    }

    week_table = tables["Acties en toezeggingen over de datum aan het eind van elke week"]
    assert [int(row[-1]) for row in week_table[1:]] == [w.count for w in data.overdue]
    points = [
        int(c.get("data-value") or -1)
        for c in svgs["grafiek-te-laat"].iter(f"{SVG}circle")
        if c.get("class") == "point"
    ]
    assert points == [w.count for w in data.overdue]
    assert f"vandaag: {data.overdue[-1].count}" in "".join(svgs["grafiek-te-laat"].itertext())

    theme_table = tables["Besluiten per thema"]
    assert {row[0]: int(row[1]) for row in theme_table[1:-1]} == {
        (t.theme or "zonder thema"): t.count for t in data.themes
    }
    bars = {
        g.get("data-label"): int(g.get("data-value") or -1)
        for g in svgs["grafiek-thema"].iter(f"{SVG}g")
        if g.get("class") == "row"
    }
    assert bars == {(t.theme or "zonder thema"): t.count for t in data.themes}

    events = [e.get("data-value") for e in svgs["grafiek-cycli"].iter() if e.get("class") == "event"]
    assert events == [day.isoformat() for c in data.cycles for _kind, day in sorted(c.milestones, key=lambda m: m[1])]
    assert len(tables["Cycli en hun mijlpalen"]) - 1 == len(events) > 0


def test_regio_page_does_not_count_the_rijk_action(app, clients):
    with in_app(app):
        _action("EZK", today() - timedelta(days=9), audience=Audience.RIJK)
    for email, late in ((RIJK, "1"), (REGIO, "0")):
        table = _tables(_page(clients, email))["Acties en toezeggingen per organisatie, naar status"]
        ezk = next(row for row in table if row[0] == "Ministerie van Economische Zaken en Klimaat")
        assert ezk[1] == late, email


def test_charts_are_accessible_svg_without_inline_style_or_script(clients):
    html = _page(clients, REGIO)
    assert not re.search(r"\sstyle\s*=", html)
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script: the CSP refuses it"
    svgs = _svgs(html)
    assert set(svgs) == {"grafiek-status", "grafiek-te-laat", "grafiek-thema", "grafiek-cycli"}
    for chart_id, svg in svgs.items():
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None and desc is not None
        assert (title.text or "").strip() and len((desc.text or "").strip()) > 40
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert not list(svg.iter(f"{SVG}script"))
        assert f'id="{chart_id}"' in html
    # The legend names each status's pattern: the series differ by more than colour.
    legend = "".join(svgs["grafiek-status"].find(f"{SVG}g[@class='legend']").itertext())  # type: ignore[union-attr]
    for name in ("stippen", "schuine strepen", "ruit", "effen"):
        assert name in legend


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast_with_white(colour: str) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


def test_text_and_marks_meet_wcag_contrast_on_white(clients):
    svgs = _svgs(_page(clients, SEC))
    for svg in svgs.values():
        for text in svg.iter(f"{SVG}text"):
            fill = text.get("fill") or charts.INK
            assert _contrast_with_white(fill) >= 4.5, (fill, text.text)
        for mark in svg.iter():
            if mark.get("class") in ("segment", "bar", "point", "event"):
                fill = mark.get("fill") or ""
                colours = [fill] if fill.startswith("#") else []
                colours += [mark.get("stroke") or ""] if mark.get("class") == "event" else []
                for colour in colours:
                    if colour != charts.PAPER:
                        assert _contrast_with_white(colour) >= 3, (mark.get("class"), colour)
    for pattern in svgs["grafiek-status"].iter(f"{SVG}pattern"):
        base = pattern.find(f"{SVG}rect")
        assert base is not None and _contrast_with_white(base.get("fill") or "") >= 3


def _drawn(app, macro: str, chart: Any) -> ET.Element:
    """``chart`` drawn by its macro in ``core/charts.html``, parsed: well-formed XML, or this raises."""
    with app.test_request_context():
        source = '{% import "core/charts.html" as draw %}{{ draw.' + macro + "(chart) }}"
        return ET.fromstring(app.jinja_env.from_string(source).render(chart=chart))


def test_chart_macros_escape_labels_and_colours_and_write_numbers(app):
    series = [
        charts.Series("a", "A & B", charts.BRAND, "dots", "stippen"),
        charts.Series("b", "<C>", '#1e6b33" onload="x'),
    ]
    chart = charts.stacked_bars(
        [charts.Row("R&D <test>", (40, 1)), charts.Row("Leeg", (0, 0))],
        series,
        chart_id="t",
        title="T & t",
        desc="D",
        total_label="totaal",
    )
    svg = _drawn(app, "stacked_bars", chart)
    texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert "R&D <test>" in texts and "40" in texts and "1" in texts and "totaal 41" in texts
    assert "A & B (stippen)" in texts and "<C>" in texts
    assert svg.find(f"{SVG}title").text == "T & t"  # type: ignore[union-attr]
    rows = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "row"]
    assert [(g.get("data-label"), g.get("data-value")) for g in rows] == [("R&D <test>", "41"), ("Leeg", "0")]
    segments = [(s.get("data-label"), s.get("data-value"), s.get("fill")) for s in rows[0].iter(f"{SVG}rect")]
    assert segments[0] == ("A & B", "40", "url(#t-p-a)")
    # A plain series is filled with its colour: a colour is an attribute value like any other, escaped.
    plain = [s for s in segments if s[0] == "<C>"]
    assert plain == [("<C>", "1", '#1e6b33" onload="x')]
    assert not [e for e in svg.iter() if e.get("onload") is not None]
    assert [p.get("id") for p in svg.iter(f"{SVG}pattern")] == ["t-p-a"]
    # The widths follow the values: 40 and 1 of the largest total, 41.
    widths = [float(s.get("width") or 0) for s in rows[0].iter(f"{SVG}rect") if s.get("class") == "segment"]
    assert widths[0] == pytest.approx(40 * widths[1], rel=0.01)

    empty = _drawn(
        app,
        "step_chart",
        charts.step_chart([], chart_id="s", title="S", desc="D", x_title="x", y_title="y", latest_text="nu"),
    )
    assert empty.get("role") == "img" and not list(empty.iter(f"{SVG}circle"))


def test_an_unknown_pattern_is_refused():
    with pytest.raises(ValueError, match="pattern"):
        charts.Series("a", "A", charts.BRAND, "stippen")


def test_page_takes_as_many_queries_with_more_actions(app, clients, count_queries, clock):
    web = clients(SEC)
    web.get(URL)  # warm: the session, the user
    with count_queries() as before:
        assert web.get(URL).status_code == 200
    started, day = now(), today()
    with in_app(app):
        sec = user(SEC)
        for n in range(12):
            clock(_at(day - timedelta(days=60 - n)))
            action = _action("Gem. Eindhoven", day - timedelta(days=50 - n))
            clock(_at(day - timedelta(days=40 - n)))
            change_due_date(sec, action, due_date=day - timedelta(days=10), reason="Later")
            fire(sec, action, "starten")
        clock(started)
    with count_queries() as after:
        assert web.get(URL).status_code == 200
    assert after.count == before.count, after.statements[before.count :]
