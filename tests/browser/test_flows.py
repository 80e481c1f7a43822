"""In a real browser: log a bloquant incident, follow it to resolution; roles; form errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_agent_logs_a_bloquant_incident_and_follows_it(
    page_as: Any, live_server: str, shots: Path
) -> None:
    page = page_as("agente")
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    page.get_by_role("link", name="Déclarer un incident").first.click()
    page.get_by_label("Prestataire et contrat").select_option(
        label="Libriciel SCOP — Maintenance et hébergement ComElus (D_2024_0110)"
    )
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label(re.compile("Niveau 0 – Bloquant")).check()
    page.get_by_label("Titre").fill("Convocations bloquées avant le conseil")
    page.get_by_label("Référence du ticket chez le prestataire").fill("LS-90210")
    page.get_by_label("Description").fill("Aucun élu ne reçoit la convocation du conseil de jeudi.")
    page.screenshot(path=str(shots / "log-incident.png"), full_page=True)
    page.get_by_role("button", name="Enregistrer l'incident").click()

    # After saving, every target's deadline is shown at once.
    page.wait_for_url(re.compile(r"/incidents/\d+$"))
    targets = page.locator("table.targets > tbody > tr:not(.explanation-row)")
    assert targets.count() == 3
    assert "Prise en compte" in targets.nth(0).inner_text()
    assert re.search(r"\d{2}:\d{2}", targets.nth(0).locator("td").nth(1).inner_text())

    page.get_by_role("button", name="Prise en charge").click()
    page.get_by_role("button", name="En attente du client").click()
    assert "en attente de notre part" in page.locator(".facts").inner_text()
    page.get_by_role("button", name="Reprise").click()
    assert "ouvert" in page.locator(".facts").inner_text()

    page.locator("section.actions details summary").first.click()
    page.get_by_label("Événement").select_option("requalified")
    page.get_by_label("Nouvelle gravité").select_option("majeur")
    page.get_by_label("Motif ou commentaire").fill("Un seul service concerné après diagnostic")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    assert "déclaré en Niveau 0 – Bloquant" in page.locator(".facts").inner_text()
    assert "Niveau 1 – Majeur" in page.locator(".facts").inner_text()

    page.get_by_role("button", name="Résolu").click()
    assert "résolu" in page.locator(".facts").inner_text()
    history = page.locator("table.history").inner_text()
    for step in (
        "Prise en charge",
        "En attente du client",
        "Reprise",
        "Gravité requalifiée",
        "Résolu",
    ):
        assert step in history
    assert "Agente" in history  # who recorded each event
    page.screenshot(path=str(shots / "incident.png"), full_page=True)


def test_a_mistaken_event_is_cancelled_not_deleted(page_as: Any) -> None:
    page = page_as("agente")
    page.goto(page.url + "incidents/new?contract_id=1")
    page.locator("input[name=severity]").first.check()
    page.get_by_label("Titre").fill("Saisie pour correction")
    page.get_by_role("button", name="Enregistrer l'incident").click()
    page.get_by_role("button", name="Prise en charge").click()
    row = page.locator("table.history tbody tr").nth(1)
    row.get_by_label("Motif de l'annulation").fill("mauvais incident")
    row.get_by_role("button", name="Annuler (erreur)").click()
    history = page.locator("table.history tbody tr")
    # Waits for the page the cancellation answers with (count() alone reads the page leaving).
    expect(history).to_have_count(3)  # heure H, the event (struck through), its cancellation
    assert "annulé" in history.nth(1).inner_text()


def test_form_error_keeps_what_was_typed(page_as: Any, live_server: str) -> None:
    page = page_as("agente")
    page.goto(f"{live_server}/incidents/new?contract_id=1")
    page.get_by_label("Titre").fill("Titre à garder")
    page.get_by_label("Description").fill("Une description longue à ne pas perdre.")
    page.get_by_role("button", name="Enregistrer l'incident").click()
    assert page.locator(".error").first.inner_text() == "Choisissez la gravité."
    assert page.get_by_label("Titre").input_value() == "Titre à garder"
    assert (
        page.get_by_label("Description").input_value() == "Une description longue à ne pas perdre."
    )


def test_viewer_sees_no_buttons_and_cannot_post(page_as: Any, live_server: str) -> None:
    page = page_as("lectrice")
    page.goto(f"{live_server}/incidents/1")
    assert page.locator("section.actions").count() == 0
    assert page.get_by_role("button", name="Prise en charge").count() == 0
    assert page.get_by_role("link", name="Déclarer un incident").count() == 0
    token = page.locator("form input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(
        f"{live_server}/incidents/1/events",
        form={"csrf_token": token, "kind": "comment", "revision": "1", "text": "x"},
    )
    assert response.status == 403


def test_main_screens_on_desktop_and_phone(page_as: Any, live_server: str, shots: Path) -> None:
    page = page_as("agente")
    for path, name in (
        ("/contracts/1", "contract"),
        ("/calendars/1?month=2025-05&start=2025-05-07T16:00&hours=4", "calendar"),
        ("/incidents/", "incidents"),
        ("/reports/", "reports"),
        ("/alerts/", "alerts"),
    ):
        page.goto(live_server + path)
        assert page.locator("h1").count() == 1
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    phone = page_as("agente", width=390)
    phone.screenshot(path=str(shots / "dashboard-phone.png"), full_page=True)
    # Nothing wider than the phone's screen but the tables, which scroll by themselves.
    assert phone.evaluate("document.body.scrollWidth") <= 400
    phone.goto(live_server + "/reports/")
    assert phone.locator("svg.chart").count() >= 3
    phone.screenshot(path=str(shots / "reports-phone.png"), full_page=False)
    assert phone.evaluate("document.body.scrollWidth") <= 400
