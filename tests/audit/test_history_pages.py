"""A busy object's history comes a page at a time, each page after the last one's record (a keyset),
and a page costs the same number of statements however long the history has grown."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from audit import services
from audit.chain import append_rows
from core.dates import now
from core.extensions import db
from meetings.models import Meeting
from tests.conftest import in_app

SECRETARY = "secretariaat@ezk.test"
NEXT = re.compile(r'rel="next" href="([^"]+)"')
VERSION = re.compile(r"versie (\d+)\b")


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(services, "HISTORY_PAGE", 4)


def _meeting(app) -> int:
    with in_app(app):
        return db.session.scalars(select(Meeting).where(Meeting.title == "BO-Brainport 14 maart 2023")).one().id


def _changes(app, meeting_id: int, count: int, start: int = 0) -> None:
    """``count`` more recorded changes of the meeting's location, sealed into the chain as the recorder does."""
    with in_app(app):
        meeting = db.session.get(Meeting, meeting_id)
        rows = [
            {
                "occurred_at": now(),
                "actor_user_id": None,
                "actor_label": "test",
                "actor_organisation": None,
                "action": "update",
                "service": "test",
                "object_type": "meetings",
                "object_id": meeting_id,
                "object_label": "vergadering",
                "body_id": meeting.body_id,
                "audience": meeting.audience.value,
                "changes": {"location": [f"versie {n}", f"versie {n + 1}"]},
                "reason": None,
                "origin": {"source": "test"},
            }
            for n in range(start, start + count)
        ]
        append_rows(db.session.connection(), rows)
        db.session.flush()


def test_following_the_next_links_shows_every_change_once_in_order(app, clients, small_pages):
    meeting_id = _meeting(app)
    _changes(app, meeting_id, 10)
    client = clients(SECRETARY)
    url, seen, pages = f"/geschiedenis/meetings/{meeting_id}", [], 0
    while url:
        page = client.get(url).get_data(as_text=True)
        pages += 1
        seen += [int(n) for n in VERSION.findall(page)[::2]]  # each change shows "versie n → versie n+1"
        found = NEXT.search(page)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == list(range(10)), seen
    assert pages >= 4  # the demo's own records of the meeting come first


def test_a_page_of_history_takes_the_same_statements_for_a_short_and_a_long_history(
    app, clients, count_queries, small_pages
):
    meeting_id = _meeting(app)
    client = clients(SECRETARY)
    url = f"/geschiedenis/meetings/{meeting_id}"
    client.get(url)
    with count_queries() as short:
        assert client.get(url).status_code == 200
    _changes(app, meeting_id, 40)
    with count_queries() as long:
        response = client.get(url)
    assert NEXT.search(response.get_data(as_text=True))
    assert long.count == short.count, long.statements[short.count :]


def test_a_page_past_every_record_is_empty_not_an_error(clients, app):
    meeting_id = _meeting(app)
    for after in (10**6, 2**40):
        response = clients(SECRETARY).get(f"/geschiedenis/meetings/{meeting_id}?na={after}")
        assert response.status_code == 200
        assert "Eerste wijzigingen" in response.get_data(as_text=True)
