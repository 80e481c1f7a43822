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

from incidents.models import OPEN_STATUSES, Incident
from incidents.replay import IncidentView, events_by_incident
from sla.alerts.messages import Words
from sla.alerts.models import AlertRecord, SweepMark
from sla.alerts.outbox import alert_of, dialect_insert, flush_outbox, record
from sla.alerts.recipients import Directory, audience, fingerprint
from sla.alerts.sweep import replayed, target_key_base
from sla.contracts.document import ContractDocument
from sla.db import id_of
from sla.engine.target_states import TargetStatus

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
                col(Incident.status).in_(OPEN_STATUSES),
                col(AlertRecord.id) > last_id,
            )
            .order_by(col(AlertRecord.id))
            .limit(BATCH)
        ).all()
        if not batch:
            break
        last_id = id_of(batch[-1][0])
        events = events_by_incident(session, sorted({id_of(i) for _r, i in batch}))
        # An incident's breaches (take-charge, GTR…) are checked against one replay.
        views = {
            id_of(i): replayed(directory, i, events[id_of(i)], now=now, settings=settings)
            for _r, i in batch
        }
        for alert_record, incident in batch:
            found = views[id_of(incident)]
            if found is not None:
                _offer(
                    directory,
                    alert_record,
                    incident,
                    found[0],
                    found[1],
                    now=now,
                    settings=settings,
                    words=words,
                )
        recorded += flush_outbox(session)
    # Another scheduler may remember it at the same time: the last one writes, no error.
    statement = dialect_insert(session)(SweepMark).values(name=MARK, value=current, updated_at=now)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["name"], set_={"value": current, "updated_at": now}
        )
    )
    return recorded


def _offer(
    directory: Directory,
    alert_record: AlertRecord,
    incident: Incident,
    document: ContractDocument,
    view: IncidentView,
    *,
    now: datetime,
    settings: Mapping[str, Any],
    words: Words,
) -> None:
    """Deliver a breach to its recipients as they are now, if it still is one: its target
    breached at the same deadline (not met since, nor excluded, nor moved by a
    requalification); the contacts are those of the incident's contract version, as the
    sweep's."""
    still = any(
        t.status is TargetStatus.breached
        and f"breach:{target_key_base(id_of(incident), t)}" == alert_record.key
        for t in view.targets
    )
    if not still:
        return
    reach = audience(directory, settings, document.alerts.contacts, incident.reporter_id, "breach")
    record(
        directory.session,
        key=alert_record.key,
        alert=alert_of(alert_record).worded(words),
        recipients=reach.recipients,
        now=now,
        webhook_format=settings["webhook_format"],
        incident_id=incident.id,
        raised=True,
    )
