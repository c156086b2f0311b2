"""The search page: the issue's examples, visibility, filters and bad input, on either database."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from cases.models import Case
from core.extensions import db
from demo.story import MEMO_KENMERK, MEMO_TITLE
from meetings.models import AgendaItem, Body, Cycle, Decision, Document, Meeting, Minutes, Note, Theme
from search import services
from search.models import EntryKind, SearchEntry
from search.services import SearchFilters
from search.text import words
from tests.conftest import find_body, in_app, user
from tests.search.conftest import found

SEC, BELEID, BRABANT = "secretariaat@ezk.test", "beleid@ezk.test", "economie@noord-brabant.test"
MEMO_NUMBER = MEMO_KENMERK.split("/")[-1].strip()
_HIT_LINK = re.compile(r'<li class="search-hit">\s*<p><span class="tag">[^<]*</span> <a href="([^"]+)"')


def _links(page: str) -> list[str]:
    return _HIT_LINK.findall(page)


def _status(page: str) -> str:
    match = re.search(r'<p role="status">(.*?)</p>', page, re.S)
    return " ".join(match.group(1).split()) if match else ""


def _theme(name: str) -> Theme:
    return db.session.scalars(select(Theme).where(Theme.name == name)).one()


def _memo() -> Case:
    return db.session.scalars(select(Case).where(Case.kenmerk == MEMO_KENMERK)).one()


# --- the examples ------------------------------------------------------------------------


def test_netcongestie_finds_the_item_tagged_netcapaciteit_whose_text_says_so(app):
    from meetings.services import agenda

    with in_app(app):
        netcapaciteit = _theme("Netcapaciteit")
        item = db.session.scalars(select(AgendaItem).where(AgendaItem.theme_id == netcapaciteit.id)).one()
        assert "netcongestie" not in item.title.lower() and "netcongestie" in item.description.lower()
        # The next BO's agenda is not published yet: only the secretariat sees the item so far.
        assert ("meetings.agenda_item", item.id) in found(user(SEC), "netcongestie", theme_id=netcapaciteit.id)
        assert ("meetings.agenda_item", item.id) not in found(user(BELEID), "netcongestie")
        agenda.publish_agenda(user(SEC), item.meeting)
        db.session.flush()
        for email in (BELEID, BRABANT):
            assert ("meetings.agenda_item", item.id) in found(user(email), "netcongestie", kind=EntryKind.AGENDAPUNT)


def test_talenten_finds_what_says_talent(app, clients):
    with in_app(app):
        # Entries that say "talent" and never "talenten": only the stem can find them.
        only_singular = {
            (entry.object_type, entry.object_id)
            for entry in db.session.scalars(select(SearchEntry))
            if "talent" in words(f"{entry.title} {entry.text}")
            and "talenten" not in words(f"{entry.title} {entry.text}")
        }
        dossier = db.session.scalars(select(Case).where(Case.type == "dossier", Case.title.contains("Talent"))).one()
        assert ("cases", dossier.id) in only_singular
        assert ("cases.case", dossier.id) in found(user(BRABANT), "talenten")
    response = clients(BRABANT).get("/zoeken?q=talenten")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"/zaken/{dossier.id}" in _links(page)
    assert "<mark>Talent</mark>" in page


# --- visibility --------------------------------------------------------------------------------------


def test_the_rijk_member_finds_the_memo_by_its_kenmerk_and_title_and_opens_it(app, clients):
    web = clients(BELEID)
    with in_app(app):
        memo_id = _memo().id
    for query in (MEMO_NUMBER, MEMO_KENMERK, "Aanbieding Kamerbrief", "hightech maakindustrie wereldniveau"):
        response = web.get("/zoeken", query_string={"q": query})
        assert response.status_code == 200
        assert f"/zaken/{memo_id}" in _links(response.get_data(as_text=True)), query
    assert web.get(f"/zaken/{memo_id}").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        MEMO_NUMBER,
        MEMO_KENMERK,
        "DGBI",
        "Aanbieding Kamerbrief",
        MEMO_TITLE,
        "bewindspersonen",  # the Rijk-internal annotation and the action to write it
        "Annotatie voor de bewindspersonen",
    ],
)
def test_a_regio_member_finds_no_trace_of_rijk_internal_items(app, clients, query):
    web = clients(BRABANT)
    response = web.get("/zoeken", query_string={"q": query})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    with in_app(app):
        memo_id = _memo().id
        hidden_documents = db.session.scalars(select(Document.id).where(Document.audience == "rijk")).all()
        hidden_cases = db.session.scalars(select(Case.id).where(Case.audience == "rijk")).all()
    links = _links(page)
    assert f"/zaken/{memo_id}" not in links
    assert not any(f"/zaken/{i}" in links for i in hidden_cases)
    assert not any(f"/documenten/{i}/download" in links for i in hidden_documents)
    # Nothing of the memo on the page, but for the query itself where the page repeats it.
    rest = page.replace(str(escape(query)), "")
    assert "Aanbieding" not in rest and MEMO_NUMBER not in rest and "bewindspersonen" not in rest
    # Whatever is counted is listed: a hidden hit would show as a count above the list.
    status = _status(page)
    assert status.startswith("Niets gevonden") or status.startswith(f"{len(links)} resulta"), status


def test_a_regio_member_searching_the_memo_gets_exactly_what_a_search_for_nonsense_gets(app, clients):
    web = clients(BRABANT)
    memo = web.get("/zoeken", query_string={"q": MEMO_NUMBER}).get_data(as_text=True)
    nonsense = web.get("/zoeken", query_string={"q": "87654321"}).get_data(as_text=True)
    assert _without_csrf(memo.replace(MEMO_NUMBER, "Q")) == _without_csrf(nonsense.replace("87654321", "Q"))


def _without_csrf(page: str) -> str:
    # The logout form's token is signed with the time: two requests a second apart differ there only.
    plain, found = re.subn(r'name="csrf_token" value="[^"]*"', "csrf", page)
    assert found, "the page has no token to leave out: the comparison would check less than it says"
    return plain


def _expected(searcher) -> set[tuple[str, int]]:
    """What the user may open, asked of the policy one object at a time (not of the search's SQL)."""
    from auth.policy import can

    def sees(obj) -> bool:
        return can(searcher, "view", obj)

    keys: set[tuple[str, int]] = set()
    keys |= {("meetings.agenda_item", i.id) for i in db.session.scalars(select(AgendaItem)) if sees(i)}
    keys |= {
        ("meetings.decision", d.id) for d in db.session.scalars(select(Decision)) if sees(d) and sees(d.agenda_item)
    }
    keys |= {
        ("meetings.minutes", m.meeting_id)
        for m in db.session.scalars(select(Minutes))
        if sees(m) and sees(db.session.get(Meeting, m.meeting_id))
    }
    keys |= {("meetings.document_download", d.id) for d in db.session.scalars(select(Document)) if sees(d)}
    keys |= {("meetings.note", n.id) for n in db.session.scalars(select(Note)) if sees(n)}
    keys |= {("cases.case", c.id) for c in db.session.scalars(select(Case)) if sees(c)}
    return keys


@pytest.mark.parametrize(
    "email",
    [
        SEC,
        BELEID,
        BRABANT,
        "economie@eindhoven.test",
        "economie@gelderland.test",
        "auditor@noord-brabant.test",
        "beleid@ienw.test",
        "beheer@regiotafel.test",
    ],
)
def test_everything_a_user_finds_is_what_the_policy_lets_them_open_and_nothing_else(app, email):
    with in_app(app):
        searcher = user(email)
        listed: list[tuple[str, int]] = []
        for kind in EntryKind:
            listed += found(searcher, kind=kind)
        assert len(listed) == len(set(listed))
        assert set(listed) == _expected(searcher)


@pytest.mark.parametrize("email", [BRABANT, BELEID])
def test_every_hit_link_opens_for_the_searcher(app, clients, email):
    web = clients(email)
    with in_app(app):
        bo = find_body().id
    for kind in EntryKind:
        page = web.get("/zoeken", query_string={"overleg": bo, "soort": kind.value}).get_data(as_text=True)
        for link in _links(page):
            response = web.get(link)
            response.close()  # a download holds its file open until then
            assert response.status_code == 200, link


def test_a_non_member_finds_nothing_of_another_body(app, clients):
    outsider = "economie@gelderland.test"
    with in_app(app):
        bo = find_body()
        assert bo.id not in user(outsider).roles
        bodies = {
            hit.body for kind in EntryKind for hit in services.search(user(outsider), SearchFilters(kind=kind)).hits
        }
        assert bodies and bo.name not in bodies
        bo_id, bo_name = bo.id, bo.name
    page = clients(outsider).get("/zoeken", query_string={"q": "talenten Brainport"}).get_data(as_text=True)
    assert _links(page) == [] and "Niets gevonden" in _status(page)
    # Asking for the body by its id is refused like any id not offered: it says nothing of the body.
    refused = clients(outsider).get("/zoeken", query_string={"q": "talent", "overleg": bo_id})
    assert refused.status_code == 400
    assert bo_name not in refused.get_data(as_text=True)


def test_an_unpublished_agenda_item_is_found_only_by_the_secretariat(app):
    with in_app(app):
        upcoming = db.session.scalars(
            select(Meeting).where(Meeting.body_id == find_body().id, Meeting.agenda_published_at.is_(None))
        ).one()
        items = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == upcoming.id)).all()
        assert items
        for item in items:
            key = ("meetings.agenda_item", item.id)
            assert key in found(user(SEC), item.title)
            for email in (BELEID, BRABANT, "economie@eindhoven.test"):
                assert key not in found(user(email), item.title)


# --- filters --------------------------------------------------------------------------------------------


def test_each_filter_keeps_only_what_it_names(app):
    with in_app(app):
        sec = user(SEC)
        entries = {(e.object_type, e.object_id): e for e in db.session.scalars(select(SearchEntry))}
        everything = services.search(sec, SearchFilters(text="Brainport")).total
        assert everything > 3

        def entries_of(**filters):
            result = services.search(sec, SearchFilters(text="Brainport", **filters))
            assert result.total < everything
            return result

        talent = _theme("Talent")
        by_theme = entries_of(theme_id=talent.id)
        assert by_theme.total and all("alent" in str(h.title) + str(h.snippet) for h in by_theme.hits)
        by_kind = entries_of(kind=EntryKind.BESLUIT)
        assert by_kind.total and all(h.kind is EntryKind.BESLUIT for h in by_kind.hits)
        cycle = db.session.scalars(
            select(Cycle).where(Cycle.body_id == find_body().id).order_by(Cycle.meeting_date)
        ).first()
        by_cycle = {key for key in found(sec, "Brainport", cycle_id=cycle.id)}
        assert by_cycle
        in_cycle = {k for k, e in entries.items() if e.cycle_id == cycle.id}
        assert len(by_cycle) <= len(in_cycle)
        rom = db.session.scalars(select(Body).where(Body.slug != "bo-brainport")).first()
        by_body = services.search(sec, SearchFilters(body_id=rom.id))
        assert by_body.total and all(h.body == rom.name for h in by_body.hits)
        nothing = services.search(sec, SearchFilters(text="Brainport", theme_id=talent.id, kind=EntryKind.VERSLAG))
        assert nothing.total == 0


def test_the_filters_offer_only_what_the_user_may_see(app, clients):
    outsider = "economie@gelderland.test"
    page = clients(outsider).get("/zoeken").get_data(as_text=True)
    assert "BO-Brainport" not in page
    with in_app(app):
        choices = services.filter_choices(user(outsider))
        assert {ident for ident, _name in choices.bodies} == set(user(outsider).roles)
        assert choices.cycles and all("BO-Brainport" not in name for _i, name in choices.cycles)
        # Themes only from what the user sees: the ROM's agenda has no netcapaciteit item.
        assert "Netcapaciteit" not in {name for _i, name in choices.themes}


# --- bad input and odd queries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"q": "talent " * 40}, "q", "te lang"),
        ({"q": " ".join(f"woord{i}" for i in range(13))}, "q", "hoogstens 12 woorden"),
        ({"q": "talent", "overleg": "999999"}, "overleg", "Kies een van"),
        ({"q": "talent", "overleg": "abc"}, "overleg", "Kies een van"),
        ({"q": "talent", "cyclus": "-1"}, "cyclus", "Kies een van"),
        ({"q": "talent", "thema": "1e9"}, "thema", "Kies een van"),
        ({"q": "talent", "soort": "onzin"}, "soort", "Kies een van"),
    ],
)
def test_bad_input_gets_a_dutch_message_next_to_the_field(clients, params, field, message):
    response = clients(BRABANT).get("/zoeken", query_string=params)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-fout"' in page
    assert message in page


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"talent',
        "talent*",
        "*",
        "NEAR",
        "NEAR(talent netcongestie)",
        "-",
        "-talent",
        "talent OR",
        "AND",
        "NOT talent",
        "title:talent",
        "^talent",
        "()",
        "'; DROP TABLE search_entries; --",
        "\\",
        "%",
        "_",
        "ë",
        "🙂",
    ],
)
def test_no_query_is_taken_as_search_syntax_or_breaks_the_page(clients, query):
    response = clients(BELEID).get("/zoeken", query_string={"q": query})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


def test_a_query_of_stop_words_or_only_punctuation_says_why_it_finds_nothing(clients):
    web = clients(BELEID)
    stop = web.get("/zoeken", query_string={"q": "de het een van"}).get_data(as_text=True)
    assert "zo vaak voor" in _status(stop)
    punctuation = web.get("/zoeken", query_string={"q": '" * - ( )'}).get_data(as_text=True)
    assert "leestekens" in _status(punctuation)


@pytest.mark.parametrize("page", ["abc", "-3", "0", "99999"])
def test_a_page_number_out_of_range_shows_a_page_that_exists(clients, page):
    response = clients(SEC).get("/zoeken", query_string={"q": "Brainport", "pagina": page})
    assert response.status_code == 200
    assert _links(response.get_data(as_text=True))


def test_only_spaces_show_the_hint_not_everything(clients):
    page = clients(SEC).get("/zoeken", query_string={"q": "   "}).get_data(as_text=True)
    assert _links(page) == [] and "Typ een of meer woorden" in page


def test_signed_out_the_search_asks_to_sign_in(client):
    response = client.get("/zoeken?q=talent")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- the page ---------------------------------------------------------------------------------------


def test_every_page_has_a_search_box_in_its_header(clients):
    page = clients(BRABANT).get("/").get_data(as_text=True)
    header = page.split("</header>")[0]
    assert re.search(r'<form method="get" action="/zoeken" role="search"[^>]*aria-label="[^"]+"', header)
    assert '<label for="zoeken-kop"' in header and 'id="zoeken-kop" name="q"' in header


def test_a_results_page_takes_as_many_queries_for_two_hits_as_for_ten(app, clients, count_queries, monkeypatch):
    web = clients(SEC)
    web.get("/zoeken?soort=agendapunt")  # warm up: the session's user and roles are loaded once
    counts = []
    for size in (2, 10):
        monkeypatch.setattr(services, "PAGE_SIZE", size)
        with count_queries() as counter:
            page = web.get("/zoeken?soort=agendapunt").get_data(as_text=True)
        assert len(_links(page)) == size
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
