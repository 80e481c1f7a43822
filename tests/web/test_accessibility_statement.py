"""The accessibility statement (RGAA): public (the one page, with the login and the health
check, that needs no login), worded after the RGAA's model from the [organisation] settings,
and linked from the footer of every page."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sla.app import create_app
from sla.web.access import PUBLIC_ENDPOINTS
from sla.web.roles import Role
from tests.conftest import app_config

Client = Callable[[Role], FlaskClient]


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def app_with(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    made: list[Flask] = []

    def make(**organisation: Any) -> Flask:
        app = create_app(
            app_config(database_url, tmp_path / "instance", organisation=organisation),
            environ={},
        )
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["sla.engine"].dispose()


def test_the_statement_needs_no_login(app: Flask) -> None:
    response = app.test_client().get("/accessibility")
    assert response.status_code == 200
    text = _text(response.get_data(as_text=True))
    assert "Déclaration d'accessibilité" in text
    # Anyone may read it: no menu of the application for a visitor.
    assert "Tableau de bord" not in text
    # Public pages: the login (and OpenID Connect's two steps), the health check, the
    # statement (and the static files).
    public = {"auth.login", "oidc.start", "oidc.callback", "health.healthz", "static"}
    assert public | {"health.accessibility"} == PUBLIC_ENDPOINTS
    # Read only: a post is refused (no such method, or sent to the login like any unknown
    # request of a visitor).
    posted = app.test_client().post("/accessibility")
    assert posted.status_code in (302, 400, 405)
    assert posted.status_code != 302 or "/login" in posted.headers["Location"]


@pytest.mark.parametrize(
    ("status", "sentence", "mention"),
    [
        (
            "non_compliant",
            "Garantie est non conforme avec le référentiel général d'amélioration de "
            "l'accessibilité (RGAA), version 4.1.2.",
            "Accessibilité : non conforme",
        ),
        (
            "partially_compliant",
            "Garantie est partiellement conforme avec le référentiel général d'amélioration de "
            "l'accessibilité (RGAA), version 4.1.2, en raison des non-conformités énumérées "
            "ci-dessous.",
            "Accessibilité : partiellement conforme",
        ),
        (
            "compliant",
            "Garantie est totalement conforme avec le référentiel général d'amélioration de "
            "l'accessibilité (RGAA), version 4.1.2.",
            "Accessibilité : totalement conforme",
        ),
    ],
)
def test_the_statement_says_the_configured_status(
    app_with: Callable[..., Flask], status: str, sentence: str, mention: str
) -> None:
    app = app_with(name="Ville de Miramas — DSI", accessibility_status=status)
    page = app.test_client().get("/accessibility").get_data(as_text=True)
    text = _text(page)
    assert sentence in text
    assert "Ville de Miramas — DSI s'engage à rendre" in text
    # The footer's mention says the same, on the login page too.
    login = _text(app.test_client().get("/login").get_data(as_text=True))
    assert mention in login


def test_the_statement_has_the_parts_the_rgaa_model_asks_for(
    app_with: Callable[..., Flask],
) -> None:
    app = app_with(name="Ville de Miramas")
    text = _text(app.test_client().get("/accessibility").get_data(as_text=True))
    for part in (
        "État de conformité",
        "Résultats des tests",
        "axe-core",
        "au clavier seul",
        "Contenus non accessibles",
        "Non-conformités",
        "Retour d'information et contact",
        "Voies de recours",
        "Défenseur des droits",
        "Libre réponse 71120",
    ):
        assert part in text, part
    assert re.search(r"Cette déclaration a été établie le \d{1,2}(er)? \w+ 20\d\d\.", text)


def test_the_contact_is_the_accessibility_address_else_the_contact_one(
    app_with: Callable[..., Flask],
) -> None:
    both = app_with(contact_email="dsi@ville.example", accessibility_email="a11y@ville.example")
    page = both.test_client().get("/accessibility").get_data(as_text=True)
    assert 'href="mailto:a11y@ville.example"' in page
    assert "dsi@ville.example" not in page

    contact_only = app_with(contact_email="dsi@ville.example")
    page = contact_only.test_client().get("/accessibility").get_data(as_text=True)
    assert 'href="mailto:dsi@ville.example"' in page

    neither = app_with()
    text = _text(neither.test_client().get("/accessibility").get_data(as_text=True))
    assert "Courriel : à configurer" in text


def test_every_page_links_to_the_statement(client_as: Client) -> None:
    client = client_as(Role.admin)
    for path in ("/", "/incidents/", "/account", "/admin/users/", "/accessibility"):
        page = client.get(path).get_data(as_text=True)
        assert 'href="/accessibility"' in page, path


def test_the_skip_link_leads_to_main(client_as: Client) -> None:
    page = client_as(Role.viewer).get("/").get_data(as_text=True)
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main">' in page
