"""A real OpenID Connect provider on loopback for the tests: oidc-provider-mock (Authlib's
server components in a Flask app) on a free 127.0.0.1 port, in a thread. It publishes its
discovery document and keys, signs its ID tokens (RS256), requires a nonce, and here PKCE
too (S256; the mock alone ignores it). Its users are what the test puts: `Provider.set_user`.

The provider's sign-in page is a form where one types the subject (`sub`) to sign in as;
`Provider.authorize` submits it the way a person does and returns where the provider sends the
browser back (Garantie's callback, with the code and the state).

Options a test may change while it runs: `userinfo_extra` (claims the user information
endpoint adds to the person's), `userinfo_as_jwt` (answer it as a signed JWT, as ProConnect
does) and `userinfo_forged` (sign that JWT with a key the provider never published).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import flask
import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidRequestError
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import RSAKey
from oidc_provider_mock import _app as mock_app

CLIENT_ID = "garantie-tests"
CLIENT_SECRET = "a client secret for the tests"

# The authorization codes' PKCE challenges: code -> (challenge, method). Codes are random.
_CHALLENGES: dict[str, tuple[str, str]] = {}


class _PkceCodeGrant(mock_app.AuthorizationCodeGrant):  # type: ignore[misc]
    """The mock's authorization code grant, refusing a request without a PKCE challenge and a
    token request whose verifier does not match it (RFC 7636, S256 only)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register_hook("after_validate_authorization_request_payload", _require_challenge)
        self.register_hook("after_validate_token_request", _check_verifier)

    def save_authorization_code(self, code: str, request: Any) -> None:
        super().save_authorization_code(code, request)
        data = request.payload.data
        _CHALLENGES[code] = (data["code_challenge"], data["code_challenge_method"])


class _OpenIDCode(mock_app.OpenIDCode):  # type: ignore[misc]
    """The mock's ID token extension through Authlib's current interface (the mock's
    `get_jwt_config` is deprecated: each call would warn, and warnings fail the tests)."""

    def resolve_client_private_key(self, client: Any) -> Any:
        return mock_app.storage.jwk.as_dict(is_private=True)

    def get_client_algorithm(self, client: Any) -> str:
        return "RS256"

    def get_encode_header(self, client: Any) -> dict[str, str]:
        return {"alg": "RS256"}

    def get_client_claims(self, client: Any) -> dict[str, Any]:
        lifetime = int(self._token_max_mage.total_seconds())
        return {"iss": flask.request.host_url.rstrip("/"), "exp": int(time.time()) + lifetime}


def _require_challenge(grant: Any, _redirect_uri: str) -> None:
    data = grant.request.payload.data
    if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
        raise InvalidRequestError("PKCE (S256) is required")


def _check_verifier(grant: Any, _result: Any) -> None:
    request = grant.request
    challenge, _method = _CHALLENGES.pop(request.authorization_code.code, ("", ""))
    verifier = request.form.get("code_verifier") or ""
    if not verifier or create_s256_code_challenge(verifier) != challenge:
        raise InvalidGrantError("code verifier does not match the challenge")


@dataclass
class Provider:
    """A provider running on loopback, and what a test may change of it."""

    issuer: str
    userinfo_extra: dict[str, Any] = field(default_factory=dict)
    userinfo_as_jwt: bool = False
    userinfo_forged: bool = False

    def set_user(self, sub: str, claims: dict[str, Any]) -> None:
        """Create or replace the person `sub` (their claims in the ID token and userinfo)."""
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5)
        assert response.status_code == 204, response.text

    def authorize(self, authorization_url: str, sub: str) -> str:
        """Sign in at the provider as `sub` (its form, as a person submits it); the address
        the provider sends the browser back to."""
        assert authorization_url.startswith(self.issuer + "/"), authorization_url
        page = requests.get(authorization_url, timeout=5)
        assert page.status_code == 200, page.text
        answer = requests.post(
            authorization_url, data={"sub": sub}, allow_redirects=False, timeout=5
        )
        assert answer.status_code == 302, answer.text
        return str(answer.headers["Location"])


def _sign_userinfo(provider: Provider) -> Any:
    """An after-request hook answering the user information endpoint as the test asks."""

    def hook(response: flask.Response) -> flask.Response:
        if flask.request.path != "/userinfo" or response.status_code != 200:
            return response
        claims = {**(response.get_json() or {}), **provider.userinfo_extra}
        if not provider.userinfo_as_jwt:
            return flask.jsonify(claims)
        published = flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True)
        key = RSAKey.import_key(published)
        if provider.userinfo_forged:
            key = RSAKey.generate_key(2048)
        header = {"alg": "RS256", **({"kid": published["kid"]} if "kid" in published else {})}
        claims.update(iss=provider.issuer, aud=CLIENT_ID)
        signed = jwt.encode(header, claims, key)
        return flask.Response(signed, 200, {"Content-Type": "application/jwt"})

    return hook


@contextmanager
def serve_provider(*, token_max_age: timedelta = timedelta(hours=1)) -> Iterator[Provider]:
    """Run a provider on a free loopback port for the duration of the block. A negative
    `token_max_age` makes it issue ID tokens already expired."""
    with (
        mock.patch.object(mock_app, "AuthorizationCodeGrant", _PkceCodeGrant),
        mock.patch.object(mock_app, "OpenIDCode", _OpenIDCode),
    ):
        app = oidc_provider_mock.app(require_nonce=True, access_token_max_age=token_max_age)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    provider = Provider(issuer=f"http://127.0.0.1:{server.server_port}")
    app.after_request(_sign_userinfo(provider))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture
def oidc_provider() -> Iterator[Provider]:
    """A provider on loopback that issues valid tokens."""
    with serve_provider() as provider:
        yield provider


def callback_path(url: str) -> str:
    """The path and query of the address the provider sends the browser back to."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
