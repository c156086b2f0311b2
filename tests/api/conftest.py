"""Helpers of the API's tests: a token for a demo account, and a client that sends it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import in_app, user

RIJK = "beleid@ezk.test"
REGIO = "economie@noord-brabant.test"
#: The kenmerk of the demo's Rijk-internal nota: no regio answer may hold it.
RIJK_ONLY = "27293059"


class Bearer:
    """Calls the API with one token (and no cookies: the test client keeps none for it)."""

    def __init__(self, app: Any, secret: str) -> None:
        self.client = app.test_client()
        self.secret = secret

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}", **(extra or {})}

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        response = self.client.post(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)
        # Werkzeug's test client spools a large body to a temporary file that nobody closes.
        body = response.request.environ.get("wsgi.input")
        if body is not None:
            body.close()
        return response


def make_token(app: Any, email: str, scope: str = "read", days: int = 30) -> str:
    from api.tokens import create_token

    with in_app(app):
        owner = user(email)
        return create_token(owner, owner=owner, name="test", scope=scope, days=days).secret


@pytest.fixture
def bearer(app: Any) -> Any:
    """``bearer("beleid@ezk.test", "write")``: an API client with a fresh token of that account."""
    return lambda email, scope="read": Bearer(app, make_token(app, email, scope))
