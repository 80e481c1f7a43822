"""What the wording tests share: French as a reader sees it (the msgid until the catalogue
translates it), the visible text of a page, a client in English, the demo data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy.engine import Engine

from sla.auth.models import User
from sla.db import session_scope
from sla.demo import load_demo
from sla.web.roles import Role
from tests.support import ALERTS, login


def french(app: Flask, msgid: str, **values: Any) -> str:
    """`msgid` as a French reader sees it (its msgid until the catalogue translates it)."""
    with app.test_request_context("/"), force_locale("fr"):
        return str(gettext(msgid, **values))


def read(text: str) -> str:
    """Text as `visible_text` gives it: every run of spaces (no-break ones too) one space."""
    return " ".join(text.split())


class _Text(HTMLParser):
    """The text a person reads: element contents, not attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The page's text as read, whitespace collapsed."""
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def english_client(
    app: Flask, engine: Engine, make_user: Callable[..., User]
) -> Callable[[Role], FlaskClient]:
    """A client logged in as a new user of the role who reads the interface in English."""

    def make(role: Role) -> FlaskClient:
        user = make_user(f"english-{role.value}", role)
        with session_scope(engine) as session:
            stored = session.get(User, user.id)
            assert stored is not None
            stored.locale = "en"
            session.add(stored)
        client = app.test_client()
        assert login(client, f"english-{role.value}").status_code == 302
        return client

    return make


@pytest.fixture
def demo(engine: Engine) -> Iterator[datetime]:
    """The demo's contracts and 80 incidents up to now (some open, some requalified)."""
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        list(load_demo(session, now=now, incidents=80, seed=2026, alert_settings=ALERTS))
    yield now
