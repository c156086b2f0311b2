"""An object's history: for the secretariat and auditors of its body, hidden from who may not see it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from meetings.models import Document, Meeting
from tests.conftest import in_app


@pytest.fixture
def meeting_2023(app):
    with in_app(app):
        return db.session.scalars(select(Meeting).where(Meeting.title == "BO-Brainport 14 maart 2023")).one().id


@pytest.fixture
def rijk_document(app):
    with in_app(app):
        return db.session.scalars(select(Document).where(Document.audience == "rijk")).first().id


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("secretariaat@ezk.test", 200),
        ("auditor@ezk.test", 200),
        ("auditor@noord-brabant.test", 200),
        ("beleid@ezk.test", 403),  # sees the meeting, not its history
        ("economie@gelderland.test", 404),  # not a member of BO-Brainport
    ],
)
def test_history_of_a_meeting_per_role(clients, meeting_2023, email, status):
    response = clients(email).get(f"/geschiedenis/meetings/{meeting_2023}")
    assert response.status_code == status
    if status == 200:
        page = response.get_data(as_text=True)
        assert "besluitenlijst_status" in page and "ter_commentaar → vastgesteld" in page


def test_a_regio_auditor_gets_404_for_the_history_of_a_rijk_document(clients, rijk_document):
    assert clients("auditor@noord-brabant.test").get(f"/geschiedenis/documents/{rijk_document}").status_code == 404
    assert clients("auditor@ezk.test").get(f"/geschiedenis/documents/{rijk_document}").status_code == 200


def test_an_unknown_object_type_is_a_404(clients):
    assert clients("auditor@ezk.test").get("/geschiedenis/audit_records/1").status_code == 404
    assert clients("auditor@ezk.test").get("/geschiedenis/bestaat_niet/1").status_code == 404


@pytest.mark.parametrize("object_id", [2**31, 2**63, 10**30])
@pytest.mark.parametrize("object_type", ["meetings", "case_events", "users"])
def test_an_id_no_column_can_hold_is_a_404_not_a_500(clients, object_type, object_id):
    # 2**31 is beyond PostgreSQL's INTEGER, 2**63 beyond SQLite's: the database must not be asked.
    assert clients("auditor@ezk.test").get(f"/geschiedenis/{object_type}/{object_id}").status_code == 404


@pytest.fixture
def talent_theme(app):
    with in_app(app):
        from meetings.models import Theme

        return db.session.scalars(select(Theme).where(Theme.name == "Talent")).one().id


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("beheer@regiotafel.test", 200),
        ("auditor@ezk.test", 200),  # reads a body's history, so the themes' too (as in an export)
        ("auditor@noord-brabant.test", 200),
        ("secretariaat@ezk.test", 200),
        ("beleid@ezk.test", 404),  # reads no history at all
        ("economie@gelderland.test", 404),
    ],
)
def test_the_history_of_a_theme_is_for_whoever_the_policy_lets_read_it(clients, talent_theme, email, status):
    """A theme lives in no body: the history page asks the policy, which answers as it does for the theme's
    records in an export (the page once decided itself, and refused everyone, the beheerder too)."""
    response = clients(email).get(f"/geschiedenis/themes/{talent_theme}")
    assert response.status_code == status
    if status == 200:
        page = response.get_data(as_text=True)
        assert "Talent" in page and "aangemaakt" in page


def test_the_history_page_lists_what_the_export_lists_for_a_theme(app, clients, talent_theme):
    """The page and the export ask the same policy: what the page lets in, it fills from readable records."""
    from audit.services import readable_history
    from tests.conftest import user

    with in_app(app):
        records = readable_history(user("auditor@ezk.test"), "themes", talent_theme)
    assert records, "the demo creates its themes through a service, so the trail has them"
    page = clients("auditor@ezk.test").get(f"/geschiedenis/themes/{talent_theme}").get_data(as_text=True)
    assert f'<td class="num">{records[0]["id"]}</td>' in page
