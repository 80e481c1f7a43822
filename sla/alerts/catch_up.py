"""Open breaches offered to whoever could not receive them when they happened.

A breach must not depend on who was set to receive alerts at the instant it happened. When
what decides the recipients changes (a team address, a webhook, a contract's contacts, a
user's address or choices: `recipients.fingerprint`), every breach of an open incident is
offered at once to its recipients as they are now. A delivery's key is its alert's and its
recipient's, so whoever had it already gets nothing more: each recipient receives a breach
once, never twice.

At once rather than in the next digest: a breach is due now, and the digest is daily and
optional; waiting for it would again make the alert depend on the configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from incidents.models import Incident
from sla.alerts.messages import Words
from sla.alerts.models import AlertRecord, SweepMark
from sla.alerts.outbox import alert_of, flush_outbox, record
from sla.alerts.recipients import Directory, audience, contacts_of, fingerprint
from sla.db import id_of

OPEN = ("open", "paused")
BATCH = 500
MARK = "recipients"


def offer_open_breaches(
    session: Session, *, now: datetime, settings: Mapping[str, Any], words: Words
) -> int:
    """When the recipients changed since the last offer, deliver the open breaches to whoever
    has not had them (their title and link label in the language of `words`). Returns how
    many deliveries were recorded."""
    current = fingerprint(session, settings)
    mark = session.get(SweepMark, MARK)
    if mark is not None and mark.value == current:
        return 0
    recorded = 0
    directory = Directory(session, {})
    last_id = 0
    while True:
        batch = session.exec(
            select(AlertRecord, Incident)
            .join(Incident, col(Incident.id) == col(AlertRecord.incident_id))
            .where(
                AlertRecord.kind == "breach",
                col(Incident.status).in_(OPEN),
                col(AlertRecord.id) > last_id,
            )
            .order_by(col(AlertRecord.id))
            .limit(BATCH)
        ).all()
        if not batch:
            break
        for alert_record, incident in batch:
            last_id = id_of(alert_record)
            _offer(directory, alert_record, incident, now=now, settings=settings, words=words)
        recorded += flush_outbox(session)
    if mark is None:
        mark = SweepMark(name=MARK, value=current, updated_at=now)
    mark.value, mark.updated_at = current, now
    session.add(mark)
    session.flush()
    return recorded


def _offer(
    directory: Directory,
    alert_record: AlertRecord,
    incident: Incident,
    *,
    now: datetime,
    settings: Mapping[str, Any],
    words: Words,
) -> None:
    contacts = contacts_of(directory, incident.contract_id)
    reach = audience(directory, settings, contacts, incident.reporter_id, "breach")
    alert = alert_of(alert_record).worded(words)
    record(
        directory.session,
        key=alert_record.key,
        alert=alert,
        recipients=reach.recipients,
        now=now,
        webhook_format=settings["webhook_format"],
        incident_id=incident.id,
        raised=True,
    )
