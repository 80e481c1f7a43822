"""Sign-in through an OpenID Connect provider (ProConnect, Keycloak, Entra ID...).

The authorization code flow with PKCE (S256), a state and a nonce, through Authlib's Flask
client: the provider is discovered at `<issuer>/.well-known/openid-configuration` on the first
sign-in (never at start-up: Garantie starts even when the provider is down), the ID token's
signature is checked against the provider's published keys, with its issuer, audience, expiry
and nonce. The user information endpoint completes the claims; ProConnect answers it with a
signed JWT (`application/jwt`), checked against the same keys.

Whatever goes wrong on the provider's side is a `ProviderFailure` with a reason key (the login
page words it, the audit trail keeps it); who the person is and which role they get is
`identity_from_claims`, a pure function of the configuration and the claims.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, cast

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from authlib.integrations.flask_client.apps import FlaskOAuth2App
from flask import Flask, current_app
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from werkzeug.wrappers import Response

from sla.auth import service
from sla.auth.external import ExternalIdentity
from sla.web.roles import Role

log = logging.getLogger("sla.auth.oidc")

CLIENT_NAME = "oidc"
STATE_LENGTH = 43  # characters of the state and the nonce (ProConnect: 32 at least)
DISCOVERY_PATH = "/.well-known/openid-configuration"

# Why a sign-in through the provider failed before Garantie could decide on the person.
FAILURES = (
    "bad_state",  # the answer matches no sign-in started in this browser (or it expired)
    "bad_nonce",  # the ID token was not issued for this sign-in (a replay)
    "expired_token",  # the ID token is past its expiry
    "invalid_token",  # bad signature, issuer, audience, or no ID token at all
    "provider_error",  # the provider answered with an error (refusal, cancel, bad request)
    "provider_unreachable",  # the provider does not answer (network, timeout)
    "unusable_email",  # no email address a Garantie account can be named after
)
# The roles, highest first: the highest one a person qualifies for wins.
ROLES_HIGHEST_FIRST = (Role.admin, Role.agent, Role.viewer)


class ProviderFailure(Exception):
    """A sign-in through the provider failed: `reason` is a key of `FAILURES`; `detail` is the
    provider's own error code when it gave one."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def init_app(app: Flask) -> None:
    """Register the provider's client when [oidc] enabled. Nothing is fetched here: discovery
    happens at the first sign-in."""
    section = app.config["SLA_SETTINGS"]["oidc"]
    if not section["enabled"]:
        return
    oauth = OAuth(app)
    oauth.register(
        CLIENT_NAME,
        client_id=section["client_id"],
        client_secret=section["client_secret"] or None,
        server_metadata_url=discovery_url(section["issuer"]),
        client_kwargs={
            "scope": " ".join(section["scopes"]),
            "default_timeout": section["timeout_seconds"],
        }
        # PKCE (S256), unless the provider refuses its parameters.
        | ({"code_challenge_method": "S256"} if section["pkce"] else {}),
    )


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + DISCOVERY_PATH


def client() -> FlaskOAuth2App | None:
    """The provider's client of this application, None when [oidc] is off."""
    oauth = current_app.extensions.get("authlib.integrations.flask_client")
    if oauth is None:
        return None
    return cast(FlaskOAuth2App | None, oauth.create_client(CLIENT_NAME))


def redirect_to_provider(
    oidc: FlaskOAuth2App, section: Mapping[str, Any], redirect_uri: str
) -> Response:
    """The redirect that sends the browser to the provider's sign-in, with a fresh state, nonce
    and PKCE verifier kept in the session; raises ProviderFailure."""
    # ProConnect asks for a state and a nonce of 32 characters at least (Authlib's are shorter).
    extra = {"state": generate_token(STATE_LENGTH), "nonce": generate_token(STATE_LENGTH)}
    if section["acr_values"]:
        extra["acr_values"] = section["acr_values"]
    try:
        _checked_metadata(oidc, section)
        return cast(Response, oidc.authorize_redirect(redirect_uri, **extra))
    except Exception as error:
        raise _failure_of(error) from error


def claims_of_callback(oidc: FlaskOAuth2App, section: Mapping[str, Any]) -> dict[str, Any]:
    """The claims of the person the provider sent back to the callback: the ID token's, checked
    (state, signature, issuer, audience, expiry, nonce), completed by the user information
    endpoint's (plain JSON or a signed JWT); with [oidc] acr_values, the ID token's `acr` must
    be one of them. Raises ProviderFailure."""
    try:
        metadata = _checked_metadata(oidc, section)
        options: dict[str, Any] = {"iss": {"essential": True, "value": metadata["issuer"]}}
        if section["acr_values"]:  # the level asked for (ProConnect: eidas1) must be the one given
            options["acr"] = {"essential": True, "values": section["acr_values"].split()}
        token = oidc.authorize_access_token(claims_options=options)
        id_claims = token.get("userinfo")
        if not id_claims:  # no ID token (or no nonce to check it against): nobody is vouched for
            raise ProviderFailure("invalid_token", "no_id_token")
        claims = dict(id_claims)
        if metadata.get("userinfo_endpoint"):
            more = _userinfo(oidc, metadata, token)
            if more.get("sub") != claims.get("sub"):
                raise ProviderFailure("invalid_token", "userinfo_sub")
            claims.update(more)
        return claims
    except ProviderFailure:
        raise
    except Exception as error:
        raise _failure_of(error) from error


def _checked_metadata(oidc: FlaskOAuth2App, section: Mapping[str, Any]) -> dict[str, Any]:
    """The provider's discovery document (fetched once), which must name the configured issuer
    (OpenID Connect Discovery 1.0, section 4.3)."""
    metadata = cast(dict[str, Any], oidc.load_server_metadata())
    if str(metadata.get("issuer", "")).rstrip("/") != section["issuer"].rstrip("/"):
        raise ProviderFailure("provider_error", "issuer_mismatch")
    return metadata


def _userinfo(
    oidc: FlaskOAuth2App, metadata: Mapping[str, Any], token: Mapping[str, Any]
) -> dict[str, Any]:
    response = oidc.get(metadata["userinfo_endpoint"], token=dict(token))
    response.raise_for_status()
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if kind != "application/jwt":
        return cast(dict[str, Any], response.json())
    # ProConnect: the claims as a JWT signed with the provider's keys (not encrypted).
    algorithms = metadata.get("userinfo_signing_alg_values_supported") or metadata.get(
        "id_token_signing_alg_values_supported"
    )
    text = response.text.strip()
    try:
        decoded = jwt.decode(text, KeySet.import_key_set(oidc.fetch_jwk_set()), algorithms)
    except InvalidKeyIdError:  # the provider rotated its keys since we fetched them
        decoded = jwt.decode(
            text, KeySet.import_key_set(oidc.fetch_jwk_set(force=True)), algorithms
        )
    claims = dict(decoded.claims)
    if "iss" in claims and claims["iss"] != metadata["issuer"]:
        raise ProviderFailure("invalid_token", "userinfo_iss")
    audience = claims.get("aud")
    if audience is not None and oidc.client_id not in (
        [audience] if isinstance(audience, str) else audience
    ):
        raise ProviderFailure("invalid_token", "userinfo_aud")
    return claims


def _failure_of(error: Exception) -> ProviderFailure:
    """The reason a provider-side error stands for; a programming error is re-raised."""
    if isinstance(error, ProviderFailure):
        return error
    if isinstance(error, MismatchingStateError):
        return ProviderFailure("bad_state")
    if isinstance(error, OAuthError):  # `error=` on the callback, or the token endpoint's
        return ProviderFailure("provider_error", str(error.error or "")[:64])
    if isinstance(error, ExpiredTokenError):
        return ProviderFailure("expired_token")
    if isinstance(error, ClaimError) and error.claim == "nonce":
        return ProviderFailure("bad_nonce")
    if isinstance(error, JoseError):
        return ProviderFailure("invalid_token", str(error.error)[:64])
    if isinstance(error, requests.HTTPError | requests.exceptions.InvalidJSONError):
        return ProviderFailure("provider_error", type(error).__name__)
    if isinstance(error, requests.RequestException):
        return ProviderFailure("provider_unreachable", type(error).__name__)
    if isinstance(error, AuthlibBaseError | KeyError | ValueError | RuntimeError):
        # A discovery document without an endpoint, an insecure address, a malformed answer.
        log.warning("unusable answer from the OpenID Connect provider", exc_info=error)
        return ProviderFailure("provider_error", type(error).__name__)
    raise error


def identity_from_claims(
    section: Mapping[str, Any], claims: Mapping[str, Any], issuer: str
) -> ExternalIdentity:
    """The person the provider vouches for, as Garantie names them: the account is named after
    the email address (lower-case); the role is the highest the role claim or the email
    allow-lists give, None when neither does (the sign-in is then refused). An address the
    provider says is unverified (`email_verified` false) counts for no allow-list. Raises
    ProviderFailure("unusable_email") when no account can be named after the address."""
    email = claims.get("email")
    email = email.strip() if isinstance(email, str) else ""
    username = email.lower()
    if not email or not service.USERNAME_RE.fullmatch(username):
        raise ProviderFailure("unusable_email")
    # A provider that says nothing of the address's verification (ProConnect: its identity
    # providers check the addresses) is trusted with it only when configured so.
    stated = claims.get("email_verified")
    verified = stated in (True, "true") or (
        stated is None and not section["require_email_verified"]
    )
    candidates = [_role_by_claim(section, claims), _role_by_email(section, username, verified)]
    roles = [role for role in candidates if role is not None]
    given = _text(claims.get("given_name"))
    family = _text(claims.get("usual_name")) or _text(claims.get("family_name"))
    display_name = " ".join(part for part in (given, family) if part) or _text(claims.get("name"))
    return ExternalIdentity(
        source="oidc",
        external_id=f"{issuer.rstrip('/')} {claims['sub']}",
        username=username,
        display_name=display_name,
        email=email,
        role=max(roles, key=lambda role: role.rank) if roles else None,
    )


def _role_by_claim(section: Mapping[str, Any], claims: Mapping[str, Any]) -> Role | None:
    name = section["role_claim"]
    if not name:
        return None
    value = claims.get(name)
    values = {value} if isinstance(value, str) else set()
    if isinstance(value, list):
        values = {item for item in value if isinstance(item, str)}
    for role in ROLES_HIGHEST_FIRST:
        if values & set(section[f"{role.value}_values"]):
            return role
    return None


def _role_by_email(section: Mapping[str, Any], email: str, verified: bool) -> Role | None:
    if not verified:
        return None
    domain = "@" + email.rpartition("@")[2]
    for role in ROLES_HIGHEST_FIRST:
        allowed = {entry.strip().lower() for entry in section[f"{role.value}_emails"]}
        if email in allowed or domain in allowed:
            return role
    return None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
