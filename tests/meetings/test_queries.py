"""Pages load what they show in a fixed number of queries, however long the agenda."""

from __future__ import annotations

import pytest

from tests.conftest import in_app
from tests.meetings.builders import meeting_with_items


def _meeting_with(app, clock, size: int, year: int) -> int:
    """A published meeting with ``size`` items, each with two documents, two decisions and an action
    (taken after the meeting: the clock is left there)."""
    with in_app(app):
        return meeting_with_items(year, items=size, clock=clock)


@pytest.mark.parametrize("email", ["secretariaat@ezk.test", "economie@noord-brabant.test", "beleid@ezk.test"])
def test_agenda_and_besluitenlijst_take_the_same_number_of_queries_for_5_and_50_items(
    app, clients, count_queries, clock, email
):
    small, large = _meeting_with(app, clock, 5, 2031), _meeting_with(app, clock, 50, 2032)
    client = clients(email)
    counts = {}
    for page in ("/vergaderingen/{}", "/vergaderingen/{}/besluitenlijst"):
        for size, meeting_id in (("5", small), ("50", large)):
            client.get(page.format(meeting_id))  # warm: the first request loads the user's session
            with count_queries() as counter:
                response = client.get(page.format(meeting_id))
            assert response.status_code == 200
            counts[(page, size)] = counter.count
        assert counts[(page, "5")] == counts[(page, "50")], (page, counts)
    assert max(counts.values()) <= 20, counts
    # The pages show what the counts claim to load.
    besluitenlijst = client.get(f"/vergaderingen/{large}/besluitenlijst").get_data(as_text=True)
    assert "Besluit bij Punt 49." in besluitenlijst and "Actie Punt 49" in besluitenlijst
    if "noord-brabant" in email:
        assert "Punt 45" not in besluitenlijst  # every fifth item is Rijk-only


def test_the_decisions_page_takes_the_same_number_of_queries_for_any_number_of_decisions(
    app, clients, count_queries, clock
):
    _meeting_with(app, clock, 5, 2031)
    client = clients("beleid@ezk.test")
    client.get("/besluiten")
    with count_queries() as few:
        client.get("/besluiten")
    _meeting_with(app, clock, 30, 2032)
    client.login("beleid@ezk.test")  # a year later: the session of 2031 has long expired
    client.get("/besluiten")
    with count_queries() as many:
        response = client.get("/besluiten")
    assert "Besluit bij Punt 1." in response.get_data(as_text=True)
    assert few.count == many.count, (few.statements, many.statements)
