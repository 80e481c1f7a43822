"""In a real browser, with JavaScript: an administrator types a calendar (split shifts, a short
Friday whose afternoon is a range added by the script, Alsace's holidays, a closure, a holiday
worked anyway), watches the preview follow, and saves it. No console error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import holidays
import pytest
from flask import Flask
from sqlmodel import select

from calendars.models import VendorCalendar
from calendars.spec import parse_calendar
from sla.auth import service as accounts
from sla.auth.models import User
from sla.db import session_scope, utcnow
from sla.web.roles import Role
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

ADMIN = "admin-calendriers"
YEAR = utcnow().year
WHIT_MONDAY = next(
    day
    for day, name in holidays.country_holidays("FR", years=YEAR, language="fr").items()
    if name == "Lundi de Pentecôte"
)


def _admin(app: Flask) -> None:
    with session_scope(app.extensions["sla.engine"]) as session:
        if session.exec(select(User).where(User.username == ADMIN)).first() is None:
            accounts.create_user(
                session, username=ADMIN, password=PASSWORD, role=Role.admin, now=utcnow()
            )


def test_an_admin_types_a_calendar_and_watches_the_preview(
    page_as: Any, live_app: Flask, live_server: str, shots: Path
) -> None:
    from playwright.sync_api import expect

    _admin(live_app)
    page = page_as(ADMIN)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/calendars/")
    page.locator('a[href="/calendars/new"]').click()
    page.wait_for_url(f"{live_server}/calendars/new")
    page.evaluate("window.stillHere = true")  # gone if a button reloads the page

    preview = page.locator("#calendar-preview")
    expect(preview).to_contain_text("Jour de l'an")  # the default: French holidays
    expect(preview).not_to_contain_text("Saint-Étienne")
    page.locator("#owner").select_option(label="Libriciel SCOP")
    page.locator("#key").fill("support-alsace")
    page.locator("#name").fill("Support Libriciel (Alsace)")
    page.locator("#holidays").select_option("FR-6AE")
    expect(preview).to_contain_text("Saint-Étienne")
    expect(preview).to_contain_text("Vendredi saint")

    # Friday: its afternoon row removed, then a shorter one added by the script.
    friday = page.locator("#day-fri")
    friday.locator("li").nth(1).get_by_role("button").click()
    assert friday.locator("li").count() == 1
    friday.locator('button[data-add="range-fri"]').click()
    assert friday.locator("li").count() == 2
    friday.locator('input[name="fri-start"]').nth(1).fill("14:00")
    friday.locator('input[name="fri-end"]').nth(1).fill("17:00")

    closures = page.locator("fieldset.closures")
    closures.locator('button[data-add="closure"]').click()
    closures.locator('input[name="closure-first"]').fill(f"{YEAR}-12-28")
    closures.locator('input[name="closure-last"]').fill(f"{YEAR}-12-31")
    worked = page.locator("fieldset.worked")
    worked.locator('button[data-add="worked"]').click()
    worked.locator('input[name="worked"]').fill(WHIT_MONDAY.isoformat())
    assert page.evaluate("window.stillHere") is True

    # The preview follows: the short Friday, the closure, the worked holiday gone from the list.
    expect(preview.locator(".preview-days")).to_contain_text("14:00–17:00")
    expect(preview.locator(".preview-closed")).to_contain_text("28 déc.")
    expect(preview.locator(".preview-closed")).not_to_contain_text("Lundi de Pentecôte")

    # A reversed range: the preview says what is wrong, the page stays.
    monday_end = page.locator('#day-mon input[name="mon-end"]').first
    monday_end.fill("08:00")
    expect(preview.locator(".error")).to_contain_text("09:00-08:00")
    monday_end.fill("12:00")
    expect(preview.locator(".preview-days")).to_be_visible()
    page.screenshot(path=str(shots / "calendar-form.png"), full_page=True)

    page.locator('.form-buttons button[value="save"]').click()
    page.wait_for_url(re.compile(r"/calendars/\d+$"))
    assert "Support Libriciel (Alsace)" in page.locator("h1").inner_text()
    calendar_id = int(page.url.rsplit("/", 1)[1])
    with session_scope(live_app.extensions["sla.engine"]) as session:
        record = session.get(VendorCalendar, calendar_id)
        assert record is not None
        definition = record.definition
    assert definition["hours"]["fri"] == ["09:00-12:00", "14:00-17:00"]
    assert definition["hours"]["mon"] == ["09:00-12:00", "14:00-18:00"]
    assert definition["holidays"] == "FR-6AE"
    assert definition["closed_dates"] == [f"{YEAR}-12-28..{YEAR}-12-31"]
    assert definition["worked_holidays"] == [WHIT_MONDAY.isoformat()]
    assert "sat" not in definition["hours"]
    parse_calendar(definition)
    assert errors == []
