"""In a real browser, through the forms only (no TOML): an administrator creates a vendor, its
calendar (split shift, short Friday, Alsace holidays, a closure) and a contract with two levels
and three targets, one measured from another's milestone; an incident logged on it shows the
expected deadlines and why; an amendment of the SLA from a future date is scheduled, the
version in force unchanged; a mistake keeps every field typed. No console error."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import select

from sla.auth import service as accounts
from sla.auth.models import User
from sla.db import session_scope, utcnow
from sla.web.roles import Role
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

ADMIN = "admin-formulaires"
VENDOR = "Numérique Exemple SCOP"


def _admin(app: Flask) -> None:
    with session_scope(app.extensions["sla.engine"]) as session:
        if session.exec(select(User).where(User.username == ADMIN)).first() is None:
            accounts.create_user(
                session, username=ADMIN, password=PASSWORD, role=Role.admin, now=utcnow()
            )


def _field(page: Any, name: str) -> Any:
    return page.locator(f'#contract-form [name="{name}"]')


def test_vendor_calendar_contract_incident_and_amendment_through_the_forms(
    page_as: Any, live_app: Flask, live_server: str, shots: Path
) -> None:
    from playwright.sync_api import expect

    _admin(live_app)
    page = page_as(ADMIN)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "status of 4" not in m.text  # refused forms answer 4xx
            else None
        ),
    )

    # The vendor: a wrong SIRET first, refused with every field kept; then the right one.
    page.goto(f"{live_server}/vendors/")
    page.get_by_role("link", name="Nouveau prestataire").click()
    page.get_by_label("Nom").fill(VENDOR)
    page.get_by_label("SIRET").fill("732 829 320 00075")
    page.get_by_label("Courriel du support").fill("support@exemple.fr")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".field.has-error")).to_contain_text("SIRET")
    assert page.get_by_label("Nom").input_value() == VENDOR
    assert page.get_by_label("Courriel du support").input_value() == "support@exemple.fr"
    page.get_by_label("SIRET").fill("732 829 320 00074")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/vendors/\d+$"))
    vendor_url = page.url

    # Its calendar: 9-12 / 14-18, Friday until 17:00, Alsace's holidays, a closure.
    page.get_by_role("link", name="Nouveau calendrier").click()
    assert page.locator("#owner").locator("option:checked").inner_text() == VENDOR
    page.locator("#key").fill("support")
    page.locator("#name").fill("Support Numérique Exemple")
    page.locator("#holidays").select_option("FR-6AE")
    page.locator('#day-fri input[name="fri-end"]').nth(1).fill("17:00")
    page.locator('fieldset.closures button[data-add="closure"]').click()
    page.locator('input[name="closure-first"]').fill("2026-08-10")
    page.locator('input[name="closure-last"]').fill("2026-08-14")
    expect(page.locator("#calendar-preview")).to_contain_text("Saint-Étienne")
    page.locator('.form-buttons button[value="save"]').click()
    page.wait_for_url(re.compile(r"/calendars/\d+$"))

    # The contract: two levels, three targets, the restoration measured from the take-charge.
    page.goto(vendor_url)
    page.get_by_role("link", name="Nouveau contrat").click()
    page.wait_for_selector('input[name="calendars"][value="support"]')
    _field(page, "contract.reference").fill("EXEMPLE-2026-01")
    _field(page, "contract.title").fill("Maintenance du portail citoyen")
    _field(page, "contract.start").fill("2026-01-01")
    _field(page, "contract.renewal").select_option("tacit")
    _field(page, "contract.max_renewals").fill("3")
    _field(page, "sla.effective_from").fill("2026-01-01")
    _field(page, "sla.severities.0.key").fill("bloquant")
    _field(page, "sla.severities.0.label").fill("Bloquant")
    _field(page, "sla.severities.0.targets.0.key").fill("prise-en-compte")
    _field(page, "sla.severities.0.targets.0.kind").select_option("first_response")
    _field(page, "sla.severities.0.targets.0.label").fill("Prise en compte")
    _field(page, "sla.severities.0.targets.0.amount").fill("4")
    page.locator('button[data-js="add"][value="add-target:0"]').click()
    _field(page, "sla.severities.0.targets.1.key").fill("retablissement")
    _field(page, "sla.severities.0.targets.1.kind").select_option("restoration")
    _field(page, "sla.severities.0.targets.1.label").fill("Rétablissement")
    _field(page, "sla.severities.0.targets.1.amount").fill("8")
    _field(page, "sla.severities.0.targets.1.from").select_option("prise-en-compte")
    page.locator('button[data-js="add"][value="add-severity"]').click()
    _field(page, "sla.severities.1.key").fill("mineur")
    _field(page, "sla.severities.1.label").fill("Mineur")
    _field(page, "sla.severities.1.targets.0.key").fill("correctif")
    _field(page, "sla.severities.1.targets.0.kind").select_option("resolution")
    _field(page, "sla.severities.1.targets.0.label").fill("Correctif")
    _field(page, "sla.severities.1.targets.0.unit").select_option("business_days")
    _field(page, "sla.severities.1.targets.0.amount").fill("5")
    page.locator('button[name="action"][value="save"]').click()
    page.wait_for_url(re.compile(r"/contracts/\d+$"))
    contract_url = page.url
    expect(page.locator("table.sla")).to_contain_text("Rétablissement")

    # An incident on it, reported Friday 5 June 2026 at 16:00: the take-charge (4 business
    # hours) is due Monday 8 June at 12:00 (Friday 16-17, Monday 9-12); the restoration waits
    # for it.
    page.goto(f"{live_server}/incidents/new")
    page.get_by_label("Prestataire et contrat").select_option(
        label=f"{VENDOR} — Maintenance du portail citoyen (EXEMPLE-2026-01)"
    )
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label(re.compile("Bloquant")).check()
    page.get_by_label("Titre").fill("Portail citoyen hors service")
    page.get_by_label(re.compile("Heure H")).fill("2026-06-05T16:00")
    page.get_by_role("button", name="Enregistrer l'incident").click()
    page.wait_for_url(re.compile(r"/incidents/\d+$"))
    rows = page.locator("table.targets > tbody > tr:not(.explanation-row)")
    assert rows.count() == 2
    assert "8 juin 2026 12:00" in rows.nth(0).inner_text()
    assert "pas encore démarré" in rows.nth(1).inner_text()
    page.locator("table.targets details").first.locator("summary").click()
    explained = page.locator("table.targets .explanation").first.inner_text()
    assert "16:00" in explained and "17:00" in explained and "12:00" in explained
    page.locator("table.targets").screenshot(path=str(shots / "incident-explanation.png"))

    # An amendment from a date to come: version 2 scheduled, version 1 still in force.
    later = (utcnow() + timedelta(days=40)).date()
    page.goto(contract_url)
    page.get_by_role("link", name="Modifier le contrat").click()
    expect(page.locator("[data-version-notice]")).to_contain_text("version 2")
    _field(page, "sla.effective_from").fill(later.isoformat())
    _field(page, "sla.severities.0.targets.0.amount").fill("2")
    page.locator('button[name="action"][value="save"]').click()
    page.wait_for_url(contract_url)
    versions = page.locator('[data-version-state="scheduled"]')
    expect(versions).to_have_count(1)
    expect(versions).to_contain_text(later.strftime("%d/%m/%Y"))
    expect(page.locator('[data-version-state="current"]')).to_contain_text("Version 1")
    assert errors == []
