"""Incident services: report an incident, record events (append-only).

Every rule of the lifecycle lives in the pure engine (`sla.engine.lifecycle`); these services
load once, check with it, and write the event with the summary that one replay gives. They
flush, never commit.

Refusals are DomainErrors with a code of `sla.error_codes`, the field and parameters; the
engine's LifecycleError becomes one with its code and parameters. Instants carry no zone: the
reader's (the application's, as on the incident's page) words them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from incidents.models import CHANNELS, Incident, IncidentEvent
from incidents.replay import (
    IncidentView,
    document_for,
    events_of,
    replay_events,
    to_engine,
)
from incidents.search import search_key
from incidents.stored import target_rows
from incidents.summary import (
    AlertSettings,
    refresh_summary,
    store_targets,
    stored_targets_of,
    summary_values,
)
from sla.contracts.models import Contract
from sla.contracts.service import get_contract, terms_of, version_in_force
from sla.db import id_of
from sla.engine.lifecycle import Event, EventKind, LifecycleError
from sla.errors import DomainError, NotFound
from sla.safe_text import control_characters


class Conflict(DomainError):
    """The incident changed since the caller read it (another agent updated it)."""


TITLE_MAX = 300
TICKET_MAX = 100
# The details an agent may correct after the incident was reported.
CORRECTABLE = ("title", "description", "service", "channel", "vendor_ticket_ref")

# The input at fault when the engine refuses the event being recorded (else its kind).
_FIELD_OF_CODE = {
    "event.before_heure_h": "occurred_at",
    "event.future": "occurred_at",
    "event.unknown_severity": "severity",
    "event.same_severity": "severity",
    "event.unknown_clause": "exclusion",
    "event.no_clause": "exclusion",
    "event.no_reason": "text",
    "event.no_justification": "text",
    "cancellation.unknown_event": "cancels",
    "cancellation.of_cancellation": "cancels",
}


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError("instant.naive", field=field)
    return value


def _refused(error: LifecycleError, candidate: Event) -> DomainError:
    """The engine's refusal as a DomainError: same code and parameters, and the field of the
    event being recorded (a correction or an earlier instant may make another event
    impossible: then the field is what the new event changes, its `cancels` or its kind)."""
    if error.params.get("event_id") == candidate.id:
        field = _FIELD_OF_CODE.get(error.code, "kind")
    else:
        field = "cancels" if candidate.kind is EventKind.cancellation else "kind"
    return DomainError(error.code, field=field, **error.params)


def report_incident(
    session: Session,
    *,
    contract_id: int,
    severity: str,
    title: str,
    reported_at: datetime,
    now: datetime,
    user_id: int | None,
    alert_settings: AlertSettings,
    description: str = "",
    service: str = "",
    channel: str = "phone",
    vendor_ticket_ref: str = "",
) -> IncidentView:
    """Record an incident. Heure H may be in the past (agents log after the call), never in
    the future; the contract version in force that day is kept with it. Returns the view
    whose summary was stored."""
    contract = get_contract(session, contract_id)
    reported_at = _aware(reported_at, "reported_at")
    if reported_at > now:
        raise DomainError("reported_at.future", field="reported_at", reported_at=reported_at)
    _check_details(contract, title, description, service, channel, vendor_ticket_ref)
    version = version_in_force(session, contract, reported_at.date())
    terms = terms_of(version)
    if severity not in terms.severity_keys():
        raise DomainError(
            "severity.unknown",
            field="severity",
            severity=severity,
            known=list(terms.severity_keys()),
        )
    incident = Incident(
        vendor_id=contract.vendor_id,
        contract_id=contract_id,
        contract_version_id=id_of(version),
        service=service,
        title=title.strip(),
        description=description.strip(),
        severity=severity,
        current_severity=severity,
        reporter_id=user_id,
        reported_at=reported_at,
        channel=channel,
        vendor_ticket_ref=vendor_ticket_ref.strip()[:100],
        created_at=now,
        created_by_id=user_id,
        search_text=search_key(title.strip(), description.strip(), vendor_ticket_ref.strip()),
    )
    session.add(incident)
    session.flush()
    return refresh_summary(session, incident, now=now, alert_settings=alert_settings)


def _check_details(
    contract: Contract,
    title: str,
    description: str,
    service: str,
    channel: str,
    vendor_ticket_ref: str,
) -> None:
    """The rules an incident's details follow, when it is reported and when corrected."""
    if not title.strip():
        raise DomainError("title.empty", field="title")
    if len(title) > TITLE_MAX:
        raise DomainError("text.too_long", field="title", max=TITLE_MAX)
    if len(vendor_ticket_ref.strip()) > TICKET_MAX:
        raise DomainError("text.too_long", field="vendor_ticket_ref", max=TICKET_MAX)
    _check_text(
        {"title": title, "service": service, "vendor_ticket_ref": vendor_ticket_ref},
        {"description": description},
    )
    if channel not in CHANNELS:
        raise DomainError("channel.unknown", field="channel", channel=channel, known=list(CHANNELS))
    if service and contract.services and service not in contract.services:
        raise DomainError(
            "service.unknown", field="service", service=service, known=list(contract.services)
        )


def correct_incident(
    session: Session,
    incident: Incident,
    *,
    changes: Mapping[str, str],
    now: datetime,
    user_id: int | None,
    expected_revision: int,
) -> list[IncidentEvent]:
    """Correct details of an incident (its title, description, service, channel or the
    vendor's ticket reference, which often arrives after the call). Each changed detail is
    an append-only `corrected` event with what it was and what it becomes; the incident moves
    to its next revision, under the same optimistic lock as other events. Deadlines do not
    change: the lifecycle is untouched."""
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise DomainError("correction.unknown_field", field=unknown[0], name=unknown[0])
    wanted = {name: value.strip() for name, value in changes.items()}
    details = {name: getattr(incident, name) for name in CORRECTABLE} | wanted
    _check_details(get_contract(session, incident.contract_id), **details)
    changed = {name: value for name, value in wanted.items() if value != getattr(incident, name)}
    if not changed:
        raise DomainError("correction.nothing", field=next(iter(changes), "title"))
    before = {name: getattr(incident, name) for name in changed}
    search = search_key(details["title"], details["description"], details["vendor_ticket_ref"])
    _update_under_revision(session, incident, expected_revision, {**changed, "search_text": search})
    events = [
        IncidentEvent(
            incident_id=id_of(incident),
            kind=EventKind.corrected.value,
            occurred_at=now,
            recorded_at=now,
            recorded_by_id=user_id,
            field=name,
            before=before[name],
            after=value,
        )
        for name, value in changed.items()
    ]
    session.add_all(events)
    session.flush()
    return events


def get_incident(session: Session, incident_id: int) -> Incident:
    """The incident, or NotFound."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("incident.not_found", field="incident_id", incident_id=incident_id)
    return incident


def _check_text(one_line: dict[str, str], multiline: dict[str, str]) -> None:
    """Refuse control characters (a line break in a title would break every mail about it;
    PostgreSQL refuses NUL)."""
    for field, value in one_line.items():
        if control_characters(value):
            raise DomainError("text.one_line", field=field)
    for field, value in multiline.items():
        if control_characters(value, multiline=True):
            raise DomainError("text.control_characters", field=field)


def _check_event_fields(kind: EventKind, cancels: int | None, text: str) -> None:
    if kind is EventKind.corrected:  # it names a detail and its values: correct_incident
        raise DomainError("correction.through_details", field="kind")
    if kind is EventKind.cancellation and cancels is None:
        raise DomainError("cancellation.no_event", field="cancels")
    if kind is EventKind.cancellation and not text.strip():
        raise DomainError("cancellation.no_reason", field="text")
    if kind is EventKind.comment and not text.strip():
        raise DomainError("comment.empty", field="text")
    _check_text({}, {"text": text})


def _update_under_revision(
    session: Session, incident: Incident, expected_revision: int, values: dict[str, Any]
) -> None:
    """Write the incident's new summary and next revision, only if it is still at the
    revision the caller saw (an optimistic lock: Conflict otherwise, never an overwrite)."""
    incident_id = id_of(incident)
    values = {**values, "revision": expected_revision + 1}
    changed = session.execute(
        update(Incident)
        .where(col(Incident.id) == incident_id, col(Incident.revision) == expected_revision)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(incident)
        raise Conflict(
            "incident.changed",
            field="revision",
            incident_id=incident_id,
            revision=incident.revision,
            expected_revision=expected_revision,
        )
    for name, value in values.items():  # what the database now holds, without another read
        set_committed_value(incident, name, value)


def record_event(
    session: Session,
    incident: Incident,
    *,
    kind: EventKind,
    occurred_at: datetime,
    now: datetime,
    user_id: int | None,
    expected_revision: int,
    alert_settings: AlertSettings,
    severity: str | None = None,
    exclusion: str | None = None,
    target: str | None = None,
    cancels: int | None = None,
    text: str = "",
) -> IncidentView:
    """Append an event after checking the whole history with it stays possible, and store
    the incident's new summary: the incident's terms and events are loaded once and replayed
    once. Returns the view the caller may show (its last event is the new one).

    `expected_revision` is the revision the caller saw: if the incident changed since, the
    event is refused with Conflict (never a silent overwrite).
    """
    occurred_at = _aware(occurred_at, "occurred_at")
    _check_event_fields(kind, cancels, text)
    document = document_for(session, incident)
    terms = document.sla
    if kind is EventKind.exclusion_invoked and target is not None:
        keys = [t.key for s in terms.severities for t in s.targets]
        if target not in keys:
            raise DomainError(
                "target.unknown", field="target", target=target, known=list(dict.fromkeys(keys))
            )
        clause = terms.exclusion(exclusion or "")
        if clause is not None and clause.targets and target not in clause.targets:
            # The clause says which delays it covers: invoking it excludes those, no other.
            labels = {t.key: t.label for s in terms.severities for t in s.targets}
            raise DomainError(
                "exclusion.not_covered",
                field="target",
                target=labels.get(target, target),
                covers=", ".join(labels.get(key, key) for key in clause.targets),
            )
    incident_id = id_of(incident)
    existing = events_of(session, incident_id)
    if cancels is not None and not any(e.id == cancels for e in existing):
        raise DomainError(
            "cancellation.unknown_event", field="cancels", incident_id=incident_id, cancels=cancels
        )
    if cancels is not None and any(
        e.id == cancels and e.kind == EventKind.corrected.value for e in existing
    ):
        raise DomainError("cancellation.of_correction", field="cancels")
    # The new event's id is not known before it is written; the next one up keeps its place
    # in the replay's order (ids only break ties between events of the same instant).
    candidate = Event(
        id=max((e.id or 0 for e in existing), default=0) + 1,
        kind=kind,
        occurred_at=occurred_at,
        severity=severity,
        exclusion=exclusion,
        target=target,
        cancels=cancels,
        text=text,
    )
    try:
        state = replay_events(incident, terms, [*map(to_engine, existing), candidate], now)
    except LifecycleError as error:
        raise _refused(error, candidate) from None
    targets = stored_targets_of(document, state, now=now, alert_settings=alert_settings)
    _update_under_revision(session, incident, expected_revision, summary_values(state, targets))
    event = IncidentEvent(
        incident_id=incident_id,
        kind=kind.value,
        occurred_at=occurred_at,
        recorded_at=now,
        recorded_by_id=user_id,
        severity=severity,
        exclusion=exclusion,
        target=target,
        cancels_id=cancels,
        text=text.strip(),
    )
    session.add(event)
    session.flush()
    store_targets(session, {incident_id: target_rows(incident_id, terms, state, targets)})
    return IncidentView(incident, [*existing, event], state, targets, terms)
