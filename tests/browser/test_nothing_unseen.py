"""Nothing due goes unseen: on a data set with a notice due today, a breached target on a
paused incident and an alert nobody could receive, the dashboard shows the notice first among
the contract dates and the paused row as breached, and the alerts page names who is missing."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from incidents.models import Incident
from incidents.service import record_event, report_incident
from sla.alerts.scheduler import sweep
from sla.app import create_app
from sla.auth import service as accounts
from sla.contracts.document import read_contract_text
from sla.contracts.models import Contract
from sla.contracts.periods import add_months
from sla.contracts.service import import_documents
from sla.db import session_scope, upgrade
from sla.engine.lifecycle import EventKind
from sla.web.roles import Role
from tests.browser.conftest import PASSWORD
from tests.conftest import EXAMPLES
from tests.support import ALERTS

PARIS = ZoneInfo("Europe/Paris")


def notice_due_today(today: date) -> str:
    """Gallimedia's contract moved so that its last day to give notice is `today`: the period
    ends in 9 days, notice 9 days before its end."""
    start = add_months(today + timedelta(days=10), -12)
    text = (EXAMPLES / "gallimedia-osny.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^start = .*$", f"start = {start.isoformat()}", text)
    text = re.sub(r"(?m)^effective_from = .*$", f"effective_from = {start.isoformat()}", text)
    text = re.sub(r"(?m)^notice_months = .*$", "notice_days = 9", text)
    return re.sub(r"(?m)^end = .*$", "", text)


def load(engine: Any, now: datetime, settings: Any) -> None:
    today = now.astimezone(PARIS).date()
    with session_scope(engine) as session:
        documents = [
            ("gallimedia.toml", read_contract_text(notice_due_today(today), "gallimedia.toml")),
            (
                "libriciel.toml",
                read_contract_text(
                    (EXAMPLES / "libriciel-comelus.toml").read_text(encoding="utf-8"),
                    "libriciel.toml",
                ),
            ),
        ]
        import_documents(session, documents, now=now - timedelta(days=400))
        agent = accounts.create_user(
            session, username="agente", password=PASSWORD, role=Role.agent, now=now
        )
        accounts.create_user(
            session, username="cheffe", password=PASSWORD, role=Role.admin, now=now
        )
        libriciel = session.exec(select(Contract).where(Contract.reference == "D_2024_0110")).one()
        reported = now - timedelta(days=6)
        view = report_incident(
            session,
            contract_id=libriciel.id or 0,
            severity="bloquant",
            title="Parapheur hors service",
            reported_at=reported,
            now=reported,
            user_id=agent.id,
            alert_settings=ALERTS,
        )
        incident = session.get(Incident, view.incident.id)
        assert incident is not None
        # The vendor waits on us: only the resolution stops (§5.2.4.1); the GTR runs on.
        record_event(
            session,
            incident,
            kind=EventKind.waiting_customer,
            occurred_at=now - timedelta(hours=1),
            now=now - timedelta(hours=1),
            user_id=agent.id,
            expected_revision=incident.revision,
            alert_settings=ALERTS,
        )
    # No team address, no webhook, nobody with an address: the breach reaches nobody.
    sweep(engine, settings, now=now)


@pytest.fixture(scope="module")
def unseen_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from waitress.server import create_server

    folder = tmp_path_factory.mktemp("unseen")
    app = create_app(
        {
            "app": {"instance_path": str(folder), "secret_key": "browser-tests"},
            "database": {"url": f"sqlite:///{folder / 'unseen.db'}"},
        },
        environ={},
    )
    engine = app.extensions["sla.engine"]
    upgrade(engine)
    load(engine, datetime.now(UTC), app.config["SLA_SETTINGS"])
    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    server.close()
    engine.dispose()


def signed_in(browser_instance: Any, base: str, username: str) -> Any:
    context = browser_instance.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/login")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")
    page.console_errors = errors
    return page


def test_the_dashboard_shows_the_notice_first_and_the_paused_breach_as_breached(
    browser_instance: Any, unseen_server: str, shots: Path
) -> None:
    page = signed_in(browser_instance, unseen_server, "agente")
    dates = page.locator("table.contract-dates tbody tr")
    assert dates.count() >= 1
    first = dates.first
    assert first.get_attribute("data-contract-date") == "notice"
    assert "Dernier jour pour dénoncer" in first.inner_text()
    assert "aujourd'hui" in first.inner_text()
    row = page.locator("#dashboard-rows tr", has_text="Parapheur hors service")
    assert row.get_attribute("class") == "row-breached"
    text = row.inner_text()
    assert "dépassé" in text and "attente" in text, text
    assert "suspendu" not in text
    page.screenshot(path=str(shots / "dashboard-contract-dates.png"), full_page=True)
    assert page.console_errors == []
    page.context.close()


def test_the_alerts_page_names_who_is_missing(
    browser_instance: Any, unseen_server: str, shots: Path
) -> None:
    page = signed_in(browser_instance, unseen_server, "cheffe")
    page.goto(f"{unseen_server}/alerts/?state=unreached")
    row = page.locator("table.alerts tbody tr", has_text="Parapheur hors service").first
    text = row.inner_text()
    assert "n'a atteint personne" in text, text
    assert "adresse d'équipe" in text, text
    assert "no_team_address" not in page.content()
    page.screenshot(path=str(shots / "alerts-unreached.png"), full_page=True)
    assert page.console_errors == []
    page.context.close()
