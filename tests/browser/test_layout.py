"""Reads well everywhere: on a 390-px phone the dashboard and the incident list are cards (the
incident, its deadline, the time left and its state first) with no sideways scroll, the menu
folds behind a button, an incident's actions are under the thumb; printed, an incident is an
evidence sheet; the skip link, the account page's choices and the public accessibility
statement work as a keyboard user and a visitor expect."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import select

from incidents.models import Incident
from incidents.service import record_event, report_incident
from sla.auth.models import User
from sla.contracts.models import Contract
from sla.db import session_scope, utcnow
from sla.engine.lifecycle import EventKind
from tests.support import ALERTS, require

pytestmark = pytest.mark.browser

PHONE = 390
# What the evidence sheet's history must hold (French, as the agent reads it).
SHEET_TITLE = "Messagerie des élus injoignable"
SHEET_COMMENT = "Appel au support, ticket relancé"


@pytest.fixture
def console_errors() -> Iterator[list[str]]:
    """Collects each page's console errors and uncaught exceptions (CSP refusals included);
    the test fails if any was seen."""
    seen: list[str] = []
    yield seen
    assert not seen, seen


def watched(page: Any, errors: list[str]) -> Any:
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


@pytest.fixture(scope="module")
def sheet_incident(live_app: Flask) -> int:
    """An incident logged by the agent, with a start of work and a comment recorded by her:
    its history says who did what and when."""
    with session_scope(live_app.extensions["sla.engine"]) as session:
        agent = session.exec(select(User).where(User.username == "agente")).one()
        contract = session.exec(select(Contract).where(Contract.reference == "D_2024_0110")).one()
        now = utcnow()
        reported = now - timedelta(hours=3)
        view = report_incident(
            session,
            contract_id=contract.id or 0,
            severity="bloquant",
            title=SHEET_TITLE,
            reported_at=reported,
            now=reported,
            user_id=agent.id,
            alert_settings=ALERTS,
            vendor_ticket_ref="LS-4242",
        )
        incident = session.get(Incident, view.incident.id)
        assert incident is not None and incident.id is not None
        for kind, at, text in (
            (EventKind.acknowledged, reported + timedelta(minutes=20), ""),
            (EventKind.comment, reported + timedelta(hours=1), SHEET_COMMENT),
        ):
            record_event(
                session,
                incident,
                kind=kind,
                occurred_at=at,
                now=at,
                user_id=agent.id,
                expected_revision=incident.revision,
                alert_settings=ALERTS,
                text=text,
            )
        return incident.id


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, f"{page.url} is {width} px wide on a {PHONE}-px phone"


def inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        inner["x"] >= outer["x"] - 1
        and inner["y"] >= outer["y"] - 1
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


def first_card_shows(card: Any, cells: tuple[str, ...]) -> None:
    """The card's cells are visible, inside the card, and inside the phone's width."""
    box = card.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE
    for selector in cells:
        cell = card.locator(selector)
        assert cell.is_visible(), selector
        assert cell.inner_text().strip() not in ("", "—"), selector
        cell_box = cell.bounding_box()
        assert cell_box is not None and inside(cell_box, box), (selector, cell_box, box)


def test_phone_dashboard_and_incident_list_are_cards(
    page_as: Any, live_server: str, shots: Path, console_errors: list[str]
) -> None:
    page = watched(page_as("agente", width=PHONE), console_errors)
    no_sideways_scroll(page)
    card = page.locator("table.dashboard tbody tr").first
    first_card_shows(card, ("td.c-incident", "td.c-deadline", "td.c-remaining", "td.c-state"))
    # The incident comes first, then its deadline, the time left, its state; the vendor after.
    tops = [
        card.locator(selector).bounding_box()["y"]
        for selector in ("td.c-incident", "td.c-deadline", "td.c-remaining", "td.c-state")
    ]
    assert tops == sorted(tops)
    vendor = card.locator("td[data-label='Prestataire']").bounding_box()
    assert vendor is not None and vendor["y"] > tops[-1]
    # Each value names itself: the column headers become labels on the card.
    label = card.locator("td.c-deadline").evaluate(
        "cell => getComputedStyle(cell, '::before').content"
    )
    assert "Échéance" in label
    assert page.locator("table.dashboard thead").bounding_box()["height"] <= 1
    page.screenshot(path=str(shots / "dashboard-phone.png"), full_page=True)

    # The list's filters fold on a phone, unless one was refused (a 400, which the browser
    # logs: a page not watched).
    refused = page_as("agente", width=PHONE)
    refused.goto(f"{live_server}/incidents/?from=hier")
    assert refused.locator("details.filter-box").get_attribute("open") is not None
    assert refused.get_by_label("Déclarés du").is_visible()
    page.goto(f"{live_server}/incidents/?state=open")
    assert page.locator("details.filter-box").get_attribute("open") is None
    no_sideways_scroll(page)
    # The first card with a deadline ahead or past (an incident waiting on us has none).
    card = (
        page.locator("table.incidents tbody tr")
        .filter(has=page.locator("td.c-remaining span"))
        .first
    )
    first_card_shows(card, ("td.c-incident", "td.c-deadline", "td.c-remaining", "td.c-state"))
    assert re.fullmatch(r"(dans|dépassée de) .+", card.locator("td.c-remaining").inner_text())
    number = card.locator("td.c-id").evaluate(
        "cell => getComputedStyle(cell, '::before').content + cell.textContent"
    )
    assert re.fullmatch(r'"#"\d+', number), number
    page.screenshot(path=str(shots / "incidents-phone.png"), full_page=False)


def test_phone_incident_actions_are_under_the_thumb(
    page_as: Any, live_server: str, shots: Path, sheet_incident: int, console_errors: list[str]
) -> None:
    page = watched(page_as("agente", width=PHONE), console_errors)
    page.goto(f"{live_server}/incidents/{sheet_incident}")
    no_sideways_scroll(page)
    buttons = page.locator("section.actions .quick button")
    assert buttons.count() >= 1
    for index in range(buttons.count()):
        box = buttons.nth(index).bounding_box()
        assert box is not None
        assert box["height"] >= 44, box  # a thumb's target
        assert box["width"] >= 150, box
        assert box["x"] + box["width"] <= PHONE
    # On the first screen, before the deadlines' table.
    first = buttons.first.bounding_box()
    assert first["y"] + first["height"] <= 900
    assert first["y"] < page.locator("table.targets").bounding_box()["y"]
    page.screenshot(path=str(shots / "incident-phone.png"), full_page=True)
    buttons.first.click()  # still records
    page.wait_for_load_state()
    assert page.locator(".flash-error").count() == 0


def test_phone_menu_folds_behind_a_button(
    page_as: Any, browser_instance: Any, live_server: str, console_errors: list[str]
) -> None:
    page = watched(page_as("agente", width=PHONE), console_errors)
    toggle = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Menu principal")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "site-menu"
    assert not nav.is_visible()
    assert page.locator("header.topbar").bounding_box()["height"] <= 80
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert nav.is_visible()
    page.get_by_role("link", name="Incidents", exact=True).first.focus()
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")

    # A desktop shows the menu and no button.
    desktop = watched(page_as("agente"), console_errors)
    assert desktop.get_by_role("navigation", name="Menu principal").is_visible()
    assert not desktop.locator(".menu-toggle").is_visible()

    # Without JavaScript the phone's menu stays open and the button hidden.
    context = browser_instance.new_context(
        viewport={"width": PHONE, "height": 900}, locale="fr-FR", java_script_enabled=False
    )
    try:
        bare = context.new_page()
        bare.goto(f"{live_server}/login")
        bare.get_by_label("Identifiant").fill("agente")
        bare.get_by_label("Mot de passe").fill("a browser test password")
        bare.get_by_role("button", name="Se connecter").click()
        bare.wait_for_url(f"{live_server}/")
        assert bare.get_by_role("navigation", name="Menu principal").is_visible()
        assert not bare.locator(".menu-toggle").is_visible()
    finally:
        context.close()


def test_an_incident_prints_as_an_evidence_sheet(
    page_as: Any, live_server: str, sheet_incident: int, tmp_path: Path, console_errors: list[str]
) -> None:
    page = watched(page_as("agente"), console_errors)
    page.goto(f"{live_server}/incidents/{sheet_incident}")
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    assert not page.locator("footer.footer").is_visible()
    assert not page.locator(".skip-link").is_visible()
    assert not page.locator("section.actions").is_visible()
    forms = page.locator("form")
    assert all(not forms.nth(i).is_visible() for i in range(forms.count()))
    buttons = page.locator("button")
    assert all(not buttons.nth(i).is_visible() for i in range(buttons.count()))
    header = page.locator(".print-header")
    assert header.is_visible() and "Fiche de constat d'incident" in header.inner_text()
    facts = page.locator(".facts").inner_text()
    for fact in ("Prestataire", "Contrat", "Gravité", "Heure H", "Libriciel", "D_2024_0110"):
        assert fact in facts
    assert page.locator("table.targets").is_visible()
    history = page.locator("table.history")
    assert history.is_visible()
    assert history.locator("thead").is_visible()  # a table again, not cards
    text = history.inner_text()
    for line in ("Prise en charge", SHEET_COMMENT, "Agente"):
        assert line in text
    # A folded explanation prints unfolded.
    explanation = page.locator(".explanation-row .explanation").first
    if explanation.count():
        assert explanation.is_visible()
    link = page.locator(".facts a").first
    assert link.evaluate("a => getComputedStyle(a).textDecorationLine") == "none"
    assert page.locator("tr").first.evaluate("tr => getComputedStyle(tr).breakInside") == "avoid"

    # The same sheet as a PDF (headless Chromium prints with the print media).
    pdftotext = shutil.which("pdftotext")
    require(pdftotext is not None, "pdftotext is not installed (apt-get install poppler-utils)")
    assert pdftotext is not None
    pdf = tmp_path / "incident.pdf"
    page.pdf(path=str(pdf), format="A4")
    printed = subprocess.run(
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    printed = " ".join(printed.split())  # lines wrap in the table's cells
    for line in (SHEET_TITLE, "Prise en charge", SHEET_COMMENT, "Agente", "LS-4242"):
        assert line in printed, line
    for absent in ("Se déconnecter", "Tableau de bord", "Aller au contenu", "Enregistrer"):
        assert absent not in printed, absent


def test_the_report_prints_without_its_controls(
    page_as: Any, live_server: str, console_errors: list[str]
) -> None:
    page = watched(page_as("agente"), console_errors)
    page.goto(f"{live_server}/reports/")
    page.emulate_media(media="print")
    assert page.locator("h1").is_visible()
    for selector in ("header.topbar", "form.report-filters", ".exports", "footer.footer"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("table").first.is_visible()


def test_skip_link_leads_to_the_content_with_the_focus_shown(
    page_as: Any, console_errors: list[str]
) -> None:
    page = watched(page_as("agente"), console_errors)
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # on screen once focused
    outline = skip.evaluate(
        "a => getComputedStyle(a).outlineStyle + ' ' + getComputedStyle(a).outlineWidth"
    )
    assert outline.startswith("solid") and not outline.endswith(" 0px"), outline
    assert page.locator("main#main").count() == 1
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_account_checkboxes_sit_left_of_their_labels(
    page_as: Any, live_server: str, shots: Path, console_errors: list[str]
) -> None:
    for width in (1280, PHONE):
        page = watched(page_as("lectrice", width=width), console_errors)
        page.goto(f"{live_server}/account")
        for name in ("notify_warnings", "notify_breaches", "notify_digest"):
            box = page.locator(f"input[name={name}]").bounding_box()
            label = page.locator(f"label[for={name}]").bounding_box()
            assert box is not None and label is not None
            assert box["x"] + box["width"] <= label["x"], (name, box, label)
            middle = box["y"] + box["height"] / 2
            assert label["y"] <= middle <= label["y"] + label["height"], (name, box, label)
        if width == PHONE:
            no_sideways_scroll(page)
    page.screenshot(path=str(shots / "account-phone.png"), full_page=True)


def test_accessibility_statement_is_public_and_linked_from_every_footer(
    browser_instance: Any, page_as: Any, live_server: str, console_errors: list[str]
) -> None:
    context = browser_instance.new_context(locale="fr-FR")
    try:
        page = watched(context.new_page(), console_errors)
        page.goto(f"{live_server}/login")
        link = page.locator("footer").get_by_role("link", name=re.compile("Accessibilité"))
        assert link.inner_text() == "Accessibilité : non conforme"
        link.click()
        page.wait_for_url(f"{live_server}/accessibility")
        assert page.locator("h1").inner_text() == "Déclaration d'accessibilité"
        text = page.locator("main").inner_text()
        assert "Garantie est non conforme avec le référentiel général" in text
        assert "Défenseur des droits" in text
    finally:
        context.close()
    signed_in = watched(page_as("lectrice"), console_errors)
    for path in ("/", "/incidents/", "/account"):
        signed_in.goto(live_server + path)
        assert signed_in.locator("footer a[href='/accessibility']").count() == 1, path


def test_state_badges_carry_words(page_as: Any, live_server: str) -> None:
    """Never colour alone: every state badge on the dashboard says its state in words."""
    page = page_as("lectrice")
    badges = page.locator(".badge")
    assert badges.count() > 0
    for index in range(min(badges.count(), 40)):
        assert badges.nth(index).inner_text().strip(), index
