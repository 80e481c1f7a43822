"""The penalty statements as an agent reads them in Chromium: the list, a statement answered by
the vendor (every action's form open), a final one, and the same on a phone; in French, with
no console error, nothing wider than the phone but the tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlmodel import Session, select

from sla.penalties.models import PenaltyStatement
from tests.browser.test_screens_truth import ENGLISH


def _statements(app: Flask) -> dict[str, int]:
    with Session(app.extensions["sla.engine"]) as session:
        return {s.state: s.id or 0 for s in session.exec(select(PenaltyStatement)).all()}


def _errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_the_statements_read_in_french_on_desktop_and_phone(
    page_as: Any, live_server: str, live_app: Flask, shots: Path
) -> None:
    statements = _statements(live_app)
    assert {"final", "observations", "draft"} <= set(statements)
    page = page_as("agente")
    errors = _errors(page)
    found: dict[str, list[str]] = {}
    for path, name in (
        ("/penalties/", "penalties"),
        (f"/penalties/{statements['observations']}", "penalty-statement"),
        (f"/penalties/{statements['final']}", "penalty-statement-final"),
        (f"/penalties/{statements['draft']}", None),
    ):
        response = page.goto(live_server + path)
        assert response is not None and response.status == 200, path
        for summary in page.locator("details > summary").all():
            summary.click()
        assert page.locator("h1").count() == 1
        text = page.locator("main").inner_text()
        hits = sorted({m.group(0) for m in ENGLISH.finditer(text)})
        if hits:
            found[path] = hits
        if name:
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert found == {}
    phone = page_as("agente", width=390)
    errors += _errors(phone)
    phone.goto(f"{live_server}/penalties/{statements['final']}")
    phone.screenshot(path=str(shots / "penalty-statement-phone.png"), full_page=False)
    assert phone.evaluate("document.body.scrollWidth") <= 400
    assert errors == []


def test_a_viewer_reads_a_statement_and_is_offered_no_action(
    page_as: Any, live_server: str, live_app: Flask
) -> None:
    statements = _statements(live_app)
    page = page_as("lectrice")
    page.goto(f"{live_server}/penalties/{statements['draft']}")
    assert page.locator("main form[method=post]").count() == 0
    assert page.get_by_text("Notifier le prestataire").count() == 0
