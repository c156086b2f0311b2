"""The large data set (``flask demo --scale large``), made at a hundredth of its size: the same generator,
the same invariants as at full size."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from audit.chain import verify
from audit.models import AuditRecord
from audit.recorder import _plain
from auth.models import AudienceGrant, Membership, User
from cases.models import Case
from core import create_app
from core.access import policy
from core.db import Audience, AudienceMixin, ScaffoldingMixin
from core.extensions import db
from core.filetext import text_of
from core.refs import model_for_table
from demo import story
from demo.large import Scale
from demo.large_data import BODIES
from meetings.models import AgendaItem, Body, Decision, DecisionComment, Document, Meeting
from tests.conftest import DEMO_PASSWORD, Client

FACTOR = 0.01


def _app(tmp_path, name: str) -> Flask:
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / name}",
            "REGIOTAFEL_ENV": "test",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "UPLOAD_FOLDER": str(tmp_path / "documents"),
            "DEMO_PASSWORD": DEMO_PASSWORD,
        }
    )
    app.test_client_class = Client
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = _app(tmp_path_factory.mktemp("large"), "large.db")
    made = app.test_cli_runner().invoke(args=["demo", "--scale", "large", "--factor", str(FACTOR)])
    assert made.exit_code == 0, made.output
    assert "Grote demo geladen" in made.output
    yield app
    with app.app_context():
        db.engine.dispose()


def _signed_in(app: Flask, email: str) -> Client:
    client: Client = app.test_client()  # type: ignore[assignment]
    response = client.login(email)
    assert response.status_code == 302, f"sign-in failed for {email}"
    return client


def _generated(model: type, *where: object) -> int:
    slugs = [slug for _name, slug, *_rest in BODIES]
    return db.session.scalar(
        select(func.count(model.id)).join(Body, Body.id == model.body_id).where(Body.slug.in_(slugs), *where)
    )


@pytest.mark.own_database
def test_the_counts_match_the_scale_and_the_chain_verifies(large):
    scale = Scale.of(FACTOR)
    with large.app_context():
        assert _generated(Meeting) == scale.bodies * scale.years * 2
        assert _generated(AgendaItem) == scale.agenda_items
        assert _generated(Document) == scale.documents
        assert _generated(Decision) == scale.decisions
        assert _generated(DecisionComment) == scale.comments
        assert _generated(Case) == scale.cases
        demo_people = {email for _key, email, *_rest in story.USERS} | {story.BEHEER_EMAIL}
        accounts = db.session.scalar(select(func.count(User.id)).where(User.email.not_in(demo_people)))
        assert accounts == scale.users
        assert db.session.scalar(select(func.count(AudienceGrant.id))) > 0
        verdict = verify(db.session.connection())
        assert verdict.intact, verdict.summary()
        assert verdict.records == scale.audit_records
        db.session.remove()
    checked = large.test_cli_runner().invoke(args=["audit", "verify"])
    assert checked.exit_code == 0 and "intact" in checked.output


@pytest.mark.own_database
def test_the_generated_records_replay_to_the_rows_and_name_who_could_read_them(large):
    """Each object's records, applied in the chain's order, give the row as stored; each before-value is
    the value the previous record left; and the readers a record names are those the policy finds now
    (publication aside, which moves on after the record was made)."""
    with large.app_context():
        values: dict[tuple[str, int], dict[str, object]] = {}
        readers: dict[tuple[str, int], dict[str, object]] = {}
        for record in db.session.scalars(select(AuditRecord).order_by(AuditRecord.id)):
            if record.action not in ("create", "update") or record.object_id is None:
                continue
            key = (record.object_type, record.object_id)
            known = values.setdefault(key, {})
            for field, (before, after) in record.changes.items():
                if record.action == "update" and field in known:
                    assert known[field] == before, (key, field)
                known[field] = after
            if record.visibility and issubclass(model_for_table(record.object_type), AudienceMixin | ScaffoldingMixin):
                readers[key] = record.visibility["after"]
        for (table, ident), fields in values.items():
            model = model_for_table(table)
            row = db.session.get(model, ident)
            assert row is not None, (table, ident)
            for field, value in fields.items():
                if field not in model.__audit_secret__:
                    assert _plain(getattr(row, field)) == value, (table, ident, field)
        now_readers = policy().reading_states(db.session, set(readers))
        for key, kept in readers.items():
            unreleased = {k: v for k, v in kept.items() if k != "released"}
            assert {k: v for k, v in now_readers[key].items() if k != "released"} == unreleased, key
        db.session.remove()


@pytest.mark.own_database
def test_the_demo_accounts_still_sign_in_with_their_roles(large):
    for _key, email, *_rest in story.USERS:
        _signed_in(large, email)
    with large.app_context():
        bo = db.session.scalars(select(Body).where(Body.slug == "bo-brainport")).one()
        secretariat = db.session.scalars(select(User).where(User.email == "secretariaat@ezk.test")).one()
        assert secretariat.role_in(bo.id).value == "secretariaat"
        db.session.remove()


def _rijk_item_before(app: Flask, regio_email: str) -> tuple[int, str, str]:
    """A generated Rijk-internal agenda item, published, in a body the regio user is a member of: its id,
    title and the reference in its description."""
    with app.app_context():
        regio = db.session.scalars(select(User).where(User.email == regio_email)).one()
        bodies = select(Membership.body_id).where(Membership.user_id == regio.id)
        item = db.session.scalars(
            select(AgendaItem)
            .join(Meeting, AgendaItem.meeting_id == Meeting.id)
            .where(
                AgendaItem.audience == Audience.RIJK,
                AgendaItem.body_id.in_(bodies),
                Meeting.agenda_published_at.is_not(None),
                AgendaItem.description.contains("zaaknummer"),
            )
            .order_by(AgendaItem.id)
        ).first()
        assert item is not None, "the generator made no Rijk-internal item where the regio user sits"
        number = re.search(r"zaaknummer (\d+)", item.description)
        assert number is not None
        found = (item.id, item.title, number.group(1))
        db.session.remove()
        return found


@pytest.mark.own_database
def test_a_generated_rijk_item_is_found_by_the_rijk_and_hidden_from_the_regio(large):
    item_id, title, number = _rijk_item_before(large, "economie@noord-brabant.test")
    rijk = _signed_in(large, "beleid@ezk.test")
    assert rijk.get(f"/agendapunten/{item_id}").status_code == 200
    assert title in rijk.get(f"/zoeken?q={number}").get_data(as_text=True)
    regio = _signed_in(large, "economie@noord-brabant.test")
    assert regio.get(f"/agendapunten/{item_id}").status_code == 404
    page = regio.get(f"/zoeken?q={number}")
    assert page.status_code == 200 and title not in page.get_data(as_text=True)


@pytest.mark.own_database
def test_a_generated_document_holds_the_text_its_file_holds(large):
    with large.app_context():
        document = db.session.scalars(
            select(Document).where(Document.audience == Audience.OVERLEG).order_by(Document.id.desc())
        ).first()
        assert document is not None
        ident, stored = document.id, document.text_content
        db.session.remove()
    secretariat = _signed_in(large, "secretariaat@ezk.test")
    download = secretariat.get(f"/documenten/{ident}/download")
    content = download.get_data()
    download.close()
    assert text_of(content, "pdf", str(10**7)).decode() == stored
    number = re.search(r"Kenmerk (\d+)", stored or "")
    assert number is not None
    assert f"/documenten/{ident}/" in secretariat.get(f"/zoeken?q={number.group(1)}").get_data(as_text=True)


@pytest.mark.own_database
def test_the_large_data_set_refuses_a_database_with_data(tmp_path):
    app = _app(tmp_path, "own.db")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["create-beheerder", "--email", "admin@example.org"]).exit_code == 0
    refused = runner.invoke(args=["demo", "--scale", "large", "--factor", str(FACTOR)])
    assert refused.exit_code != 0 and "niet leeg" in refused.output
    with app.app_context():
        db.engine.dispose()
