"""Signing in through an OpenID Connect provider: a real provider on loopback (discovery,
RS256-signed ID tokens, nonce and PKCE required), the Flask test client as the browser. The
first sign-in creates the account, the next ones refresh it; a person off every list is
refused (and their account withdrawn); a forged state, a replayed nonce, an expired or
badly signed token, a PKCE verifier that does not match, a provider that does not answer are
refused with no session, each in the audit trail with its reason."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sla.app import create_app
from sla.audit.models import AuditEvent
from sla.auth import oidc
from sla.auth.models import User
from sla.config import defaults
from sla.db import session_scope
from sla.web.roles import Role
from tests.conftest import app_config, empty_tables
from tests.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    Provider,
    callback_path,
    oidc_provider,  # noqa: F401 (a fixture)
    serve_provider,
)

MARIE = {
    "email": "Marie.Curie@ville.example",
    "email_verified": True,
    "given_name": "Marie",
    "usual_name": "Curie",
    "family_name": "Skłodowska",
    "groups": ["garantie-agents", "autre-groupe"],
}


def oidc_settings(issuer: str) -> dict[str, Any]:
    return {
        "enabled": True,
        "name": "ProConnect",
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        # The mock gives given_name and family_name under "profile" (ProConnect: their own).
        "scopes": ["openid", "email", "profile", "given_name", "usual_name"],
        "role_claim": "groups",
        "admin_values": ["garantie-admins"],
        "agent_values": ["garantie-agents"],
        "viewer_emails": ["@ville.example"],
    }


def make_app(database_url: str, folder: Path, issuer: str, **changes: Any) -> Flask:
    config = app_config(database_url, folder / "instance", oidc=oidc_settings(issuer) | changes)
    application = create_app(config, environ={})
    application.config["TESTING"] = True
    empty_tables(application.extensions["sla.engine"])
    return application


@pytest.fixture
def oidc_app(database_url: str, tmp_path: Path, oidc_provider: Provider) -> Iterator[Flask]:  # noqa: F811
    application = make_app(database_url, tmp_path, oidc_provider.issuer)
    yield application
    application.extensions["sla.engine"].dispose()


def start(client: FlaskClient, next_page: str = "/incidents/") -> str:
    """Press the button: the provider's sign-in address Garantie sends the browser to."""
    response = client.get("/login/oidc", query_string={"next": next_page})
    assert response.status_code == 302, response.get_data(as_text=True)
    return str(response.headers["Location"])


def sign_in(
    client: FlaskClient,
    provider: Provider,
    sub: str,
    *,
    meddle: Callable[[dict[str, Any]], None] | None = None,
) -> Any:
    """A whole sign-in; `meddle` changes the sign-in's data kept in the session (state,
    nonce, PKCE verifier) before the provider sends the browser back."""
    back = provider.authorize(start(client), sub)
    if meddle is not None:
        with client.session_transaction() as session:
            key = next(k for k in session if k.startswith("_state_oidc_"))
            meddle(session[key]["data"])
            session[key] = session[key]  # marks the session modified
    return client.get(callback_path(back))


def user_named(engine: Engine, username: str) -> User | None:
    with session_scope(engine) as session:
        return session.exec(select(User).where(User.username == username)).first()


def audit(engine: Engine, action: str) -> list[AuditEvent]:
    with session_scope(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def assert_signed_out(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def refused_with(client: FlaskClient, response: Any, engine: Engine, reason: str) -> None:
    """The callback sent the browser to the login page, nobody is signed in, and the audit
    trail holds the failure with this reason."""
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert_signed_out(client)
    failures = audit(engine, "signin.failure")
    assert [(e.channel, e.detail.get("reason")) for e in failures] == [("oidc", reason)]
    assert audit(engine, "signin.success") == []


def test_first_sign_in_creates_the_account_with_name_email_and_role(
    oidc_app: Flask,
    oidc_provider: Provider,  # noqa: F811
) -> None:
    oidc_provider.set_user("marie-sub", MARIE)
    client = oidc_app.test_client()
    response = sign_in(client, oidc_provider, "marie-sub")
    assert response.status_code == 302
    assert response.headers["Location"] == "/incidents/"  # the page asked for
    assert client.get("/incidents/").status_code == 200

    engine = oidc_app.extensions["sla.engine"]
    user = user_named(engine, "marie.curie@ville.example")
    assert user is not None
    assert (user.display_name, user.email, user.role) == (
        "Marie Curie",  # usual_name rather than family_name
        "Marie.Curie@ville.example",
        Role.agent.value,  # by the group, above the viewer the domain gives
    )
    assert (user.auth_source, user.external_id) == ("oidc", f"{oidc_provider.issuer} marie-sub")
    [success] = audit(engine, "signin.success")
    assert (success.channel, success.target_id) == ("oidc", user.id)


def test_the_next_sign_in_refreshes_role_and_name(
    oidc_app: Flask,
    oidc_provider: Provider,  # noqa: F811
) -> None:
    oidc_provider.set_user("marie-sub", MARIE)
    sign_in(oidc_app.test_client(), oidc_provider, "marie-sub")
    oidc_provider.set_user(
        "marie-sub", {**MARIE, "groups": ["garantie-admins"], "usual_name": "Curie-Joliot"}
    )
    response = sign_in(oidc_app.test_client(), oidc_provider, "marie-sub")
    assert response.status_code == 302

    engine = oidc_app.extensions["sla.engine"]
    user = user_named(engine, "marie.curie@ville.example")
    assert user is not None
    assert (user.role, user.display_name) == (Role.admin.value, "Marie Curie-Joliot")
    [change] = audit(engine, "user.role_changed")
    assert (change.detail["before"], change.detail["after"]) == ("agent", "admin")


def test_someone_off_every_list_is_refused_and_their_account_withdrawn(
    oidc_app: Flask,
    oidc_provider: Provider,  # noqa: F811
) -> None:
    engine = oidc_app.extensions["sla.engine"]
    oidc_provider.set_user("marie-sub", MARIE)
    sign_in(oidc_app.test_client(), oidc_provider, "marie-sub")
    # Left the agents' group, and now at another organisation's address: on no list.
    oidc_provider.set_user(
        "marie-sub", {**MARIE, "groups": [], "email": "marie.curie@ailleurs.example"}
    )
    client = oidc_app.test_client()
    response = sign_in(client, oidc_provider, "marie-sub")
    assert response.headers["Location"] == "/login"
    assert_signed_out(client)
    user = user_named(engine, "marie.curie@ville.example")
    assert user is not None and not user.active
    [refusal] = audit(engine, "signin.refused")
    assert (refusal.channel, refusal.detail["reason"]) == ("oidc", "not_allowed")
    assert len(audit(engine, "user.deactivated")) == 1
    page = client.get("/login").get_data(as_text=True)
    assert "ProConnect" in page and "Garantie" in page


def test_a_stranger_off_every_list_gets_no_account(
    oidc_app: Flask,
    oidc_provider: Provider,  # noqa: F811
) -> None:
    oidc_provider.set_user("intrus", {"email": "intrus@ailleurs.example", "groups": ["x"]})
    client = oidc_app.test_client()
    sign_in(client, oidc_provider, "intrus")
    assert_signed_out(client)
    engine = oidc_app.extensions["sla.engine"]
    assert user_named(engine, "intrus@ailleurs.example") is None
    assert [e.detail["reason"] for e in audit(engine, "signin.refused")] == ["not_allowed"]


def test_a_tampered_state_is_refused(
    oidc_app: Flask,
    oidc_provider: Provider,  # noqa: F811
) -> None:
    oidc_provider.set_user("marie-sub", MARIE)
    client = oidc_app.test_client()
    back = oidc_provider.authorize(start(client), "marie-sub")
    forged = back.replace("state=", "state=x", 1)
    assert forged != back
    response = client.get(callback_path(forged))
    refused_with(client, response, oidc_app.extensions["sla.engine"], "bad_state")


def test_an_answer_for_a_sign_in_started_elsewhere_is_refused(
    oidc_app: Flask,
    oidc_provider: Provider,  # noqa: F811
) -> None:
    """Login CSRF: a callback address made in the attacker's browser, opened in the victim's."""
    oidc_provider.set_user("marie-sub", MARIE)
    attacker = oidc_app.test_client()
    back = oidc_provider.authorize(start(attacker), "marie-sub")
    victim = oidc_app.test_client()
    response = victim.get(callback_path(back))
    refused_with(victim, response, oidc_app.extensions["sla.engine"], "bad_state")


def test_a_wrong_nonce_is_refused(
    oidc_app: Flask,
    oidc_provider: Provider,  # noqa: F811
) -> None:
    oidc_provider.set_user("marie-sub", MARIE)
    client = oidc_app.test_client()

    def other_nonce(data: dict[str, Any]) -> None:
        data["nonce"] = "not-the-nonce-sent-to-the-provider"

    response = sign_in(client, oidc_provider, "marie-sub", meddle=other_nonce)
    refused_with(client, response, oidc_app.extensions["sla.engine"], "bad_nonce")


def test_a_pkce_verifier_that_does_not_match_is_refused_by_the_provider(
    oidc_app: Flask,
    oidc_provider: Provider,  # noqa: F811
) -> None:
    oidc_provider.set_user("marie-sub", MARIE)
    client = oidc_app.test_client()
    authorization = start(client)
    assert "code_challenge_method=S256" in authorization

    def other_verifier(data: dict[str, Any]) -> None:
        data["code_verifier"] = "x" * 48

    back = oidc_provider.authorize(authorization, "marie-sub")
    with client.session_transaction() as session:
        key = next(k for k in session if k.startswith("_state_oidc_"))
        other_verifier(session[key]["data"])
        session[key] = session[key]
    response = client.get(callback_path(back))
    refused_with(client, response, oidc_app.extensions["sla.engine"], "provider_error")
    [failure] = audit(oidc_app.extensions["sla.engine"], "signin.failure")
    assert failure.detail["provider_error"] == "invalid_grant"


def test_an_expired_id_token_is_refused(database_url: str, tmp_path: Path) -> None:
    # The provider issues tokens that expired ten minutes ago: beyond Authlib's two-minute
    # leeway for clock skew.
    with serve_provider(token_max_age=timedelta(minutes=-10)) as provider:
        application = make_app(database_url, tmp_path, provider.issuer)
        provider.set_user("marie-sub", MARIE)
        client = application.test_client()
        response = sign_in(client, provider, "marie-sub")
        refused_with(client, response, application.extensions["sla.engine"], "expired_token")
        application.extensions["sla.engine"].dispose()


def test_acr_values_are_asked_for_and_the_level_given_is_checked(
    database_url: str,
    tmp_path: Path,
    oidc_provider: Provider,  # noqa: F811
) -> None:
    application = make_app(database_url, tmp_path, oidc_provider.issuer, acr_values="eidas1")
    engine = application.extensions["sla.engine"]
    oidc_provider.set_user("marie-sub", {**MARIE, "acr": "eidas1"})
    client = application.test_client()
    assert "acr_values=eidas1" in start(client)
    assert sign_in(client, oidc_provider, "marie-sub").headers["Location"] == "/incidents/"
    assert len(audit(engine, "signin.success")) == 1

    oidc_provider.set_user("paul-sub", {**MARIE, "email": "paul@ville.example"})  # no acr
    client = application.test_client()
    response = sign_in(client, oidc_provider, "paul-sub")
    assert response.headers["Location"] == "/login"
    assert_signed_out(client)
    [failure] = audit(engine, "signin.failure")
    assert (failure.detail["reason"], failure.detail["provider_error"]) == (
        "invalid_token",
        "missing_claim",
    )
    engine.dispose()


def test_the_provider_saying_no_is_refused(
    oidc_app: Flask,
    oidc_provider: Provider,  # noqa: F811
) -> None:
    client = oidc_app.test_client()
    start(client)
    with client.session_transaction() as session:
        state = next(k for k in session if k.startswith("_state_oidc_"))[len("_state_oidc_") :]
    response = client.get(
        "/login/oidc/callback", query_string={"error": "access_denied", "state": state}
    )
    refused_with(client, response, oidc_app.extensions["sla.engine"], "provider_error")
    page = client.get("/login").get_data(as_text=True)
    assert "ProConnect" in page


def test_a_provider_that_does_not_answer_leaves_a_failure_not_an_error_page(
    database_url: str, tmp_path: Path
) -> None:
    with serve_provider() as provider:
        issuer = provider.issuer
    application = make_app(database_url, tmp_path, issuer)  # nobody listens there any more
    client = application.test_client()
    response = client.get("/login/oidc")
    refused_with(client, response, application.extensions["sla.engine"], "provider_unreachable")
    application.extensions["sla.engine"].dispose()


def test_userinfo_as_a_signed_jwt_completes_the_id_token(
    oidc_app: Flask,
    oidc_provider: Provider,  # noqa: F811
) -> None:
    oidc_provider.set_user("marie-sub", {**MARIE, "groups": []})
    oidc_provider.userinfo_as_jwt = True
    oidc_provider.userinfo_extra = {"groups": ["garantie-admins"]}  # in the userinfo only
    client = oidc_app.test_client()
    assert sign_in(client, oidc_provider, "marie-sub").headers["Location"] == "/incidents/"
    user = user_named(oidc_app.extensions["sla.engine"], "marie.curie@ville.example")
    assert user is not None and user.role == Role.admin.value


def test_userinfo_signed_with_an_unpublished_key_is_refused(
    oidc_app: Flask,
    oidc_provider: Provider,  # noqa: F811
) -> None:
    oidc_provider.set_user("marie-sub", MARIE)
    oidc_provider.userinfo_as_jwt = True
    oidc_provider.userinfo_forged = True
    client = oidc_app.test_client()
    response = sign_in(client, oidc_provider, "marie-sub")
    refused_with(client, response, oidc_app.extensions["sla.engine"], "invalid_token")


def test_userinfo_about_someone_else_is_refused(
    oidc_app: Flask,
    oidc_provider: Provider,  # noqa: F811
) -> None:
    oidc_provider.set_user("marie-sub", MARIE)
    oidc_provider.userinfo_extra = {"sub": "someone-else"}
    client = oidc_app.test_client()
    response = sign_in(client, oidc_provider, "marie-sub")
    refused_with(client, response, oidc_app.extensions["sla.engine"], "invalid_token")


def test_an_unsafe_next_page_is_dropped(
    oidc_app: Flask,
    oidc_provider: Provider,  # noqa: F811
) -> None:
    oidc_provider.set_user("marie-sub", MARIE)
    client = oidc_app.test_client()
    back = oidc_provider.authorize(start(client, "https://evil.example/"), "marie-sub")
    assert client.get(callback_path(back)).headers["Location"] == "/"


def test_with_oidc_off_its_routes_are_404(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/login/oidc").status_code == 404
    assert client.get("/login/oidc/callback?code=x&state=y").status_code == 404


def test_start_fetches_nothing_at_start_up(database_url: str, tmp_path: Path) -> None:
    # No provider listens at this address: the application still starts (discovery is lazy).
    application = make_app(database_url, tmp_path, "http://127.0.0.1:9")
    assert application.test_client().get("/login").status_code == 200
    application.extensions["sla.engine"].dispose()


# identity_from_claims: who the person is, which role they get.

ISSUER = "https://auth.example.gouv.fr/api/v2"


def section(**changes: Any) -> dict[str, Any]:
    # The address lists trust an address the provider says nothing about (ProConnect's case);
    # test_an_unverified_address_counts_for_no_list checks the default, which does not.
    values = {**defaults("oidc"), **oidc_settings(ISSUER), "require_email_verified": False}
    values.update(changes)
    return values


def identity(claims: dict[str, Any], **changes: Any) -> Any:
    return oidc.identity_from_claims(section(**changes), {"sub": "s1", **claims}, ISSUER)


def test_identity_is_named_after_the_address_with_usual_name_first() -> None:
    person = identity({"email": "Jean.Dupont@Ville.Example", "given_name": "Jean",
                       "usual_name": "Dupont", "family_name": "Martin"})  # fmt: skip
    assert (person.username, person.email, person.display_name, person.external_id) == (
        "jean.dupont@ville.example",
        "Jean.Dupont@Ville.Example",
        "Jean Dupont",
        f"{ISSUER} s1",
    )
    assert identity({"email": "a.b@ville.example", "given_name": "Ana", "family_name": "B"}).display_name == "Ana B"  # fmt: skip


def test_role_claim_as_a_string_or_a_list() -> None:
    assert identity({"email": "a@x.example", "groups": "garantie-agents"}).role is Role.agent
    assert identity({"email": "a@x.example", "groups": ["x", "garantie-admins"]}).role is Role.admin
    assert identity({"email": "a@x.example", "groups": ["garantie"]}).role is None
    assert identity({"email": "a@x.example"}).role is None


def test_email_lists_take_addresses_and_domains_case_insensitively() -> None:
    lists = {"agent_emails": ["Chef@Mairie.Example"], "viewer_emails": ["@Ville.Example"]}
    assert identity({"email": "chef@mairie.example"}, **lists).role is Role.agent
    assert identity({"email": "x@VILLE.example"}, **lists).role is Role.viewer
    assert identity({"email": "x@sous.ville.example"}, **lists).role is None
    assert identity({"email": "x@ville.example.evil"}, **lists).role is None


def test_the_highest_role_wins() -> None:
    changes = {"admin_emails": ["boss@ville.example"], "agent_values": ["garantie-agents"]}
    both = {"email": "boss@ville.example", "groups": ["garantie-agents"]}
    assert identity(both, **changes).role is Role.admin
    only_group = {"email": "someone@ville.example", "groups": ["garantie-agents"]}
    assert identity(only_group, **changes).role is Role.agent


def test_an_unverified_address_counts_for_no_list() -> None:
    assert identity({"email": "x@ville.example", "email_verified": False}).role is None
    assert identity({"email": "x@ville.example", "email_verified": True}).role is Role.viewer
    # Silence about it is trusted only when configured so (the default does not).
    assert identity({"email": "x@ville.example"}).role is Role.viewer
    strict = {"require_email_verified": True}
    assert identity({"email": "x@ville.example"}, **strict).role is None
    assert (
        identity({"email": "x@ville.example", "email_verified": True}, **strict).role is Role.viewer
    )


def test_no_usable_address_is_a_failure() -> None:
    for claims in ({}, {"email": ""}, {"email": "quelqu'un avec espaces@ville.example"}):
        with pytest.raises(oidc.ProviderFailure) as failure:
            identity(claims)
        assert failure.value.reason == "unusable_email"


def test_the_request_carries_a_long_state_and_nonce_and_a_pkce_challenge(
    oidc_app: Flask,
) -> None:
    response = oidc_app.test_client().get("/login/oidc")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    # ProConnect refuses a state or a nonce under 32 characters.
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43


def test_pkce_can_be_left_out_for_a_provider_that_refuses_it(
    database_url: str,
    tmp_path: Path,
    oidc_provider: Provider,  # noqa: F811
) -> None:
    application = make_app(database_url, tmp_path, oidc_provider.issuer, pkce=False)
    try:
        response = application.test_client().get("/login/oidc")
    finally:
        application.extensions["sla.engine"].dispose()
    assert "code_challenge" not in parse_qs(urlsplit(response.headers["Location"]).query)
