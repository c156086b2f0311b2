"""The beheerder configures an organisation's identity provider: the client secret is kept sealed, never
shown back and never in the audit trail; bad input gets a Dutch message next to its field."""

from __future__ import annotations

import html
import json
import re

from sqlalchemy import select

from audit.models import AuditRecord
from auth.models import IdentityProvider
from core.extensions import db
from tests.conftest import in_app, user

SECRET = "zeer-geheim-clientgeheim-42"


def form(organisation_id: int, **details: str) -> dict[str, str]:
    return {
        "organisation_id": str(organisation_id),
        "issuer": "https://login.microsoftonline.com/ezk-tenant/v2.0",
        "client_id": "regiotafel-ezk",
        "client_secret": SECRET,
        "email_claim": "email",
        "verified_claim": "xms_edov",
        "email_domains": "minezk.nl, ezk.test",
        "mfa_amr_values": "mfa",
        "active": "y",
        **details,
    }


def test_the_beheerder_adds_a_provider_whose_secret_is_sealed_and_never_shown_or_recorded(app, clients):
    beheer = clients("beheer@regiotafel.test")
    with in_app(app):
        ezk = user("beleid@ezk.test").organisation_id
    page = beheer.get("/beheer/inlogdiensten/nieuw").get_data(as_text=True)
    assert "http://localhost/auth/sso/terug" in page  # the redirect address to register at the provider
    response = beheer.post_form("/beheer/inlogdiensten/nieuw", form(ezk))
    assert response.status_code == 302, response.get_data(as_text=True)
    with in_app(app):
        provider = db.session.scalars(
            select(IdentityProvider).where(IdentityProvider.client_id == "regiotafel-ezk")
        ).one()
        assert provider.email_domains == "minezk.nl ezk.test" and not provider.create_users
        assert SECRET not in provider.client_secret  # stored sealed
        trail = json.dumps(
            [
                r.changes
                for r in db.session.scalars(select(AuditRecord).where(AuditRecord.object_type == "identity_providers"))
            ]
        )
        assert "regiotafel-ezk" in trail and SECRET not in trail and provider.client_secret not in trail
        provider_id = provider.id

    edit = beheer.get(f"/beheer/inlogdiensten/{provider_id}").get_data(as_text=True)
    assert SECRET not in edit and "regiotafel-ezk" in edit
    # Saved again without a secret: the sealed one stays.
    with in_app(app):
        sealed = db.session.get(IdentityProvider, provider_id).client_secret
    response = beheer.post_form(
        f"/beheer/inlogdiensten/{provider_id}", form(ezk, client_secret="", client_id="nieuw-id")
    )
    assert response.status_code == 302
    with in_app(app):
        provider = db.session.get(IdentityProvider, provider_id)
        assert provider.client_id == "nieuw-id" and provider.client_secret == sealed
    assert "minezk.nl" in beheer.get("/beheer").get_data(as_text=True)
    # Its history is the beheerder's, with the secret masked; an auditor of the same side does not see it.
    history = beheer.get(f"/geschiedenis/identity_providers/{provider_id}")
    assert history.status_code == 200 and "nieuw-id" in history.get_data(as_text=True)
    assert SECRET not in history.get_data(as_text=True)
    auditor = clients("auditor@noord-brabant.test")
    assert auditor.get(f"/geschiedenis/identity_providers/{provider_id}").status_code == 404


def test_bad_input_gets_a_dutch_message_next_to_its_field_and_changes_nothing(app, clients):
    beheer = clients("beheer@regiotafel.test")
    with in_app(app):
        ezk = user("beleid@ezk.test").organisation_id
        before = db.session.query(IdentityProvider).count()
    cases = {
        "issuer": ("http://login.example.org", "Een issuer is een https-adres"),
        "email_domains": ("@ezk.nl", "Geef domeinen als ezk.nl"),
        "client_secret": ("", "Vul het clientgeheim in"),
        "email_claim": ("e mail", "Een claim is één woord"),
    }
    for field, (value, message) in cases.items():
        response = beheer.post_form("/beheer/inlogdiensten/nieuw", form(ezk, **{field: value}))
        assert response.status_code == 400, field
        page = html.unescape(response.get_data(as_text=True))
        # The message stands with its field: the error that the field's aria-describedby names.
        assert re.search(f'<p class="error" id="{field}-fout">[^<]*{re.escape(message)}', page), field
    with in_app(app):
        assert db.session.query(IdentityProvider).count() == before


def test_a_deelnemer_may_not_configure_providers(clients):
    assert clients("beleid@ezk.test").get("/beheer/inlogdiensten/nieuw").status_code == 403


def test_the_provider_form_explains_its_fields_and_the_redirect_address(clients):
    page = html.unescape(clients("beheer@regiotafel.test").get("/beheer/inlogdiensten/nieuw").get_data(as_text=True))
    assert "Registreer Regiotafel daar als vertrouwelijke client" in page
    assert "Laat leeg om het opgeslagen geheim te houden" in page
