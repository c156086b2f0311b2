"""Actions are owned by an organisation at the body's table (a seat, or people with a role in it), in
every form and in the Excel import: anyone else's people could not even open the action."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from auth.models import Organisation, Role
from cases.models import Case, CaseType
from cases.services import excel
from cases.services.cases import create_follow_up
from core.dates import today
from core.db import Audience
from core.errors import DomainError
from core.extensions import db
from meetings.services.bodies import organisations_of, set_member_role
from tests.cases.test_excel import HEADER, upload
from tests.conftest import find_body, in_app, user, workbook

SEC = "secretariaat@ezk.test"
REGIO = "economie@noord-brabant.test"
GELDERLAND = "Provincie Gelderland"  # at the ROM overleg's table, not at BO-Brainport's
NEW = "/overleggen/bo-brainport/toezeggingen/nieuw"


def organisation(name: str) -> int:
    return db.session.scalars(select(Organisation.id).where(Organisation.name == name)).one()


def options(page: str, select_id: str) -> list[str]:
    body_ = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert body_, f"no select {select_id}"
    return [html.unescape(label) for label in re.findall(r"<option[^>]*>([^<]*)</option>", body_.group(1))]


def cases_count(app) -> int:
    with in_app(app):
        return db.session.scalar(select(func.count(Case.id))) or 0


def test_the_body_organisations_are_its_seats_and_its_members(app):
    with in_app(app):
        bo = [o.name for o in organisations_of(find_body("bo-brainport").id)]
        rom = [o.name for o in organisations_of(find_body("rom-overleg").id)]
    assert "Gemeente Eindhoven" in bo and "Brainport Development" in bo and GELDERLAND not in bo
    assert GELDERLAND in rom and "Provincie Overijssel" in rom  # Overijssel: a seat, no accounts
    assert "Gemeente Eindhoven" not in rom and "Regiotafel functioneel beheer" not in bo + rom
    assert bo == sorted(bo)


def test_the_follow_up_form_offers_only_the_organisations_at_the_table(app, clients):
    page = clients(SEC).get(NEW).get_data(as_text=True)
    owners = options(page, "owner_organisation_id")
    assert "Gemeente Eindhoven" in owners and "Ministerie van Economische Zaken en Klimaat" in owners
    assert GELDERLAND not in owners and "Provincie Overijssel" not in owners
    assert not any("Gelderland" in person for person in options(page, "assignee_id"))


def test_an_owner_without_a_seat_is_refused_next_to_the_field_and_nothing_is_stored(app, clients):
    with in_app(app):
        gelderland = organisation(GELDERLAND)
    before = cases_count(app)
    response = clients(SEC).post_form(
        NEW,
        {
            "case_type": "toezegging",
            "title": "Gelderland informeren over de Brainportaanpak",
            "owner_organisation_id": gelderland,
            "due_date": (today() + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="owner_organisation_id-fout">\s*Kies een van de mogelijkheden', page)
    assert cases_count(app) == before


def test_the_service_refuses_an_owner_without_a_seat_with_a_message_that_says_why(app):
    with in_app(app), pytest.raises(DomainError) as refused:
        create_follow_up(
            user(SEC),
            find_body("bo-brainport"),
            case_type=CaseType.ACTIEPUNT,
            title="Provinciale inbreng",
            owner_organisation_id=organisation(GELDERLAND),
            due_date=today() + timedelta(days=10),
        )
    assert refused.value.field == "owner_organisation_id"
    assert refused.value.message.startswith("Provincie Gelderland zit niet aan tafel bij BO-Brainport.")


def test_an_organisation_with_people_in_the_body_may_own_an_action_without_a_seat(app):
    with in_app(app):
        bo = find_body("bo-brainport")
        set_member_role(
            user("beheer@regiotafel.test"), bo, user_id=user("economie@gelderland.test").id, role=Role.WAARNEMER
        )
        case = create_follow_up(
            user(SEC),
            bo,
            case_type=CaseType.ACTIEPUNT,
            title="Gelderse ervaringen delen",
            owner_organisation_id=organisation(GELDERLAND),
            due_date=today() + timedelta(days=10),
        )
        assert case.owner_organisation_id == organisation(GELDERLAND)


def test_a_regio_member_may_not_record_a_follow_up(app, clients):
    assert clients(REGIO).get(NEW).status_code == 403


def test_the_excel_import_refuses_a_row_whose_owner_has_no_seat_by_row_number(app, clients):
    due = (today() + timedelta(days=20)).strftime("%d-%m-%Y")
    content = workbook(
        [
            HEADER,
            ["actiepunt", "Netcapaciteit in kaart", "Gemeente Eindhoven", "", due, "", ""],
            ["actiepunt", "Inbreng uit Gelderland", GELDERLAND, "", due, "", ""],
        ]
    )
    before = cases_count(app)
    page = upload(clients(SEC), content).get_data(as_text=True)
    assert "Provincie Gelderland zit niet aan tafel bij dit overleg" in html.unescape(page)
    with in_app(app):
        sheet = excel.read_sheet("actielijst.xlsx", content)
        preview = excel.preview_import(user(SEC), find_body("bo-brainport"), sheet, audience=Audience.OVERLEG)
        assert [row.ok for row in preview.rows] == [True, False]
        assert preview.rows[1].owner is None
    assert cases_count(app) == before
