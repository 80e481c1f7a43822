"""Screens must say what is true: helpers to read a page as a French reader does, and
applications with a chosen configuration."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, gettext, ngettext

from sla.app import create_app
from tests.conftest import app_config, empty_tables

AppFactory = Callable[..., Flask]


def french(app: Flask, msgid: str, **values: Any) -> str:
    """`msgid` as a French reader sees it (its msgid until the catalogue translates it)."""
    with app.test_request_context("/"), force_locale("fr"):
        return str(gettext(msgid, **values))


def french_plural(app: Flask, singular: str, plural: str, num: int) -> str:
    with app.test_request_context("/"), force_locale("fr"):
        return str(ngettext(singular, plural, num))


def text_of(response: Any) -> str:
    """A page's HTML with its entities decoded (apostrophes, guillemets)."""
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def configured_app(database_url: str, tmp_path: Path) -> Iterator[AppFactory]:
    """Build the application with configuration sections overridden (`smtp={...}`)."""
    made: list[Flask] = []

    def make(**sections: dict[str, Any]) -> Flask:
        application = create_app(
            app_config(database_url, tmp_path / f"instance{len(made)}", **sections), environ={}
        )
        application.config["TESTING"] = True
        empty_tables(application.extensions["sla.engine"])
        made.append(application)
        return application

    yield make
    for application in made:
        application.extensions["sla.engine"].dispose()
