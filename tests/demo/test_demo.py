"""The demo loads into an empty database, once, and tells the seeds' story."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from auth.models import User
from cases.models import Case
from core import create_app
from core.extensions import db
from meetings.models import Decision


def _counts(app) -> tuple[int, ...]:
    with app.app_context():
        try:
            return tuple(db.session.scalar(select(func.count(model.id))) for model in (User, Decision, Case))
        finally:
            db.session.remove()


@pytest.mark.own_database
def test_the_demo_command_loads_once_and_then_leaves_the_database_alone(tmp_path):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
            "REGIOTAFEL_ENV": "test",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "BUNDLE_CACHE_FOLDER": str(tmp_path / "bundels"),
        }
    )
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and "Demo geladen" in first.output
    counts = _counts(app)
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "al geladen" in second.output
    again = _counts(app)
    with app.app_context():
        db.engine.dispose()
    assert counts == again and counts[0] == 14  # the beheerder and the 13 people of the story


@pytest.mark.own_database
def test_the_demo_refuses_a_database_with_other_data(tmp_path):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'own.db'}",
            "REGIOTAFEL_ENV": "test",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    made = runner.invoke(args=["create-beheerder", "--email", "admin@example.org"])
    assert made.exit_code == 0, made.output
    assert "/auth/uitnodiging/" in made.output  # a one-time link to choose the password, no password typed
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code != 0 and "niet van de demo" in refused.output
    with app.app_context():
        db.engine.dispose()


@pytest.mark.own_database
def test_the_demo_is_refused_in_production_where_its_published_password_would_open_the_door(tmp_path):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
            "REGIOTAFEL_ENV": "production",
            "SECRET_KEY": "a production secret of sufficient length for the test",
            "PUBLIC_URL": "https://regiotafel.example.org",
        }
    )
    with app.app_context():
        upgrade()
    refused = app.test_cli_runner().invoke(args=["demo"])
    assert refused.exit_code != 0 and "hoort niet in productie" in refused.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0
        db.engine.dispose()


def test_the_demo_tells_the_story_of_the_seeds(clients):
    secretariat = clients("secretariaat@ezk.test")
    bo = secretariat.get("/overleggen/bo-brainport").get_data(as_text=True)
    assert "ingesteld in juni 2022" in bo
    decisions = clients("beleid@ezk.test").get("/besluiten").get_data(as_text=True)
    for phrase in (
        "bijna € 1,6 miljard",
        "strategische agenda van de Brainportregio",
        "elektriciteitsnet",
        "MIT-regeling",
    ):
        assert phrase in decisions, phrase
    actions = clients("economie@noord-brabant.test").get("/acties").get_data(as_text=True)
    assert "te laat" in actions  # overdue work relative to the day the demo was loaded
    requests = secretariat.get("/acties").get_data(as_text=True)
    assert "Internationale kenniswerkers" in requests
