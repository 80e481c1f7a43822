"""The sweep: record the alerts that are due, once each, in the outbox.

Only incidents whose `next_alert_at` has passed are looked at (an indexed query), so a sweep
over many open incidents stays cheap; each one looked at gets its next instant back. Alerts
that fell due while the scheduler was stopped are recorded at the next sweep: catching up
needs nothing more. Services flush, the caller commits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from incidents.models import Incident, IncidentEvent
from incidents.replay import IncidentView, events_by_incident, view_of
from incidents.summary import limits_for
from sla.alerts.messages import Alert, target_alert
from sla.alerts.models import Notification
from sla.auth.models import User
from sla.contracts.models import Contract, ContractVersion, Vendor
from sla.contracts.service import contract_periods, document_of, latest_version, list_contracts
from sla.db import id_of
from sla.engine.alert_rules import Thresholds
from sla.engine.target_states import TargetState, TargetStatus

OPEN = ("open", "paused")
BATCH = 500


@dataclass(frozen=True)
class Recipient:
    channel: str  # email or webhook
    address: str


def record(
    session: Session,
    *,
    key: str,
    alert: Alert,
    recipient: Recipient,
    now: datetime,
    webhook_format: str,
    incident_id: int | None = None,
    contract_id: int | None = None,
    report_id: int | None = None,
) -> None:
    """Queue one notification for `flush_outbox`, which writes those whose key is new."""
    session.info.setdefault("outbox", []).append(
        {
            "key": f"{key}|{recipient.channel}:{recipient.address}"[:300],
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
            "status": "pending",
            "attempts": 0,
            "last_error": "",
            "next_attempt_at": now,
            "created_at": now,
        }
    )


def flush_outbox(session: Session) -> int:
    """Write the queued notifications whose key is not recorded yet, in one statement; a key
    recorded meanwhile by another scheduler is skipped by the database (ON CONFLICT DO
    NOTHING). Returns how many were new."""
    queued: list[dict[str, Any]] = session.info.pop("outbox", [])
    unique = {row["key"]: row for row in queued}
    if not unique:
        return 0
    existing: set[str] = set()
    keys = list(unique)
    for start in range(0, len(keys), 500):
        existing.update(
            session.exec(
                select(Notification.key).where(col(Notification.key).in_(keys[start : start + 500]))
            )
        )
    rows = [row for key, row in unique.items() if key not in existing]
    if rows:
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(insert(Notification).on_conflict_do_nothing(index_elements=["key"]), rows)
    return len(rows)


@dataclass
class Directory:
    """The contracts, vendors, versions and users a sweep refers to, loaded once and held
    (the session's identity map is weak: a `get` per incident would go back to the database)."""

    session: Session
    loaded: dict[tuple[type, int], Any]

    def get(self, model: type, key: int | None) -> Any:
        if key is None:
            return None
        if (model, key) not in self.loaded:
            self.loaded[(model, key)] = self.session.get(model, key)
        return self.loaded[(model, key)]


def _recipients(
    directory: Directory,
    settings: Mapping[str, Any],
    contacts: tuple[str, ...],
    reporter_id: int | None,
    kind: str,
) -> list[Recipient]:
    found: list[Recipient] = []
    if reporter_id is not None:
        user = directory.get(User, reporter_id)
        wants = (
            user is not None
            and user.active
            and user.email
            and (user.notify_warnings if kind == "warning" else user.notify_breaches)
        )
        if wants and user is not None:
            found.append(Recipient("email", user.email))
    if settings["team_email"]:
        found.append(Recipient("email", settings["team_email"]))
    found += [Recipient("email", address) for address in contacts]
    found += [Recipient("webhook", url) for url in settings["webhooks"]]
    unique: dict[tuple[str, str], Recipient] = {(r.channel, r.address.lower()): r for r in found}
    return list(unique.values())


def sweep_incidents(
    session: Session, *, now: datetime, settings: Mapping[str, Any], base_url: str, zone: str
) -> int:
    """Record due warnings, breaches, reminders and escalations. Returns how many recorded."""
    recorded = 0
    last_id = 0
    directory = Directory(session, {})
    while True:
        batch = session.exec(
            select(Incident)
            .where(
                col(Incident.status).in_(OPEN),
                col(Incident.next_alert_at) <= now,
                col(Incident.id) > last_id,
            )
            .order_by(col(Incident.id))
            .limit(BATCH)
        ).all()
        if not batch:
            return recorded
        events = events_by_incident(session, [id_of(i) for i in batch])
        with session.no_autoflush:  # one flush per batch, not one per incident
            for incident in batch:
                last_id = id_of(incident)
                _sweep_one(
                    directory,
                    incident,
                    events[last_id],
                    now=now,
                    settings=settings,
                    base_url=base_url,
                    zone=zone,
                )
        recorded += flush_outbox(session)
        session.flush()


SILENT = (
    TargetStatus.paused,
    TargetStatus.excluded,
    TargetStatus.pending,
    TargetStatus.met,
    TargetStatus.not_applicable,
)


@dataclass(frozen=True)
class DueAlerts:
    """What one target owes now (kind, outbox key) and the next instants it may owe more."""

    due: list[tuple[str, str]]
    upcoming: list[datetime]


def due_alerts(
    incident_id: int, target: TargetState, limits: Thresholds, now: datetime
) -> DueAlerts:
    """The alerts a target owes at `now`: its warning once the threshold is passed, its
    breach, then a reminder every `reminder_seconds` while no milestone comes. Each is keyed
    by the deadline it is about, so that a moved deadline owes its alerts again."""
    due: list[tuple[str, str]] = []
    upcoming: list[datetime] = []
    if target.deadline is None or target.status in SILENT:
        return DueAlerts(due, upcoming)
    base = f"{incident_id}:{target.key}:{target.deadline.isoformat()}"
    if target.status is TargetStatus.breached:
        due.append(("breach", f"breach:{base}"))
        if target.milestone_at is None and limits.reminder_seconds > 0:
            reminders = math.floor(
                (now - target.deadline).total_seconds() / limits.reminder_seconds
            )
            if reminders >= 1:
                due.append(("reminder", f"reminder:{base}:{reminders}"))
            upcoming.append(
                target.deadline + timedelta(seconds=limits.reminder_seconds * (reminders + 1))
            )
    elif target.warn_at is not None:
        if target.warn_at <= now:
            due.append(("warning", f"warning:{base}"))
        else:
            upcoming.append(target.warn_at)
        upcoming.append(target.deadline)
    return DueAlerts(due, upcoming)


def _target_alert(
    kind: str,
    view: IncidentView,
    target: TargetState,
    vendor: Vendor,
    contract: Contract,
    *,
    now: datetime,
    zone: str,
    base_url: str,
) -> Alert:
    incident = view.incident
    late = target.lateness_seconds
    if late is None and target.total_seconds is not None:
        late = target.consumed_seconds - target.total_seconds
    return target_alert(
        kind=kind,
        incident_id=incident.id or 0,
        title=incident.title,
        vendor=vendor.name,
        contract=contract.reference,
        severity=view.state.severity,
        target_label=target.label,
        article=target.article,
        deadline=target.deadline or now,
        remaining_seconds=target.remaining_seconds,
        lateness_seconds=late,
        business=target.business,
        zone=zone,
        base_url=base_url,
    )


def _sweep_one(
    directory: Directory,
    incident: Incident,
    events: list[IncidentEvent],
    *,
    now: datetime,
    settings: Mapping[str, Any],
    base_url: str,
    zone: str,
) -> None:
    contract = directory.get(Contract, incident.contract_id)
    vendor = directory.get(Vendor, incident.vendor_id)
    version = directory.get(ContractVersion, incident.contract_version_id)
    if contract is None or vendor is None or version is None:
        return
    document = document_of(version)
    rules = document.alerts
    limits = limits_for(document, incident.current_severity, settings)
    view = view_of(incident, events, document.sla, now=now, limits=limits)
    upcoming: list[datetime] = []
    for target in view.targets:
        owed = due_alerts(incident.id or 0, target, limits, now)
        upcoming += owed.upcoming
        for kind, key in owed.due:
            alert = _target_alert(
                kind, view, target, vendor, contract, now=now, zone=zone, base_url=base_url
            )
            for recipient in _recipients(
                directory, settings, rules.contacts, incident.reporter_id, kind
            ):
                record(
                    directory.session,
                    key=key,
                    alert=alert,
                    recipient=recipient,
                    now=now,
                    webhook_format=settings["webhook_format"],
                    incident_id=incident.id,
                )
            if kind == "breach" and rules.escalate_to_vendor and vendor.support_email:
                record(
                    directory.session,
                    key=key.replace("breach:", "escalation:", 1),
                    alert=_target_alert(
                        "escalation",
                        view,
                        target,
                        vendor,
                        contract,
                        now=now,
                        zone=zone,
                        base_url=base_url,
                    ),
                    recipient=Recipient("email", vendor.support_email),
                    now=now,
                    webhook_format=settings["webhook_format"],
                    incident_id=incident.id,
                )
    incident.next_alert_at = min(upcoming) if upcoming else None
    directory.session.add(incident)


def sweep_contracts(
    session: Session, *, now: datetime, settings: Mapping[str, Any], base_url: str, zone: str
) -> int:
    """Record notices: N days before the last day to give notice, and before a contract's end."""
    from zoneinfo import ZoneInfo

    today = now.astimezone(ZoneInfo(zone)).date()
    horizon = today + timedelta(days=settings["notice_days"])
    directory = Directory(session, {})
    for contract in list_contracts(session):
        dates = contract_periods(contract, today)
        vendor = session.get(Vendor, contract.vendor_id)
        rules = document_of(latest_version(session, contract)).alerts
        events = []
        if dates.notice_deadline and today <= dates.notice_deadline <= horizon:
            events.append(
                (
                    "notice",
                    dates.notice_deadline,
                    "Dernier jour pour dénoncer la reconduction : "
                    f"{dates.notice_deadline:%d/%m/%Y} "
                    f"(fin de la période le {dates.period_end:%d/%m/%Y}).",
                )
            )
        if dates.final_end and today <= dates.final_end <= horizon:
            events.append(
                ("end", dates.final_end, f"Le contrat prend fin le {dates.final_end:%d/%m/%Y}.")
            )
        for kind, day, line in events:
            heading = "Préavis à donner" if kind == "notice" else "Fin de contrat"
            subject = (
                f"[Garantie] {heading} — {vendor.name if vendor else ''} — {contract.reference}"
            )
            alert = Alert(
                kind,
                subject,
                (f"Contrat {contract.reference} « {contract.title} ».", line),
                f"{base_url.rstrip('/')}/contracts/{contract.id}",
                {"contract": contract.reference, "date": day.isoformat()},
            )
            recipients = _recipients(directory, settings, rules.contacts, None, kind)
            for recipient in recipients:
                record(
                    session,
                    key=f"{kind}:{contract.id}:{day.isoformat()}",
                    alert=alert,
                    recipient=recipient,
                    now=now,
                    webhook_format=settings["webhook_format"],
                    contract_id=contract.id,
                )
    return flush_outbox(session)
