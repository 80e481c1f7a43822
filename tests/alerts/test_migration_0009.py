"""Migration 0009 makes an alert of each delivery made before alerts were kept as facts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, col, select

from sla.alerts.models import AlertRecord, Notification
from sla.alerts.outbox import alert_of
from sla.app import create_app
from sla.db import upgrade
from tests.conftest import app_config

BODY = (
    "Délai dépassé : GTR (§5.2) pour l'incident n° 7 « Parapheur ».\n"
    "Échéance : lun. 5 mai 2025 15:00.\n\n"
    "Voir : https://garantie.ville.example/incidents/7\n\n— Garantie\n"
)
KEY = "breach:7:gtr:2025-05-05T15:00:00+02:00"


def test_earlier_deliveries_get_their_alert(tmp_path: Path) -> None:
    app = create_app(app_config(f"sqlite:///{tmp_path / 'old.db'}", tmp_path / "i"), environ={})
    engine = app.extensions["sla.engine"]
    upgrade(engine, "0008")
    at = datetime(2025, 5, 5, 13, 1, tzinfo=UTC).isoformat()
    with engine.begin() as connection:
        for key, kind, channel, to in (
            (f"{KEY}|email:DSI@Ville.example", "breach", "email", "DSI@Ville.example"),
            (f"{KEY}|webhook:https://chat/hook", "breach", "webhook", "https://chat/hook"),
            ("digest:2025-05-06|email:dg@ville.example", "digest", "email", "dg@ville.example"),
        ):
            connection.execute(
                text(
                    "INSERT INTO notifications (key, kind, channel, recipient, subject, "
                    "body_text, body_html, payload, status, attempts, next_attempt_at, "
                    "last_error, created_at) VALUES (:key, :kind, :channel, :to, "
                    "'[Garantie] Délai dépassé', :body, '', '{}', 'sent', 1, :at, '', :at)"
                ),
                {"key": key, "kind": kind, "channel": channel, "to": to, "body": BODY, "at": at},
            )
    upgrade(engine)
    with Session(engine) as session:
        alerts = session.exec(select(AlertRecord)).all()
        assert [(a.key, a.kind, a.target_key) for a in alerts] == [(KEY, "breach", "gtr")]
        linked = {
            n.kind: n.alert_id
            for n in session.exec(select(Notification).order_by(col(Notification.id)))
        }
        assert linked == {"breach": alerts[0].id, "digest": None}
        keys = set(session.exec(select(Notification.key)))
        assert f"{KEY}|email:dsi@ville.example" in keys  # as delivery keys are now written
        again = alert_of(alerts[0])  # offered to someone added later: what it said then
        assert again.lines[0].startswith("Délai dépassé : GTR")
        assert again.link == "https://garantie.ville.example/incidents/7"
    engine.dispose()
