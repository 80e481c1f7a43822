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
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from incidents.models import OPEN_STATUSES, Incident, IncidentEvent
from incidents.replay import IncidentView, events_by_incident, view_of
from incidents.summary import limits_for
from sla.alerts.messages import Alert, Words, day_of, heading_of, target_alert
from sla.alerts.outbox import Recipient, flush_outbox, raise_alert
from sla.alerts.recipients import Directory, audience, contacts_of
from sla.contracts.document import ContractDocument
from sla.contracts.models import Contract, ContractVersion, Vendor
from sla.contracts.periods import dates_of
from sla.contracts.service import contract_periods, document_of, list_contracts
from sla.db import id_of
from sla.engine.alert_rules import Thresholds
from sla.engine.target_states import TargetState, TargetStatus
from sla.error_codes import N_

BATCH = 500


def sweep_incidents(
    session: Session,
    *,
    now: datetime,
    settings: Mapping[str, Any],
    base_url: str,
    zone: str,
    words: Words,
) -> int:
    """Record due warnings, breaches, reminders and escalations, and their deliveries.
    Returns how many deliveries were recorded."""
    recorded = 0
    last_id = 0
    directory = Directory(session, {})
    while True:
        batch = session.exec(
            select(Incident)
            .where(
                col(Incident.status).in_(OPEN_STATUSES),
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
                    words=words,
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


def target_key_base(incident_id: int, target: TargetState) -> str:
    """What a target's alerts are keyed by: the incident, the target and the deadline they are
    about (a moved deadline owes its alerts again)."""
    deadline = target.deadline.isoformat() if target.deadline else ""
    return f"{incident_id}:{target.key}:{deadline}"


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
    base = target_key_base(incident_id, target)
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
    words: Words,
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
        words=words,
    )


def replayed(
    directory: Directory,
    incident: Incident,
    events: list[IncidentEvent],
    *,
    now: datetime,
    settings: Mapping[str, Any],
) -> tuple[ContractDocument, IncidentView, Thresholds] | None:
    """An incident as the sweep sees it at `now`: the document of its contract version, its
    replayed view and its alert thresholds (None: its version is gone)."""
    version = directory.get(ContractVersion, incident.contract_version_id)
    if version is None:
        return None
    document = document_of(version)
    limits = limits_for(document, incident.current_severity, settings)
    return document, view_of(incident, events, document.sla, now=now, limits=limits), limits


def _sweep_one(
    directory: Directory,
    incident: Incident,
    events: list[IncidentEvent],
    *,
    now: datetime,
    settings: Mapping[str, Any],
    base_url: str,
    zone: str,
    words: Words,
) -> None:
    contract = directory.get(Contract, incident.contract_id)
    vendor = directory.get(Vendor, incident.vendor_id)
    found = replayed(directory, incident, events, now=now, settings=settings)
    if contract is None or vendor is None or found is None:
        return
    document, view, limits = found
    rules = document.alerts
    upcoming: list[datetime] = []

    def worded(kind: str, target: TargetState) -> Alert:
        return _target_alert(
            kind, view, target, vendor, contract, now=now, zone=zone, base_url=base_url, words=words
        )

    for target in view.targets:
        owed = due_alerts(incident.id or 0, target, limits, now)
        upcoming += owed.upcoming
        for kind, key in owed.due:
            alert = worded(kind, target)
            reach = audience(directory, settings, rules.contacts, incident.reporter_id, kind)
            raise_alert(
                directory.session,
                key=key,
                alert=alert,
                now=now,
                recipients=reach.recipients,
                webhook_format=settings["webhook_format"],
                incident_id=incident.id,
                target_key=target.key,
                unreachable=reach.unreachable,
            )
            if kind == "breach" and rules.escalate_to_vendor:
                # The contract's [alerts] escalate breaches to the vendor's support address.
                support = vendor.support_email
                raise_alert(
                    directory.session,
                    key=key.replace("breach:", "escalation:", 1),
                    alert=worded("escalation", target),
                    now=now,
                    recipients=[Recipient("email", support)] if support else [],
                    webhook_format=settings["webhook_format"],
                    incident_id=incident.id,
                    target_key=target.key,
                    unreachable=() if support else ("no_vendor_address",),
                )
    incident.next_alert_at = min(upcoming) if upcoming else None
    directory.session.add(incident)


def _contract_alerts(
    contract: Contract,
    vendor: Vendor | None,
    today: date,
    horizon: date,
    base_url: str,
    words: Words,
) -> list[tuple[str, date, Alert]]:
    """The notice deadline and the end of a contract that fall between today and `horizon`."""
    dates = contract_periods(contract, today)
    events = []
    for item in dates_of(dates):
        if not today <= item.day <= horizon:
            continue
        if item.what == "notice":
            line = words(
                N_(
                    "Last day to give notice of non-renewal: %(deadline)s "
                    "(the period ends on %(end)s)."
                ),
                deadline=day_of(item.day, words),
                end=day_of(dates.period_end, words) if dates.period_end else "—",
            )
        elif item.what == "end":
            line = words(N_("The contract ends on %(date)s."), date=day_of(item.day, words))
        else:  # a renewal happens by itself: the notice before it is what is due
            continue
        events.append((item.what, item.day, line))
    found = []
    for kind, day, line in events:
        heading = heading_of(kind, words)
        subject = f"[Garantie] {heading} — {vendor.name if vendor else ''} — {contract.reference}"
        about = words(
            N_("Contract %(reference)s '%(title)s'."),
            reference=contract.reference,
            title=contract.title,
        )
        alert = Alert(
            kind,
            subject,
            (about, line),
            f"{base_url.rstrip('/')}/contracts/{contract.id}",
            {"contract": contract.reference, "date": day.isoformat()},
        )
        found.append((kind, day, alert.worded(words)))
    return found


def sweep_contracts(
    session: Session,
    *,
    now: datetime,
    settings: Mapping[str, Any],
    base_url: str,
    zone: str,
    words: Words,
) -> int:
    """Record notices: N days before the last day to give notice, and before a contract's end
    (to the administrators, the team address, the contract's contacts and the webhooks)."""
    today = now.astimezone(ZoneInfo(zone)).date()
    horizon = today + timedelta(days=settings["notice_days"])
    directory = Directory(session, {})
    for contract in list_contracts(session):
        vendor = session.get(Vendor, contract.vendor_id)
        contacts = contacts_of(directory, contract.id)
        for kind, day, alert in _contract_alerts(contract, vendor, today, horizon, base_url, words):
            key = f"{kind}:{contract.id}:{day.isoformat()}"
            reach = audience(directory, settings, contacts, None, kind)
            raise_alert(
                session,
                key=key,
                alert=alert,
                now=now,
                recipients=reach.recipients,
                webhook_format=settings["webhook_format"],
                contract_id=contract.id,
                unreachable=reach.unreachable,
            )
    return flush_outbox(session)
