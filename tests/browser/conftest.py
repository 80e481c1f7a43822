"""The real application served on loopback (waitress, temporary database) and Debian's
Chromium driven by Playwright. Absent Chromium: skip locally, fail under CI."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from sla.alerts.scheduler import sweep
from sla.app import create_app
from sla.auth import service as accounts
from sla.db import session_scope, upgrade
from sla.demo import load_demo
from sla.web.roles import Role
from tests.support import ALERTS, require

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "a browser test password"


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The demo's data, swept once (its alerts recorded, reaching nobody: the demo sets no
    recipient), and three people: an agent and a viewer reading French, an agent English."""
    folder = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "app": {"instance_path": str(folder), "secret_key": "browser-tests"},
            "database": {"url": f"sqlite:///{folder / 'live.db'}"},
        },
        environ={},
    )
    engine = app.extensions["sla.engine"]
    upgrade(engine)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        list(load_demo(session, now=now, incidents=300, seed=11, alert_settings=ALERTS))
        for username, role, locale in (
            ("agente", Role.agent, None),
            ("lectrice", Role.viewer, None),
            ("agent-en", Role.agent, "en"),
        ):
            user = accounts.create_user(
                session,
                username=username,
                password=PASSWORD,
                role=role,
                now=now,
                display_name=username.capitalize(),
            )
            user.locale = locale
    sweep(engine, app.config["SLA_SETTINGS"], now=now)
    yield app
    engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    from waitress.server import create_server

    server = create_server(live_app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    server.close()


@pytest.fixture(scope="session")
def browser_instance() -> Iterator[Any]:
    require(
        CHROMIUM.exists(),
        "Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev extra installs it
        require(False, "playwright is not installed")
        raise
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                # The browser's own interface language: date and time inputs in French order
                # (jj/mm/aaaa, 24 h) as a French agent's browser shows them.
                "--lang=fr-FR",
            ],
            # Chromium takes the language of its date and time inputs from the environment.
            env={**os.environ, "LANG": "fr_FR.UTF-8", "LANGUAGE": "fr_FR:fr"},
        )
        yield browser
        browser.close()


@pytest.fixture
def page_as(browser_instance: Any, live_server: str) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(username: str, *, width: int = 1280, locale: str = "fr-FR") -> Any:
        context = browser_instance.new_context(
            viewport={"width": width, "height": 900}, locale=locale
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.get_by_label("Identifiant").fill(username)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(f"{live_server}/")
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: docs/screenshots when SLA_SCREENSHOTS_DIR says so (make screenshots)."""
    folder = Path(os.environ.get("SLA_SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
