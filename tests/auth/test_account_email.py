"""Each user sets their own email address on *Mon compte*; a bad one is refused in the reader's
language, naming the field, with what was typed kept and nothing changed; an administrator can
still change anyone's address."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine

from sla.auth import service as accounts
from sla.auth.forms import plausible_email
from sla.auth.models import User
from sla.db import session_scope
from sla.web.roles import Role
from tests.support import csrf_from

Client = Callable[[Role], FlaskClient]


def _user(engine: Engine, username: str) -> User:
    with session_scope(engine) as session:
        user = accounts.find_user(session, username)
        assert user is not None
        session.expunge(user)
        return user


def _post_email(client: FlaskClient, email: str) -> tuple[int, str]:
    token = csrf_from(client, "/account")
    response = client.post("/account/email", data={"email": email, "csrf_token": token})
    return response.status_code, response.get_data(as_text=True)


def test_a_viewer_sets_their_own_email(client_as: Client, engine: Engine) -> None:
    client = client_as(Role.viewer)
    before = _user(engine, "user-viewer")
    status, _page = _post_email(client, "  lectrice@ville.example  ")
    assert status == 302
    after = _user(engine, "user-viewer")
    assert after.email == "lectrice@ville.example"
    assert (after.display_name, after.role, after.notify_breaches, after.notify_warnings) == (
        before.display_name,
        before.role,
        before.notify_breaches,
        before.notify_warnings,
    )
    page = client.get("/account").get_data(as_text=True)
    assert "Votre adresse électronique est enregistrée." in page
    assert 'value="lectrice@ville.example"' in page
    assert "Envoyées à lectrice@ville.example" in page


@pytest.mark.parametrize(
    "typed", ["pas une adresse", "agent@", "@ville.fr", "agent@ville", "a@b@c.fr"]
)
def test_a_bad_email_is_refused_naming_the_field_and_nothing_changes(
    client_as: Client, engine: Engine, typed: str
) -> None:
    client = client_as(Role.viewer)
    assert _post_email(client, "lectrice@ville.example")[0] == 302
    before = _user(engine, "user-viewer")
    status, page = _post_email(client, typed)
    assert status == 400
    text = html.unescape(page)
    assert "Adresse électronique : une adresse telle que agent@exemple.fr est attendue." in text
    # The message is tied to its field, and what was typed comes back.
    assert 'aria-describedby="email-hint email-error"' in page
    assert 'aria-invalid="true"' in page
    assert f'value="{typed}"' in text
    after = _user(engine, "user-viewer")
    assert after.email == before.email == "lectrice@ville.example"
    assert after.session_version == before.session_version


def test_an_empty_email_means_no_email(client_as: Client, engine: Engine) -> None:
    client = client_as(Role.agent)
    assert _post_email(client, "agent@ville.example")[0] == 302
    assert _post_email(client, "")[0] == 302
    assert _user(engine, "user-agent").email == ""


def test_the_email_form_needs_its_token(client_as: Client, engine: Engine) -> None:
    client = client_as(Role.viewer)
    response = client.post("/account/email", data={"email": "x@ville.example"})
    assert response.status_code == 400
    assert _user(engine, "user-viewer").email == ""


def test_an_administrator_still_changes_anyones_email(
    client_as: Client, engine: Engine, make_user: Callable[..., User]
) -> None:
    admin = client_as(Role.admin)
    someone = make_user("someone", Role.agent, email="old@ville.example")
    url = f"/admin/users/{someone.id}"
    response = admin.post(
        url,
        data={
            "csrf_token": csrf_from(admin, url),
            "display_name": "Someone",
            "email": "new@ville.example",
            "role": Role.agent.value,
            "active": "y",
        },
    )
    assert response.status_code == 302
    assert _user(engine, "someone").email == "new@ville.example"


@pytest.mark.parametrize(
    ("text", "plausible"),
    [
        ("agent@ville.example", True),
        ("prenom.nom+alertes@dsi.ville-miramas.fr", True),
        ("agent@ville", False),
        ("agent@.fr", False),
        ("agent@ville..fr", False),
        ("agent ville@ville.fr", False),
        ("agent@ville.fr\n", False),
        ("a" * 250 + "@x.fr", False),
    ],
)
def test_plausible_email(text: str, plausible: bool) -> None:
    assert plausible_email(text) is plausible


def test_an_address_is_one_address() -> None:
    for good in ("agent@exemple.fr", "jean-marie.dupont+dsi@mairie-miramas.fr"):
        assert plausible_email(good), good
    for bad in (
        "x,y@evil.com",
        "a;b@x.fr",
        "<a@x.fr>",
        '"a"@x.fr',
        "a@x",
        "a b@x.fr",
        "a@@x.fr",
        "a@x..fr",
        "a@-x.fr",
    ):
        assert not plausible_email(bad), bad
