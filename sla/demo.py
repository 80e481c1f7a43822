"""Demo data for `sla demo` and `make run`: users, the five example contracts and the
illustrative one with penalty clauses (examples/illustrative: fictional, not a seed),
incidents, and that contract's penalty statements for the last three full months (one final,
one answered by the vendor, one draft), made through the procedure as people would.

Incidents are deterministic for a seed and a day: the same seed on the same day gives the
same data. Their vendors behave like real ones: most answer in time, some late, some wait on
us, some incidents get requalified or an exclusion invoked, the recent ones are still open.
Every generated history is checked by the lifecycle engine before it is written.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlmodel import Session, col, func, select

from calendars.engine import compiled
from calendars.engine.searches import add_months
from incidents.models import Incident, IncidentEvent, IncidentTarget
from incidents.search import search_key
from incidents.stored import target_rows
from incidents.summary import AlertSettings, stored_targets_of, summary_values
from sla.auth import service as accounts
from sla.auth.models import User
from sla.config import PROJECT_ROOT, defaults
from sla.contracts.models import Contract, ContractVersion
from sla.contracts.service import (
    contract_files,
    current_version,
    document_of,
    import_documents,
    read_documents,
    version_in_force,
)
from sla.db import id_of
from sla.engine.lifecycle import Event, EventKind, IncidentState, replay
from sla.engine.penalties import cents
from sla.engine.target_states import TargetState
from sla.engine.terms import DurationUnit, SlaTerms, TargetKind, TargetTerms
from sla.penalties import procedure, reading
from sla.penalties.compute import contract_zone
from sla.penalties.models import PenaltyStatement
from sla.printing.organisation import Organisation
from sla.web.roles import Role

EXAMPLES = PROJECT_ROOT / "examples" / "contracts"
# Fictional, clearly marked as such in the file: the demo's (and the tests') penalties.
ILLUSTRATIVE = PROJECT_ROOT / "examples" / "illustrative" / "exemple-penalites.toml"
ILLUSTRATIVE_REFERENCE = "EXEMPLE-PENALITES-2026"
DEMO_USERS = (
    ("agent", "Camille Agent", Role.agent),
    ("lecteur", "Dominique Lecteur", Role.viewer),
)
DEFAULT_INCIDENTS = 600
DEFAULT_SEED = 2026
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


def ensure_users(session: Session, *, now: datetime) -> Iterator[str]:
    for username, name, role in DEMO_USERS:
        if accounts.find_user(session, username) is not None:
            continue
        password = accounts.generate_password()
        accounts.create_user(
            session,
            username=username,
            password=password,
            role=role,
            now=now,
            display_name=name,
            must_change_password=True,
        )
        yield f"demo user {username} ({role.value}), one-time password: {password}"


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


# What the demo's people say in the penalty procedure.
OBSERVATIONS = (
    "Nous contestons le retard du correctif : la Ville a validé la livraison avec deux jours "
    "de décalage. Les autres retards sont reconnus."
)
REDUCED = "Retard en partie dû à une coupure du réseau de la Ville, constatée en comité de suivi."
WAIVED = "Le prestataire a montré que la panne venait d'un logiciel tiers hors de son périmètre."
APPLIED = "Retard constaté et non contesté par le prestataire."


def _decide_all(
    session: Session, statement_id: int, *, by: int | None, now: datetime
) -> tuple[int, int]:
    """Decide every line: the first line with an amount reduced by half, the second waived,
    the others applied. Returns how many were reduced and waived."""
    reduced = waived = 0
    for line in reading.statement_view(session, statement_id, now=now).lines:
        choice, amount, reason = "applied", None, APPLIED
        if line.amount > 0 and not reduced:
            choice, amount, reason = "reduced", cents(line.amount / 2), REDUCED
            reduced += 1
        elif line.amount > 0 and not waived:
            choice, reason = "waived", WAIVED
            waived += 1
        procedure.decide(
            session,
            statement_id,
            revision=None,
            line_id=line.id or 0,
            decision=choice,
            amount=amount,
            reason=reason,
            by=by,
            now=now,
        )
    return reduced, waived


def make_statements(
    session: Session, *, now: datetime, mailing: procedure.Mailing
) -> Iterator[str]:
    """The illustrative contract's penalty statements of the last three full months, as its
    buyer would have made them: the oldest final (notified two days after its month, the
    vendor silent, its lines decided three days after the answer period, one reduced, one
    waived), the next answered by the vendor (observations recorded), the last a draft. Only
    when the contract has no statement yet."""
    contract = session.exec(
        select(Contract).where(Contract.reference == ILLUSTRATIVE_REFERENCE)
    ).first()
    if (
        contract is None
        or session.exec(
            select(PenaltyStatement.id).where(PenaltyStatement.contract_id == contract.id)
        ).first()
    ):
        return
    zone = ZoneInfo(
        contract_zone(document_of(current_version(session, contract, now.date())).sla, contract)
    )
    agent = accounts.find_user(session, "agent")
    admin = session.exec(
        select(User)
        .where(User.role == Role.admin.value, col(User.active).is_(True))
        .order_by(col(User.id))
    ).first()
    by_agent, by_admin = (agent.id if agent else None), (admin.id if admin else None)

    def local(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), zone).astimezone(UTC)

    today = now.astimezone(zone).date()
    this_month = today.replace(day=1)
    months = [add_months(this_month, -back) for back in (3, 2, 1)]
    made = []
    for index, first in enumerate(months):
        end = add_months(first, 1) - timedelta(days=1)
        if end < contract.start_date:
            continue
        after = end + timedelta(days=2)
        drafted = now if index == 2 else local(after, 9)
        statement = procedure.create_statement(
            session,
            contract_id=id_of(contract),
            period_kind="month",
            first=first,
            last=None,
            by=by_agent,
            now=drafted,
            today=today if index == 2 else after,
        )
        sid = id_of(statement)
        if index < 2:
            procedure.notify(
                session, sid, revision=None, by=by_agent, now=local(after, 10), mailing=mailing
            )
        if index == 1:
            procedure.record_observations(
                session,
                sid,
                revision=None,
                text=OBSERVATIONS,
                received_at=local(end + timedelta(days=9), 11),
                files=[],
                by=by_agent,
                now=local(end + timedelta(days=10), 9),
            )
        if index == 0:
            due = (statement.answer_due_at or now).astimezone(zone).date()
            decided = local(due + timedelta(days=3), 10)
            _decide_all(session, sid, by=by_admin, now=decided)
            procedure.finalise(
                session,
                sid,
                revision=None,
                by=by_admin,
                now=decided + timedelta(minutes=10),
                organisation=mailing.organisation,
                locale=mailing.locale,
            )
        made.append(f"#{sid} {statement.state} ({first:%Y-%m})")
    if made:
        yield f"penalty statements of {contract.reference}: {', '.join(made)}"


def load_demo(
    session: Session,
    *,
    now: datetime,
    alert_settings: AlertSettings,
    incidents: int | None = None,
    seed: int = DEFAULT_SEED,
    organisation: Organisation | None = None,
    locale: str = "fr",
) -> Iterator[str]:
    """Create what is missing and say what was done; never overwrite what exists. The penalty
    statements' letters and PDFs are from `organisation` (by default the configuration's
    default) in `locale`."""
    yield from ensure_users(session, now=now)
    # Contracts already there are left as they are (an agent may have amended them since).
    known = set(session.exec(select(Contract.reference)).all())
    documents = [
        (source, document)
        for source, document in read_documents([*contract_files(EXAMPLES), ILLUSTRATIVE])
        if document.contract.reference not in known
    ]
    for outcome in import_documents(session, documents, now=now):
        if outcome.action != "unchanged":
            yield f"contract {outcome.reference}: {outcome.action} (version {outcome.version})"
    existing = session.exec(select(func.count()).select_from(Incident)).one()
    if existing and incidents is None:
        yield f"{existing} incidents already there: none added"
        return
    agent = accounts.find_user(session, "agent")
    count = DEFAULT_INCIDENTS if incidents is None else incidents
    written = generate_incidents(
        session,
        count=count,
        seed=seed,
        now=now,
        user_id=agent.id if agent else None,
        alert_settings=alert_settings,
    )
    yield f"{written} demo incidents over the last twelve months (seed {seed})"
    extra = illustrative_incidents(
        session,
        count=round(count * ILLUSTRATIVE_SHARE),
        seed=seed,
        now=now,
        user_id=agent.id if agent else None,
        alert_settings=alert_settings,
    )
    if extra:
        yield f"{extra} incidents of the illustrative contract {ILLUSTRATIVE_REFERENCE} (fictional)"
    if written or extra:
        mailing = procedure.Mailing(
            organisation or Organisation.from_settings(defaults("organisation")),
            locale,
            str(alert_settings.get("webhook_format", "generic")),
        )
        yield from make_statements(session, now=now, mailing=mailing)
