"""The follow-up pages load what they show in a fixed number of queries, however much work there is."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cases.models import CaseType
from cases.services.cases import create_follow_up
from core.dates import today
from tests.conftest import find_body, in_app, user

PAGES = ["/acties", "/overleggen/bo-brainport/acties", "/overleggen/bo-brainport"]


def _more_actions(app, count: int) -> None:
    with in_app(app):
        sec = user("secretariaat@ezk.test")
        bo = find_body()
        owners = [user(e) for e in ("economie@noord-brabant.test", "beleid@ocw.test", "secretariaat@ezk.test")]
        for n in range(count):
            owner = owners[n % len(owners)]
            create_follow_up(
                sec,
                bo,
                case_type=CaseType.TOEZEGGING if n % 2 else CaseType.ACTIEPUNT,
                title=f"Extra actie {n}",
                owner_organisation_id=owner.organisation_id,
                assignee_id=owner.id,
                due_date=today() + timedelta(days=n - count // 2),
            )


@pytest.mark.parametrize("path", PAGES)
def test_follow_up_pages_take_as_many_queries_for_60_more_actions(app, clients, count_queries, path):
    web = clients("secretariaat@ezk.test")
    web.get(path)  # warm: the session, the user
    with count_queries() as before:
        assert web.get(path).status_code == 200
    _more_actions(app, 60)
    with count_queries() as after:
        page = web.get(path)
    assert page.status_code == 200
    if path != "/overleggen/bo-brainport":
        assert "Extra actie 59" in page.get_data(as_text=True)
    assert after.count == before.count, after.statements[before.count :]


def test_my_actions_lists_the_soonest_and_says_where_the_rest_are(app, clients, monkeypatch):
    """An organisation's open actions pile up over the years: the page shows what comes next."""
    from cases.views import cases as views

    monkeypatch.setattr(views, "MY_ACTIONS_SHOWN", 5)
    _more_actions(app, 30)
    page = clients("secretariaat@ezk.test").get("/acties").get_data(as_text=True)
    assert "Dit zijn de eerstvolgende" in page
    assert "Extra actie 0<" in page or "Extra actie 0 " in page or "Extra actie 0\n" in page
    assert "Extra actie 29" not in page  # due last of all
