"""What the screens say is true and in French: the dashboard's badges follow its order, and no
page of the main flows shows an English sentence in French mode (nor a console error)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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
