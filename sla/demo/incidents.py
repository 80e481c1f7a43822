"""Demo incidents: plausible histories per contract, checked by the lifecycle engine, written
in batches with their stored summaries and targets. Deterministic for a seed and a day."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import insert
from sqlmodel import Session, col, func, select

from calendars.engine import compiled
from incidents.models import Incident, IncidentEvent, IncidentTarget
from incidents.search import search_key
from incidents.stored import target_rows
from incidents.summary import AlertSettings, stored_targets_of, summary_values
from sla.contracts.models import Contract, ContractVersion
from sla.contracts.service import (
    document_of,
    version_in_force,
)
from sla.db import id_of
from sla.demo.examples import ILLUSTRATIVE_REFERENCE
from sla.engine.lifecycle import Event, EventKind, IncidentState, replay
from sla.engine.target_states import TargetState
from sla.engine.terms import DurationUnit, SlaTerms, TargetKind, TargetTerms

TITLES = {
    "D_2024_0110": [
        "Convocations non envoyées",
        "Espace élu inaccessible",
        "Lenteurs à l'ouverture des séances",
        "Pièce jointe illisible",
        "Erreur 500 à la connexion",
    ],
    "OSNY-GALLIMEDIA-2024": [
        "Site osny.fr indisponible",
        "Module Drupal vulnérable",
        "Formulaire de contact en erreur",
        "Droits d'édition trop larges",
    ],
    "MIRAMAS-AUKFOOD-2023": [
        "Collabora ne s'ouvre plus",
        "Serveur de fichiers saturé",
        "Certificat expiré sur le serveur web",
        "Sauvegarde en échec",
        "Mise à jour Debian bloquée",
    ],
    "SMICA-DRUELLE-2024": [
        "Correctif Windows à appliquer",
        "Correctif Microsoft 365 publié",
        "Demande de nouvelle boîte mail",
        "Poste non synchronisé OneDrive",
    ],
    "2025CM0417": [
        "Instruction ADS impossible",
        "Calcul des taxes erroné",
        "Édition d'arrêté en erreur",
        "Intégration MAJIC annuelle",
        "Lenteur du module cadastre",
    ],
    ILLUSTRATIVE_REFERENCE: [
        "Progiciel métier indisponible",
        "Export comptable en erreur",
        "Lenteurs de l'application",
        "Connexion impossible",
    ],
}
ORDER = [
    TargetKind.take_charge,
    TargetKind.first_response,
    TargetKind.intervention,
    TargetKind.restoration,
    TargetKind.resolution,
    TargetKind.other,
]


def _delay(rng: random.Random, target: TargetTerms) -> float:
    """Business (or real) seconds a demo vendor takes for a target: mostly in time."""
    amount = target.duration.amount
    if target.duration.unit is DurationUnit.business_days:
        amount *= 8 * 3600  # about a business day
    if target.duration.unit is DurationUnit.calendar_days:
        amount *= 86_400
    if target.duration.unit is DurationUnit.months:
        amount *= 30 * 86_400
    if target.duration.unit is DurationUnit.none:
        amount = rng.uniform(5, 40) * 8 * 3600
    factor = rng.uniform(0.05, 0.9) if rng.random() < 0.82 else rng.uniform(1.05, 2.5)
    return max(60.0, amount * factor)


def _when(terms: SlaTerms, target: TargetTerms, start: datetime, seconds: float) -> datetime:
    calendar = compiled(terms.calendars[target.calendar])
    if target.duration.is_business or target.duration.unit is DurationUnit.none:
        return calendar.deadline(start, seconds)
    return start + timedelta(seconds=seconds)


def _history(
    rng: random.Random,
    terms: SlaTerms,
    severity: str,
    reported: datetime,
    now: datetime,
) -> list[Event]:
    """A plausible, valid sequence of events for one incident (an exclusion is invoked only
    for a target its clause covers, as the incident service requires)."""
    events: list[Event] = []

    def add(kind: EventKind, at: datetime, **extra: object) -> bool:
        if at > now:
            return False
        # In UTC: wall-time arithmetic in the calendar's zone would make instants that do not
        # exist (02:30 on the spring DST Sunday), and Python compares same-zone times by wall.
        at = at.astimezone(UTC)
        events.append(Event(id=len(events) + 1, kind=kind, occurred_at=at, **extra))  # type: ignore[arg-type]
        return True

    targets = sorted(terms.severity(severity).targets, key=lambda t: ORDER.index(t.kind))
    cursor = reported
    stamps: dict[str, datetime] = {}
    if rng.random() < 0.1 and len(terms.severities) > 1:
        other = rng.choice([s.key for s in terms.severities if s.key != severity])
        at = reported + timedelta(minutes=rng.randint(20, 240))
        if not add(
            EventKind.requalified,
            at,
            severity=other,
            text="Requalifié après diagnostic du prestataire",
        ):
            return events
        targets = sorted(terms.severity(other).targets, key=lambda t: ORDER.index(t.kind))
        cursor = at
    for target in targets:
        origin = stamps.get(target.origin, reported)
        at = max(_when(terms, target, origin, _delay(rng, target)), cursor + timedelta(minutes=5))
        recent = now - cursor < timedelta(days=10)
        if target.kind in (TargetKind.restoration, TargetKind.resolution) and rng.random() < (
            0.5 if recent else 0.2
        ):
            pause_at = cursor + (at - cursor) / 3
            resume_at = pause_at + timedelta(hours=rng.randint(2, 60))
            if now - pause_at < timedelta(days=7) and rng.random() < 0.5:
                resume_at = now + timedelta(days=1)  # still waiting on us today
            if not add(
                EventKind.waiting_customer, pause_at, text="Le prestataire attend nos journaux"
            ):
                return events
            if not add(EventKind.resumed, resume_at):
                return events
            at = max(at, resume_at) + (resume_at - pause_at)
        covering = [e.key for e in terms.exclusions if not e.targets or target.key in e.targets]
        if (covering and target.kind is TargetKind.restoration and rng.random() < 0.12) and not add(
            EventKind.exclusion_invoked,
            cursor + timedelta(minutes=30),
            exclusion=rng.choice(covering),
            target=target.key,
            text="Origine hors périmètre du prestataire",
        ):
            return events
        kind = {
            TargetKind.take_charge: EventKind.acknowledged,
            TargetKind.first_response: EventKind.acknowledged,
            TargetKind.intervention: EventKind.intervention_started,
            TargetKind.restoration: EventKind.workaround,
        }.get(target.kind, EventKind.resolved)
        if kind in (EventKind.intervention_started, EventKind.acknowledged) and any(
            e.kind is kind for e in events
        ):
            continue
        if not add(kind, at):
            return events
        stamps[target.key] = at
        cursor = at
        if kind is EventKind.resolved:
            break
    if events and events[-1].kind is not EventKind.resolved:
        add(EventKind.resolved, cursor + timedelta(hours=rng.randint(1, 72)))
    if events and events[-1].kind is EventKind.resolved and rng.random() < 0.8:
        add(EventKind.closed, events[-1].occurred_at + timedelta(hours=rng.randint(2, 96)))
    return events


@dataclass
class DemoBatch:
    """Incidents generated but not written yet: their rows, events and computed targets."""

    incidents: list[dict[str, object]] = field(default_factory=list)
    events: list[list[Event]] = field(default_factory=list)
    targets: list[tuple[SlaTerms, IncidentState, list[TargetState]]] = field(default_factory=list)


def _write_batch(
    session: Session, batch: DemoBatch, *, rng: random.Random, now: datetime, user_id: int | None
) -> int:
    """Insert a batch (incidents, their stored targets, their events) in three statements."""
    if not batch.incidents:
        return 0
    ids = (
        session.execute(
            insert(Incident).returning(col(Incident.id), sort_by_parameter_order=True),
            batch.incidents,
        )
        .scalars()
        .all()
    )
    targets = [
        row
        for incident_id, (terms, state, computed) in zip(ids, batch.targets, strict=True)
        for row in target_rows(incident_id, terms, state, computed)
    ]
    session.execute(insert(IncidentTarget), targets)
    rows = [
        {
            "incident_id": incident_id,
            "kind": event.kind.value,
            "occurred_at": event.occurred_at,
            "recorded_at": min(now, event.occurred_at + timedelta(minutes=rng.randint(1, 90))),
            "recorded_by_id": user_id,
            "severity": event.severity,
            "exclusion": event.exclusion,
            "target": event.target,
            "cancels_id": None,
            "text": event.text,
        }
        for incident_id, events in zip(ids, batch.events, strict=True)
        for event in events
    ]
    if rows:
        session.execute(insert(IncidentEvent), rows)
    written = len(batch.incidents)
    batch.incidents.clear()
    batch.events.clear()
    batch.targets.clear()
    return written


def _add_incident(
    session: Session,
    batch: DemoBatch,
    contract: Contract,
    reported: datetime,
    *,
    rng: random.Random,
    now: datetime,
    user_id: int | None,
    alert_settings: AlertSettings,
) -> None:
    """Generate one incident of `contract` reported at about `reported`, with a plausible
    history, and add it to the batch with the summary the incident service would store."""
    version = version_in_force(session, contract, reported.date())
    document = document_of(version)
    terms = document.sla
    calendar = compiled(terms.calendars[contract.calendar_key])
    if rng.random() < 0.75:  # most reports come in during opening hours
        reported = (calendar.open_at_or_after(reported) or reported).astimezone(UTC)
    if reported > now:
        return
    severity = rng.choices(
        [s.key for s in terms.severities],
        weights=[1 + i for i in range(len(terms.severities))][::-1],
    )[0]
    events = _history(rng, terms, severity, reported, now)
    state = replay(
        reported_at=reported,
        severity=severity,
        events=events,
        now=now,
        severities=terms.severity_keys(),
        exclusions=[e.key for e in terms.exclusions],
    )
    # The same targets and summary the incident service stores after every change.
    computed = stored_targets_of(document, state, now=now, alert_settings=alert_settings)
    service = rng.choice(contract.services) if contract.services else ""
    title = rng.choice(TITLES.get(contract.reference, ["Incident"]))
    channel = rng.choice(["phone", "email", "portal"])
    ticket = f"T{rng.randint(10000, 99999)}"
    batch.incidents.append(
        {
            **summary_values(state, computed),
            "vendor_id": contract.vendor_id,
            "contract_id": contract.id,
            "contract_version_id": id_of(version),
            "service": service,
            "title": title,
            "description": DEMO_DESCRIPTION,
            "severity": severity,
            "reporter_id": user_id,
            "reported_at": reported,
            "channel": channel,
            "vendor_ticket_ref": ticket,
            "search_text": search_key(title, DEMO_DESCRIPTION, ticket),
            "revision": 1 + len(events),
            "created_at": min(now, reported + timedelta(minutes=rng.randint(2, 45))),
            "created_by_id": user_id,
        }
    )
    batch.events.append(events)
    batch.targets.append((terms, state, computed))


def _generate(
    session: Session,
    contracts: list[Contract],
    *,
    count: int,
    rng: random.Random,
    now: datetime,
    user_id: int | None,
    alert_settings: AlertSettings,
) -> int:
    """Insert `count` incidents of `contracts` (as weighted) over the last twelve months, or
    since a contract's first terms took effect (the illustrative one starts in 2026)."""
    # The same seed on the same day: the same data.
    day = datetime.combine(now.date(), time(0), tzinfo=UTC)
    days_in_force = {
        contract_id: min(365.0, (day.date() - first).days)
        for contract_id, first in session.exec(
            select(ContractVersion.contract_id, func.min(ContractVersion.effective_from)).group_by(
                col(ContractVersion.contract_id)
            )
        )
    }
    picks = [
        c
        for c in contracts
        if days_in_force.get(id_of(c), 0.0) > 1
        for _ in range(CONTRACT_WEIGHTS.get(c.reference, 1))
    ]
    written = 0
    batch = DemoBatch()
    for _ in range(count if picks else 0):
        contract = rng.choice(picks)
        span = days_in_force[id_of(contract)]
        reported = (day - timedelta(days=rng.uniform(0.05, span))).replace(second=0, microsecond=0)
        _add_incident(
            session,
            batch,
            contract,
            reported,
            rng=rng,
            now=now,
            user_id=user_id,
            alert_settings=alert_settings,
        )
        if len(batch.incidents) >= 2000:
            written += _write_batch(session, batch, rng=rng, now=now, user_id=user_id)
    written += _write_batch(session, batch, rng=rng, now=now, user_id=user_id)
    return written


def generate_incidents(
    session: Session,
    *,
    count: int,
    seed: int,
    now: datetime,
    user_id: int | None,
    alert_settings: AlertSettings,
) -> int:
    """Insert `count` incidents of the seed contracts over the last twelve months (in batches,
    validated by replay)."""
    seeds = session.exec(
        select(Contract)
        .where(Contract.reference != ILLUSTRATIVE_REFERENCE)
        .order_by(col(Contract.reference))
    ).all()
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    return _generate(
        session,
        list(seeds),
        count=count,
        rng=rng,
        now=now,
        user_id=user_id,
        alert_settings=alert_settings,
    )


def illustrative_incidents(
    session: Session,
    *,
    count: int,
    seed: int,
    now: datetime,
    user_id: int | None,
    alert_settings: AlertSettings,
) -> int:
    """Insert `count` incidents of the illustrative contract, from a random stream of their own:
    the seed contracts' demo data stay the same with or without it."""
    found = session.exec(select(Contract).where(Contract.reference == ILLUSTRATIVE_REFERENCE)).all()
    rng = random.Random(f"{seed}:{ILLUSTRATIVE_REFERENCE}")  # noqa: S311 (demo data)
    return _generate(
        session,
        list(found),
        count=count,
        rng=rng,
        now=now,
        user_id=user_id,
        alert_settings=alert_settings,
    )


DEMO_DESCRIPTION = "Signalé par l'équipe de la DSI (données de démonstration)."
# How often each seed contract gets an incident in the demo.
CONTRACT_WEIGHTS = {
    "D_2024_0110": 3,
    "MIRAMAS-AUKFOOD-2023": 3,
    "2025CM0417": 2,
    "OSNY-GALLIMEDIA-2024": 1,
    "SMICA-DRUELLE-2024": 1,
}
# The illustrative contract's incidents: as many as a seed contract of weight 2 would get.
ILLUSTRATIVE_SHARE = 2 / 10
