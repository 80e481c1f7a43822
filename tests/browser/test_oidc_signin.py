"""Signing in through OpenID Connect in Chromium: the login page's "Se connecter avec
ProConnect" leads to the provider (a real one on loopback), whose form signs the person in and
sends the browser back to Garantie, on the page asked for, signed in under the name the
provider gave. No console error on Garantie's pages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import select

from sla.app import create_app
from sla.auth.models import User
from sla.db import session_scope, upgrade
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, serve_provider

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with serve_provider() as running:
        running.set_user(
            "agnes-sub",
            {
                "email": "Agnes.Dupont@ville.example",
                "given_name": "Agnès",
                "usual_name": "Dupont",
                "groups": ["garantie-agents"],
            },
        )
        yield running


@pytest.fixture(scope="module")
def oidc_server(
    tmp_path_factory: pytest.TempPathFactory, provider: Provider
) -> Iterator[tuple[Flask, str]]:
    """Garantie with [oidc] on, served on loopback (waitress) on an empty database."""
    from waitress.server import create_server

    folder = tmp_path_factory.mktemp("oidc-live")
    app = create_app(
        {
            "app": {"instance_path": str(folder), "secret_key": "browser-oidc-tests"},
            "database": {"url": f"sqlite:///{folder / 'live.db'}"},
            "oidc": {
                "enabled": True,
                "name": "ProConnect",
                "issuer": provider.issuer,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "scopes": ["openid", "email", "profile", "given_name", "usual_name"],
                "role_claim": "groups",
                "agent_values": ["garantie-agents"],
            },
        },
        environ={},
    )
    upgrade(app.extensions["sla.engine"])
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    server.close()
    app.extensions["sla.engine"].dispose()


def test_sign_in_through_the_provider_lands_on_the_page_asked_for(
    browser_instance: Any, oidc_server: tuple[Flask, str], provider: Provider, shots: Path
) -> None:
    app, base = oidc_server
    context = browser_instance.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    # The mock provider's page asks a CDN for its style sheet: answered empty, offline.
    context.route(
        "https://cdn.jsdelivr.net/**",
        lambda route: route.fulfill(status=200, content_type="text/css", body=""),
    )
    errors: list[str] = []
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: {message.text}")
            if message.type == "error" and page.url.startswith(base)
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{base}/incidents/")  # signed out: sent to the login page
        button = page.get_by_role("link", name="Se connecter avec ProConnect")
        button.wait_for()
        page.screenshot(path=str(shots / "login-oidc.png"), full_page=True)

        button.click()
        page.wait_for_url(f"{provider.issuer}/**")
        page.get_by_placeholder("sub").fill("agnes-sub")
        page.get_by_role("button", name="Authorize").click()

        page.wait_for_url(f"{base}/incidents/")
        assert page.get_by_role("link", name="Agnès Dupont").is_visible()
    finally:
        context.close()
    assert not errors, errors
    with session_scope(app.extensions["sla.engine"]) as session:
        user = session.exec(select(User).where(User.username == "agnes.dupont@ville.example")).one()
        assert (user.role, user.auth_source) == ("agent", "oidc")
