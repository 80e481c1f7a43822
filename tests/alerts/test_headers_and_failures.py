"""Text with line breaks never breaks a mail, a mail that cannot be delivered fails at once and
loudly (the alerts page, the administrators' banner), and one-line fields refuse control
characters at the door."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update
from sqlmodel import select

from incidents.models import Incident
from incidents.service import report_incident
from sla.alerts.models import Notification
from sla.contracts.models import Contract, Vendor
from sla.db import session_scope, utcnow
from sla.errors import DomainError
from tests.alerts.conftest import Mailbox
from tests.alerts.test_alerts import H, run, setup
from tests.support import ALERTS, PASSWORD, login


@pytest.mark.parametrize(
    "title", ["Convocations\r\nBcc: x@evil.example", "ligne 1\nligne 2", "nul\x00"]
)
def test_a_title_with_control_characters_is_refused_on_the_title(
    alerts_app: Flask, title: str
) -> None:
    setup(alerts_app)
    with session_scope(alerts_app.extensions["sla.engine"]) as session:
        contract = session.exec(select(Contract).where(Contract.reference == "D_2024_0110")).one()
        with pytest.raises(DomainError) as refused:
            report_incident(
                session,
                contract_id=contract.id or 0,
                severity="bloquant",
                title=title,
                reported_at=H,
                now=H,
                user_id=None,
                alert_settings=ALERTS,
            )
    assert refused.value.field == "title"


def test_names_stored_with_line_breaks_still_give_one_line_headers(
    alerts_app: Flask, mailbox: tuple[Mailbox, int]
) -> None:
    box, _port = mailbox
    incident_id = setup(alerts_app)
    engine = alerts_app.extensions["sla.engine"]
    # Data from before the door was shut: a title and a vendor name over two lines.
    with session_scope(engine) as session:
        session.execute(
            update(Incident)
            .where(Incident.id == incident_id)
            .values(title="Convocations\r\nBcc: x@evil.example")
        )
        session.execute(
            update(Vendor).where(Vendor.name == "Libriciel SCOP").values(name="Libriciel\nSCOP")
        )
    result = run(alerts_app, H + timedelta(hours=5))
    assert result.sent > 0 and result.failed == 0
    subjects = [m["Subject"] for m in box.messages]
    assert subjects and all("\n" not in s and "\r" not in s for s in subjects)
    assert any("Convocations Bcc: x@evil.example" in s for s in subjects)
    assert all(m["Bcc"] is None for m in box.messages)


class Refusing(Mailbox):
    """A mail server that refuses one recipient for good (550)."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("dsi@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_recipient_refused_for_good_fails_at_once_and_admins_see_a_banner(
    alerts_app: Flask, mailbox: tuple[Mailbox, int], make_user: Any
) -> None:
    box, _port = mailbox
    box.__class__ = Refusing  # the controller holds this handler object
    setup(alerts_app)
    engine = alerts_app.extensions["sla.engine"]
    result = run(alerts_app, H + timedelta(hours=5))
    assert result.failed > 0
    with session_scope(engine) as session:
        failed = session.exec(select(Notification).where(Notification.status == "failed")).all()
        assert failed and all(n.recipient.startswith("dsi@") for n in failed)
        assert all(n.attempts == 1 for n in failed)  # no retries: retrying cannot help
        assert all("550" in (n.last_error or "") for n in failed)
        # The banner is about the last seven days: this drill's clock is in 2025.
        session.execute(update(Notification).values(created_at=utcnow()))
    from sla.web.roles import Role

    make_user("chef", Role.admin)
    client = alerts_app.test_client()
    login(client, "chef", PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/alerts/?state=failed&amp;since=' in page
    make_user("lecteur", Role.viewer)
    viewer = alerts_app.test_client()
    login(viewer, "lecteur", PASSWORD)
    assert "/alerts/?state=failed" not in viewer.get("/").get_data(as_text=True)
