"""What the screens say is true and in French: the dashboard's badges follow its order, and no
page of the main flows shows an English sentence in French mode (nor a console error)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from sqlmodel import Session, select

from calendars.models import VendorCalendar
from incidents.models import Incident, IncidentEvent
from sla.alerts.models import AlertRecord
from sla.contracts.models import Contract, ContractVersion, Vendor

URGENCY = ("breached", "at_risk", "running", "paused")
# Words and phrases of the English catalogue that must not survive on a French page. Data
# typed by people (titles, contract wording) is French in the demo.
ENGLISH = re.compile(
    r"\b(the|and|business|running|breached|paused|waiting on|remaining|severity|deadline|"
    r"log an incident|excl\. tax|unknown|cannot|expected|attempts?|margin|late:|vendor|"
    r"resolved|closed|target|reported|no incident|more open|incidents of)\b",
    re.IGNORECASE,
)
PAGES = (
    "/",
    "/incidents/",
    "/incidents/1",
    "/contracts/1",
    "/vendors/",
    "/calendars/",
    "/calendars/1",
    "/alerts/",
    "/reports/",
    "/outages/",
    "/account",
)


def test_the_dashboard_badges_follow_its_order(page_as: Any, live_server: str) -> None:
    page = page_as("agente")
    states = [
        cls.removeprefix("row-")
        for cls in page.locator("#dashboard-rows tr[class^='row-']").evaluate_all(
            "rows => rows.map(r => r.className)"
        )
    ]
    assert len(states) >= 5 and "breached" in states, states
    assert states == sorted(states, key=URGENCY.index), states


def test_no_english_on_the_main_pages_in_french(
    page_as: Any, live_server: str, shots: Path
) -> None:
    page = page_as("agente")
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    found: dict[str, list[str]] = {}
    for path in PAGES:
        response = page.goto(live_server + path)
        assert response is not None and response.status == 200, path
        text = page.locator("main").inner_text()
        hits = sorted({m.group(0) for m in ENGLISH.finditer(text)})
        if hits:
            found[path] = hits
    assert found == {}
    assert errors == []


# Words of the French catalogue that must not survive on an English page.
FRENCH = re.compile(
    r"(dépassé|échéance|prestataire|gravité|restant|retard|marge|suspendu|tous les|aucun|"
    r"rapport|fournisseur|préavis|reconduction|ouvrée?s?\b|en attente|signalé|jours?\b|"
    r"délai|respecté|incidents? ouverts?|envoyé|à envoyer|destinataire|n'a atteint|"
    r"\bpar mois\b|\bheure h\b|les plus urgents)",
    re.IGNORECASE,
)


def people_typed(app: Flask) -> list[str]:
    """What people typed or copied from the contracts (titles, descriptions, labels, names,
    the alerts' recorded mails): data, in the language it was written in, longest first."""
    with Session(app.extensions["sla.engine"]) as session:
        texts: set[str] = set()
        for incident in session.exec(select(Incident)):
            texts |= {incident.title, incident.description, incident.service}
        for event in session.exec(select(IncidentEvent)):
            texts |= {event.text or ""}
        for vendor in session.exec(select(Vendor)):
            texts.add(vendor.name)
        for contract in session.exec(select(Contract)):
            texts.add(contract.title)
        for alert in session.exec(select(AlertRecord)):
            texts.add(alert.subject)
        for version in session.exec(select(ContractVersion)):
            texts |= set(strings_of(version.document))
        for calendar in session.exec(select(VendorCalendar)):
            texts |= set(strings_of(calendar.definition)) | {calendar.name}
    return sorted((t for t in texts if t and t.strip()), key=len, reverse=True)


def strings_of(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_of(item)


def test_no_french_on_the_main_pages_in_english(
    page_as: Any, live_server: str, live_app: Flask
) -> None:
    """A person who chose English reads English everywhere but in what people typed."""
    data = people_typed(live_app)
    page = page_as("agent-en")
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    found: dict[str, list[str]] = {}
    for path in PAGES:
        response = page.goto(live_server + path)
        assert response is not None and response.status == 200, path
        text = page.locator("main").inner_text()
        for typed in data:
            text = text.replace(typed, " ")
        hits = sorted({m.group(0) for m in FRENCH.finditer(text)})
        if hits:
            found[path] = hits
    assert found == {}
    assert errors == []
