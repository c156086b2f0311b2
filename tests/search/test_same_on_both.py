"""SQLite and PostgreSQL find the same things, as ``search/text.py`` promises: the same queries over the
same corpus (the demo and the notes below) on a database of each kind, hit for hit.

PostgreSQL analyses text itself; SQLite searches the app's own stems. Where the two read Dutch the same
(stems, stop words, diacritics, compounds with a hyphen, word order, case) the hits must be equal.
PostgreSQL runs at 127.0.0.1:5432 as user postgres (or where ``DATABASE_URL`` points, or
``REGIOTAFEL_TEST_POSTGRES``); a throwaway database is made there and dropped afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from core.extensions import db
from meetings.services import notes
from search.services import SearchFilters, search
from tests.conftest import find_body, in_app, own_database, postgres_server, user

pytestmark = pytest.mark.own_database

READER = "secretariaat@ezk.test"

#: Notes of BO-Brainport, by title: Dutch as people write it.
CORPUS = {
    "Werkplekken": "Talenten en werkplekken in de regio.",
    "Talent": "Het talent van de regio houden.",
    "Coördinatie": "De coördinatie van de netcongestie.",
    "Ideeën": "Café en reünie: ideeën over één aanpak.",
    "Woningbouw": "Investeringen in de woningbouwafspraken.",
    "Cofinanciering": "Co-financiering door het Rijk.",
    "Los geschreven": "Co financiering, los geschreven.",
    "Scholen": "De mbo-scholen en het ICT-beleid.",
    "Bereikbaarheid": "Bereikbaarheid van Brainport Eindhoven.",
    "Andersom": "Eindhoven en Brainport, andersom.",
    "Netcapaciteit": "Netcapaciteit op bedrijventerreinen.",
    "Evaluatie": "Naïeve plannen, GEËVALUEERD in België.",
    "Getal": "72.000 werkplekken in 2030.",
    "Los getal": "Eerst 72, dan 000.",
}

#: Queries, and the notes of the corpus each must find (on both databases; the demo's hits come on top).
QUERIES: dict[str, set[str]] = {
    # one stem for singular and plural, verb and noun
    "talent": {"Werkplekken", "Talent"},
    "talenten": {"Werkplekken", "Talent"},
    "werkplek": {"Werkplekken", "Getal"},
    "investering": {"Woningbouw"},
    "woningbouwafspraak": {"Woningbouw"},
    # diacritics and case: with or without, upper or lower
    "coördinatie": {"Coördinatie"},
    "coordinatie": {"Coördinatie"},
    "COÖRDINATIE": {"Coördinatie"},
    "cafe": {"Ideeën"},
    "reunie ideeen": {"Ideeën"},
    "één aanpak": {"Ideeën"},
    "geevalueerd": {"Evaluatie"},
    "naieve belgie": {"Evaluatie"},
    "NETCONGESTIE": {"Coördinatie"},
    # compounds with a hyphen, asked for with or without it
    "financiering": {"Cofinanciering", "Los geschreven"},
    "co-financiering": {"Cofinanciering", "Los geschreven"},
    "co financiering": {"Cofinanciering", "Los geschreven"},
    "mbo-scholen": {"Scholen"},
    "mbo scholen": {"Scholen"},
    "ict-beleid": {"Scholen"},
    # a number with a thousands dot, asked for as written
    "72.000": {"Getal", "Los getal"},
    "72.000 werkplekken": {"Getal"},
    # several words: all of them, in any order; quotes change nothing
    "Brainport Eindhoven": {"Bereikbaarheid", "Andersom"},
    "Eindhoven Brainport": {"Bereikbaarheid", "Andersom"},
    '"Brainport Eindhoven"': {"Bereikbaarheid", "Andersom"},
    "bereikbaarheid andersom": set(),
    # no prefix search: a word's beginning is not the word
    "netcapaciteit": {"Netcapaciteit"},
    "netcap": set(),
    "netcap*": set(),
    # stop words are left out, on both
    "het talent van de regio": {"Werkplekken", "Talent"},
}


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Flask]]:
    """The demo and the notes below on SQLite and on PostgreSQL."""
    server = postgres_server()
    with (
        own_database(tmp_path_factory.mktemp("sqlite"), on="sqlite") as sqlite,
        own_database(tmp_path_factory.mktemp("postgresql"), on=server) as postgresql,
    ):
        apps = {"sqlite": sqlite, "postgresql": postgresql}
        for app in apps.values():
            write(app, CORPUS | WHOLE_TOKENS)
        yield apps


def write(app: Flask, corpus: dict[str, str]) -> None:
    with in_app(app):
        body = find_body()
        for title, text in corpus.items():
            notes.add_note(user(READER), body, title=title, text=text)


def hits(app: Flask, query: str) -> set[tuple[str, str]]:
    """Every hit of a search by the secretariat, as (kind, title without its marks)."""
    found: set[tuple[str, str]] = set()
    with app.app_context():
        page = 1
        while True:
            result = search(user(READER), SearchFilters(text=query, page=page))
            found |= {(str(hit.kind), re.sub(r"</?mark>", "", str(hit.title))) for hit in result.hits}
            if page >= result.pages:
                break
            page += 1
        db.session.remove()
    return found


@pytest.mark.parametrize("query", list(QUERIES))
def test_both_databases_find_the_same_for(databases: dict[str, Any], query: str) -> None:
    on_sqlite, on_postgresql = hits(databases["sqlite"], query), hits(databases["postgresql"], query)
    assert on_sqlite == on_postgresql, {
        "only on SQLite": sorted(on_sqlite - on_postgresql),
        "only on PostgreSQL": sorted(on_postgresql - on_sqlite),
    }
    corpus_hits = {title for kind, title in on_sqlite if kind == "notitie" and title in CORPUS}
    assert corpus_hits == QUERIES[query]


def test_a_query_of_stop_words_only_finds_nothing_on_either(databases: dict[str, Any]) -> None:
    for app in databases.values():
        with app.app_context():
            result = search(user(READER), SearchFilters(text="de van het"))
            assert result.only_stop_words and not result.hits
            db.session.remove()


#: What PostgreSQL's parser keeps whole in a document (an e-mail address, a web address, a number with a
#: dot), the app splits into words: asked for one of those words, SQLite finds the note, PostgreSQL not.
WHOLE_TOKENS = {"Contact": "Mail gerrit.vonk@voorbeeld.test of kijk op https://www.zoekproef.nl/bijlagen: 31.415 keer."}


@pytest.mark.xfail(
    strict=True,
    reason="known difference: PostgreSQL indexes e-mail and web addresses and numbers with a dot as one token, "
    "the app's stems (SQLite) as their words; fixing it means indexing the app's stems on PostgreSQL too",
)
@pytest.mark.parametrize("query", ["vonk", "zoekproef", "415"])
def test_words_inside_an_address_are_found_on_both(databases: dict[str, Any], query: str) -> None:
    assert hits(databases["sqlite"], query) == hits(databases["postgresql"], query)
