"""The outbox: alerts recorded as facts, and their deliveries queued for `sla.alerts.delivery`.

`raise_alert` queues an alert (one row per key, whoever can receive it), `record` queues a
delivery of it, or of a digest or report mail, to one recipient on one channel. Both wait in
the session until `flush_outbox` writes them, each in one statement, skipping the keys that
are recorded already: a second sweep or a second scheduler records nothing twice (the
database's unique keys settle a race, ON CONFLICT DO NOTHING).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from sla.alerts.messages import Alert
from sla.alerts.models import AlertRecord, Notification

CHUNK = 500
log = logging.getLogger("sla.alerts")


@dataclass(frozen=True)
class Recipient:
    channel: str  # email or webhook
    address: str


def delivery_key(alert_key: str, recipient: Recipient) -> str:
    """A delivery's key: its alert's, and where it goes (one delivery per recipient; an
    address in any case is one mailbox)."""
    return f"{alert_key}|{recipient.channel}:{recipient.address.lower()}"[:300]


def raise_alert(
    session: Session,
    *,
    key: str,
    alert: Alert,
    now: datetime,
    recipients: Sequence[Recipient],
    webhook_format: str,
    incident_id: int | None = None,
    contract_id: int | None = None,
    target_key: str = "",
    unreachable: Iterable[str] = (),
) -> None:
    """Queue the fact that `alert` came due, and its delivery to each of `recipients`;
    `unreachable`: why nobody can receive it, when nobody can."""
    session.info.setdefault("alerts", []).append(
        {
            "key": key[:300],
            "kind": alert.kind,
            "incident_id": incident_id,
            "contract_id": contract_id,
            "target_key": target_key[:64],
            "subject": alert.subject[:300],
            "body_text": alert.text(),
            "body_html": alert.html(),
            "facts": {"lines": list(alert.lines), "link": alert.link, **alert.facts},
            "unreachable": sorted(set(unreachable)),
            "recorded_at": now,
        }
    )
    record(
        session,
        key=key,
        alert=alert,
        recipients=recipients,
        now=now,
        webhook_format=webhook_format,
        incident_id=incident_id,
        contract_id=contract_id,
        raised=True,
    )


def alert_of(record: AlertRecord) -> Alert:
    """The message a recorded alert says, to deliver it again to a new recipient. An alert
    recorded from a delivery made before alerts were kept as facts (migration 0009) has only
    its text: its lines are the text's first paragraph, its link the last word of the next."""
    facts = dict(record.facts)
    lines = [str(line) for line in facts.pop("lines", ())]
    link = str(facts.pop("link", ""))
    if not lines:
        paragraphs = record.body_text.split("\n\n")
        lines = paragraphs[0].splitlines()
        link = paragraphs[1].split()[-1] if len(paragraphs) > 1 and paragraphs[1].split() else ""
    return Alert(record.kind, record.subject, tuple(lines), link, facts)


def record(
    session: Session,
    *,
    key: str,
    alert: Alert,
    recipients: Sequence[Recipient],
    now: datetime,
    webhook_format: str,
    incident_id: int | None = None,
    contract_id: int | None = None,
    report_id: int | None = None,
    statement_id: int | None = None,
    raised: bool = False,
) -> None:
    """Queue a delivery to each recipient; `raised`: of the alert queued (or recorded) under
    `key`, else a message of its own (a digest, a report mail)."""
    session.info.setdefault("outbox", []).extend(
        {
            "key": delivery_key(key, recipient),
            "alert_key": key if raised else None,
            "kind": alert.kind,
            "channel": recipient.channel,
            "recipient": recipient.address,
            "subject": alert.subject[:300],
            "body_text": alert.text(),
            "body_html": alert.html(),
            "payload": alert.webhook(webhook_format) if recipient.channel == "webhook" else {},
            "incident_id": incident_id,
            "contract_id": contract_id,
            "report_id": report_id,
            "statement_id": statement_id,
            "status": "pending",
            "attempts": 0,
            "last_error": "",
            "next_attempt_at": now,
            "created_at": now,
        }
        for recipient in recipients
    )


Rows = list[dict[str, Any]]


def _new_rows(session: Session, key_column: Any, queued: Rows) -> Rows:
    """The queued rows whose key is not recorded yet (the last of each key)."""
    unique = {row["key"]: row for row in queued}
    keys = list(unique)
    existing: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        existing.update(
            session.exec(select(key_column).where(key_column.in_(keys[start : start + CHUNK])))
        )
    return [row for key, row in unique.items() if key not in existing]


def dialect_insert(session: Session) -> Any:
    """The database's own INSERT, which knows ON CONFLICT (PostgreSQL and SQLite)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    if rows:
        insert = dialect_insert(session)
        session.execute(insert(model).on_conflict_do_nothing(index_elements=["key"]), rows)


def _alert_ids(session: Session, keys: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), CHUNK):
        for alert_id, key in session.exec(
            select(AlertRecord.id, AlertRecord.key).where(
                col(AlertRecord.key).in_(ordered[start : start + CHUNK])
            )
        ):
            if alert_id is not None:
                found[key] = alert_id
    return found


def flush_outbox(session: Session) -> int:
    """Write the queued alerts, then the queued deliveries, whose keys are new. Returns how
    many deliveries were new; each new alert that reached nobody is logged."""
    alerts = _new_rows(session, col(AlertRecord.key), session.info.pop("alerts", []))
    _insert(session, AlertRecord, alerts)
    for row in alerts:
        if row["unreachable"]:
            log.warning(
                "alert reached nobody",
                extra={"key": row["key"], "why": ",".join(row["unreachable"])},
            )
    queued: list[dict[str, Any]] = session.info.pop("outbox", [])
    if not queued:
        return 0
    ids = _alert_ids(session, {row["alert_key"] for row in queued if row["alert_key"]})
    rows = _new_rows(session, col(Notification.key), queued)
    for row in rows:
        alert_key = row.pop("alert_key")
        row["alert_id"] = ids.get(alert_key) if alert_key else None
    _insert(session, Notification, rows)
    return len(rows)
