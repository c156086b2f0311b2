"""Single sign-on with OpenID Connect (issue 14): an organisation's people sign in at its own identity
provider, and Regiotafel opens a session for the account that the provider vouches for.

The authorization code flow with PKCE (S256), through Authlib: ``begin`` gives the address at the
provider and what the browser's signed session keeps until it comes back (state, nonce, the code
verifier); ``finish`` checks the state (once: it leaves the session with the first answer), trades the
code for tokens, and checks the ID token: signature against the provider's keys from its discovery
document, issuer, audience, expiry and nonce. ``match`` then decides who that is here: only an address
the provider says it verified, only in one of the organisation's domains, and a new account only where
the beheerder allows it for that organisation.

The provider's discovery document and keys are fetched at every sign-in: nothing is kept in a
worker's memory, and a provider that rotates its keys is followed at once.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlalchemy import select

from audit.events import NOBODY, record_event
from auth.models import IdentityProvider, Organisation, User
from auth.policy import Action, ensure
from core.acting import Actor, service
from core.errors import DomainError
from core.extensions import db

SCOPE = "openid email profile"
#: Seconds to wait for the provider; a sign-in that hangs longer is refused.
TIMEOUT = 10
#: Clock difference tolerated between Regiotafel and the provider, in seconds.
LEEWAY = 60
#: How long a sign-in may stay at the provider before its state here expires, in seconds.
PENDING_SECONDS = 10 * 60


class Refused(Exception):
    """A sign-in through a provider that ends here, with the reason for the person (Dutch or English)."""

    def __init__(self, message: str, why: str) -> None:
        super().__init__(message)
        self.message = message
        #: For the audit trail: what failed, in a word or two.
        self.why = why


# --- the client secret, sealed ---------------------------------------------------------------------


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"regiotafel sso client secret").derive(
        str(current_app.config["SECRET_KEY"]).encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    """The client secret as stored: encrypted with a key derived from SECRET_KEY."""
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        # SECRET_KEY changed since the beheerder saved it: the secret has to be typed again.
        raise Refused(
            _("Deze inlogmethode is niet goed ingesteld. Neem contact op met de beheerder."), "secret"
        ) from None


# --- the providers --------------------------------------------------------------------------------


def active_providers() -> list[IdentityProvider]:
    """The providers that the sign-in page offers, by organisation."""
    return list(
        db.session.scalars(
            select(IdentityProvider)
            .join(Organisation)
            .where(IdentityProvider.active.is_(True))
            .order_by(Organisation.name, IdentityProvider.id)
        )
    )


def list_providers() -> list[IdentityProvider]:
    return list(
        db.session.scalars(select(IdentityProvider).join(Organisation).order_by(Organisation.name, IdentityProvider.id))
    )


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _words(value: str | None) -> str:
    return " ".join((value or "").replace(",", " ").split())


def _check(issuer: str, email_domains: str, organisation_id: int) -> None:
    parts = urlsplit(issuer)
    local = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise DomainError(
            _("Een issuer is een https-adres, zoals https://login.microsoftonline.com/…/v2.0."), field="issuer"
        )
    if parts.query or parts.fragment:
        raise DomainError(_("Een issuer heeft geen ? of # in het adres."), field="issuer")
    for domain in _words(email_domains).split():
        if "@" in domain or "." not in domain:
            raise DomainError(_("Geef domeinen als ezk.nl of minezk.nl, zonder @."), field="email_domains")
    if db.session.get(Organisation, organisation_id) is None:
        raise DomainError(_("Kies een bestaande organisatie."), field="organisation_id")


@service
def save_provider(
    actor: User,
    provider: IdentityProvider | None,
    *,
    organisation_id: int,
    issuer: str,
    client_id: str,
    client_secret: str | None,
    email_claim: str,
    verified_claim: str,
    email_domains: str,
    create_users: bool,
    mfa_acr_values: str | None,
    mfa_amr_values: str | None,
    active: bool,
) -> IdentityProvider:
    """Add an organisation's identity provider, or change one; an empty secret keeps the stored one."""
    ensure(actor, Action.ADMINISTER)
    issuer = issuer.strip()
    _check(issuer, email_domains, organisation_id)
    if provider is None:
        if not client_secret:
            raise DomainError(_("Vul het clientgeheim in dat de provider gaf."), field="client_secret")
        provider = IdentityProvider(organisation_id=organisation_id, client_secret="")
        db.session.add(provider)
    provider.organisation_id = organisation_id
    provider.issuer = issuer
    provider.client_id = client_id.strip()
    if client_secret:
        provider.client_secret = seal(client_secret)
    provider.email_claim = email_claim.strip()
    provider.verified_claim = verified_claim.strip()
    provider.email_domains = _words(email_domains).lower()
    provider.create_users = create_users
    provider.mfa_acr_values = _words(mfa_acr_values)
    provider.mfa_amr_values = _words(mfa_amr_values)
    provider.active = active
    return provider


# --- the flow -------------------------------------------------------------------------------------


def _get(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError):
        raise Refused(
            _("De inlogdienst van uw organisatie is nu niet bereikbaar. Probeer het later opnieuw."), "unreachable"
        ) from None
    if not isinstance(data, dict):
        raise Refused(_("De inlogdienst van uw organisatie gaf een onbruikbaar antwoord."), "metadata")
    return data


def discover(provider: IdentityProvider) -> dict[str, Any]:
    """The provider's discovery document; it must name the very issuer configured (OpenID Discovery 4.3)."""
    metadata = _get(provider.issuer.rstrip("/") + "/.well-known/openid-configuration")
    if metadata.get("issuer") != provider.issuer:
        raise Refused(_("De inlogdienst van uw organisatie gaf een onbruikbaar antwoord."), "issuer")
    return metadata


def _client(provider: IdentityProvider, redirect_uri: str, **kwargs: Any) -> OAuth2Session:
    return OAuth2Session(
        provider.client_id,
        unseal(provider.client_secret),
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        **kwargs,
    )


def begin(provider: IdentityProvider, redirect_uri: str, *, moment: datetime) -> tuple[str, dict[str, Any]]:
    """The provider's address for this sign-in, and what the browser's session keeps meanwhile."""
    metadata = discover(provider)
    pending = {
        "provider": provider.id,
        "state": generate_token(32),
        "nonce": generate_token(32),
        "verifier": generate_token(64),
        "since": moment.timestamp(),
    }
    url, _state = _client(provider, redirect_uri).create_authorization_url(
        metadata["authorization_endpoint"],
        state=pending["state"],
        nonce=pending["nonce"],
        code_verifier=pending["verifier"],
    )
    return url, pending


@dataclass(frozen=True)
class Identity:
    """What a checked ID token says about the person."""

    claims: dict[str, Any]
    id_token: str
    #: The provider's address for signing out there too (RP-initiated logout), if it has one.
    end_session_endpoint: str | None


def finish(
    provider: IdentityProvider, pending: dict[str, Any], args: dict[str, str], redirect_uri: str, *, moment: datetime
) -> Identity:
    """The provider's answer checked: state, code for tokens (with the PKCE verifier), the ID token."""
    state = args.get("state") or ""
    if not hmac.compare_digest(state.encode(), str(pending.get("state", "")).encode()):
        raise Refused(_("Deze aanmelding is verlopen of al gebruikt. Begin opnieuw."), "state")
    if moment.timestamp() - float(pending.get("since", 0)) > PENDING_SECONDS:
        raise Refused(_("Deze aanmelding is verlopen of al gebruikt. Begin opnieuw."), "pending expired")
    if args.get("error"):
        raise Refused(
            _("De inlogdienst van uw organisatie heeft de aanmelding niet voltooid."), f"provider: {args['error']}"[:80]
        )
    metadata = discover(provider)
    # RFC 9207: a provider that names itself in the answer must be the one this sign-in went to.
    if "iss" in args and args["iss"] != provider.issuer:
        raise Refused(_("Het antwoord kwam van een andere inlogdienst dan gevraagd."), "iss parameter")
    if not args.get("code"):
        raise Refused(_("De inlogdienst van uw organisatie heeft de aanmelding niet voltooid."), "no code")
    try:
        token = _client(provider, redirect_uri, state=state).fetch_token(
            metadata["token_endpoint"],
            code=args["code"],
            code_verifier=pending["verifier"],
            grant_type="authorization_code",
            timeout=TIMEOUT,
        )
    except Exception:
        raise Refused(_("De inlogdienst van uw organisatie heeft de aanmelding niet voltooid."), "token") from None
    if "id_token" not in token:
        raise Refused(_("De inlogdienst van uw organisatie gaf geen identiteit mee."), "no id token")
    claims = _checked_id_token(provider, metadata, token, pending["nonce"], moment)
    return Identity(claims, token["id_token"], metadata.get("end_session_endpoint"))


def _checked_id_token(
    provider: IdentityProvider, metadata: dict[str, Any], token: dict[str, Any], nonce: str, moment: datetime
) -> dict[str, Any]:
    if "jwks_uri" not in metadata:
        raise Refused(_("De inlogdienst van uw organisatie gaf een onbruikbaar antwoord."), "no jwks_uri")
    # Asymmetric signatures only: "none" and HS256 (keyed with the client secret) prove nothing here.
    algorithms = [
        a
        for a in metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        if a[:2] in {"RS", "PS", "ES", "Ed"}
    ]
    try:
        keys = KeySet.import_key_set(_get(metadata["jwks_uri"]))  # type: ignore[arg-type]
        decoded = jwt.decode(
            token["id_token"], keys, algorithms=algorithms, registry=JWSRegistry(algorithms=algorithms)
        )
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": provider.issuer},
                "aud": {"essential": True, "value": provider.client_id},
            },
            {"nonce": nonce, "client_id": provider.client_id, "access_token": token.get("access_token")},
        )
        claims.validate(now=int(moment.timestamp()), leeway=LEEWAY)
    except Refused:
        raise
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise Refused(
            _(
                "De identiteit van de inlogdienst klopt niet (verlopen, niet voor Regiotafel of niet echt). "
                "Begin opnieuw."
            ),
            f"id token: {type(exc).__name__} {exc}"[:200],
        ) from None
    return dict(claims)


# --- who that is here -------------------------------------------------------------------------------


def second_factor_met(provider: IdentityProvider, claims: dict[str, Any]) -> bool:
    """Whether the provider says it asked for a second factor, in the terms the beheerder configured."""
    acr_values = set(provider.mfa_acr_values.split())
    amr_values = set(provider.mfa_amr_values.split())
    amr = claims.get("amr")
    amr_given = {str(a) for a in amr} if isinstance(amr, list) else set()
    return bool((acr_values and str(claims.get("acr", "")) in acr_values) or (amr_values & amr_given))


def _verified(value: Any) -> bool:
    # Some providers send the boolean as a string; nothing else counts as a yes.
    return value is True or (isinstance(value, str) and value.lower() == "true")


def match(provider: IdentityProvider, claims: dict[str, Any]) -> tuple[User | None, str]:
    """The account this person has here (None: none yet, and the provider may create one), and the address.

    Refused: no verified address, an address outside the organisation's domains, an account of
    another organisation, an account switched off, or no account where none may be created."""
    organisation = provider.organisation
    email = claims.get(provider.email_claim)
    if not isinstance(email, str) or "@" not in email:
        raise Refused(_("De inlogdienst gaf geen e-mailadres mee. Neem contact op met de beheerder."), "no email")
    email = email.strip().lower()
    if not _verified(claims.get(provider.verified_claim)):
        raise Refused(
            _(
                "Uw inlogdienst heeft het e-mailadres %(email)s niet bevestigd; zo kunt u hier niet inloggen.",
                email=email,
            ),
            "email not verified",
        )
    if email.rsplit("@", 1)[1] not in provider.domains:
        raise Refused(
            _(
                "Het e-mailadres %(email)s hoort niet bij %(organisation)s; zo kunt u hier niet inloggen.",
                email=email,
                organisation=organisation.name,
            ),
            "other domain",
        )
    user = db.session.scalars(select(User).where(User.email == email)).one_or_none()
    if user is not None and user.organisation_id != provider.organisation_id:
        raise Refused(
            _(
                "Uw account hoort bij een andere organisatie dan %(organisation)s. Neem contact op met de beheerder.",
                organisation=organisation.name,
            ),
            "other organisation",
        )
    if user is not None and not user.active:
        raise Refused(_("Uw account staat uit. Neem contact op met de beheerder."), "account off")
    if user is None and not provider.create_users:
        raise Refused(
            _(
                "Er is in Regiotafel nog geen account voor %(email)s. "
                "Vraag de beheerder of het secretariaat om een uitnodiging.",
                email=email,
            ),
            "no account",
        )
    return user, email


@service
def create_account(actor: Actor, provider: IdentityProvider, *, email: str, name: str) -> User:
    """A first sign-in where the organisation allows it: an account in that organisation (so on its side),
    without a password, without any role in a body and without the beheer right: it sees nothing until a
    secretariat or the beheerder gives it a role."""
    user = User(
        email=email, name=(name.strip() or email)[:200], organisation_id=provider.organisation_id, password_hash=None
    )
    db.session.add(user)
    db.session.flush()
    record_event(
        "sso_account_created",
        object_type="users",
        object_id=user.id,
        label=f"account aangemaakt bij eerste aanmelding via {provider.issuer}",
        details={"email": email, "issuer": provider.issuer},
        result=201,
    )
    return user


@service
def record_refusal(actor: Actor, provider: IdentityProvider | None, *, why: str, email: str | None = None) -> None:
    """A sign-in through a provider that was refused, in the trail (never the token or the secret)."""
    record_event(
        "login_failed",
        object_type="identity_providers",
        object_id=provider.id if provider else None,
        label=f"aanmelding via {provider.issuer if provider else 'onbekende provider'}",
        actor=NOBODY,
        details={"sso": True, "reden": why, **({"email": email} if email else {})},
        result=401,
    )
