"""A provider of the test's own making, for the ID tokens a certified provider never sends: expired, for
another client, signed with a key that is not the provider's. It serves discovery, its keys and a token
endpoint that answers any code with the ID token the test sets (signed with Authlib's joserfc)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey


class FakeProvider:
    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.key = RSAKey.generate_key(2048, parameters={"kid": "echt", "use": "sig"})
        #: Set by the test before the callback: the claims of the next ID token, and its key.
        self.claims: dict[str, Any] = {}
        self.signing_key: RSAKey = self.key

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def id_token_claims(self, **overrides: Any) -> dict[str, Any]:
        moment = int(time.time())
        return {
            "iss": self.issuer,
            "sub": "persoon-1",
            "aud": "regiotafel",
            "iat": moment,
            "exp": moment + 300,
            **overrides,
        }

    def token(self) -> dict[str, Any]:
        kid = self.signing_key.kid
        id_token = jwt.encode({"alg": "RS256", "kid": kid}, self.claims, self.signing_key)
        return {"access_token": "toegang", "token_type": "Bearer", "expires_in": 300, "id_token": id_token}


def _handler(fake: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _json(self, data: dict[str, Any]) -> None:
            body = json.dumps(data).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/.well-known/openid-configuration":
                self._json(fake.metadata())
            elif self.path == "/jwks":
                self._json({"keys": [fake.key.as_dict(private=False)]})
            else:
                self.send_error(404)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/token":
                self._json(fake.token())
            else:
                self.send_error(404)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def fake_provider() -> Iterator[FakeProvider]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(FakeProvider("")))
    fake = FakeProvider(f"http://127.0.0.1:{server.server_port}")
    server.RequestHandlerClass = _handler(fake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
