"""The app factory, configuration, health check and the pages every user sees."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from core import PROJECT_ROOT, create_app
from tests.conftest import DEMO_PASSWORD

DEMO_ACCOUNTS = {
    "secretariaat@ezk.test": ["Mijlpalen van uw cycli", "Agendaverzoeken te behandelen"],
    "beleid@ezk.test": ["Komende vergaderingen", "Mijn acties"],
    "beleid@ocw.test": ["Komende vergaderingen", "Mijn acties", "Fasering van de talentaanpak"],
    "economie@noord-brabant.test": ["Komende vergaderingen", "Knelpunten netcapaciteit"],
    "economie@eindhoven.test": ["Komende vergaderingen", "Mijn acties"],
    "directie@brainportdevelopment.test": ["Gedragen aanpak talent uitwerken"],
    "auditor@ezk.test": ["Verantwoording"],
    "auditor@noord-brabant.test": ["Verantwoording"],
    "beheer@regiotafel.test": ["Beheer", "Organisaties"],
}


@pytest.mark.parametrize("email", sorted(DEMO_ACCOUNTS))
def test_each_demo_account_logs_in_and_sees_a_home_page_for_its_role(client, email):
    response = client.login(email, DEMO_PASSWORD)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    for expected in DEMO_ACCOUNTS[email]:
        assert expected in page, f"{email} misses {expected!r}"


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["schema"]


def test_production_without_secret_key_refuses_to_start(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"REGIOTAFEL_ENV": "production", "DATABASE_URL": "sqlite://"})


def test_without_regiotafel_env_it_runs_as_production(monkeypatch):
    """An install that forgets REGIOTAFEL_ENV gets the production rules, not the public development key."""
    from core.config import DEV_SECRET_KEY

    for name in ("REGIOTAFEL_ENV", "SECRET_KEY", "REGIOTAFEL_SECRET_KEY", "REQUIRE_MFA", "REGIOTAFEL_REQUIRE_MFA"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"DATABASE_URL": "sqlite://"})
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    app = create_app({"DATABASE_URL": "sqlite://"})
    assert app.config["REGIOTAFEL_ENV"] == "production" and app.config["REQUIRE_MFA"] is True
    assert app.config["SECRET_KEY"] == "k" * 64 != DEV_SECRET_KEY


def test_wsgi_under_gunicorn_refuses_to_start_without_a_secret_key(tmp_path):
    """What gunicorn loads (``wsgi:app``) stops with a message naming the variable, in a bare environment."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    started = subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert started.returncode != 0 and "SECRET_KEY is not set" in started.stderr
    local = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=PROJECT_ROOT,
        env={**env, "REGIOTAFEL_ENV": "development"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert local.returncode == 0, local.stderr


def test_production_with_a_mail_server_but_no_public_url_refuses_to_start(monkeypatch):
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    settings = {"REGIOTAFEL_ENV": "production", "DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 32}
    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        create_app({**settings, "MAIL_SERVER": "smtp.example.nl"})
    app = create_app({**settings, "MAIL_SERVER": "smtp.example.nl", "PUBLIC_URL": "https://regiotafel.example.nl"})
    with app.app_context():
        from core.web import absolute_url

        assert absolute_url("cases.case", case_id=7) == "https://regiotafel.example.nl/zaken/7"


def test_database_url_from_environment_and_postgres_scheme_normalised(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    app = create_app({"REGIOTAFEL_ENV": "test"})
    assert app.config["DATABASE_URL"] == "postgresql+psycopg://u@h/db"


def test_labels_of_enums_with_equal_values_stay_apart(app):
    from core.db import Audience, Side
    from core.labels import label

    with app.test_request_context():
        assert label(Side.RIJK) == "Rijk" and label(Audience.RIJK) == "Alleen Rijk"
        assert label(Side.REGIO) == "Regio" and label(Audience.REGIO) == "Alleen regio"
