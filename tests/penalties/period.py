"""October 2026 under the illustrative contract (examples/illustrative/exemple-penalites.toml),
built by hand through the incidents and outages services. Business hours Mon–Fri 9–12 and
14–18, Europe/Paris (CEST, UTC+2, until 25 October); October 2026 has no public holiday and
22 weekdays: 154 business hours.

I1 bloquant, Mon 5 Oct 09:00. Take-charge (2 h) due 11:00: acknowledged 10:00, met. GTR (4 h)
   due 15:00: workaround 17:30, 2 h 30 late → 3 started hours × 50 € = 150.00 €. Correctif
   (5 business days) due Mon 12 Oct 09:00: resolved Wed 14 Oct 09:00, 48 h late → 2 calendar
   days → P = 12 000 × 2 / 1000 = 24.00 €.
I2 majeur, Tue 6 Oct 09:00. Take-charge (4 h) due 15:00: acknowledged 16:00, late → 30.00 €
   a breach. GTR (16 h) due Thu 8 Oct 11:00: workaround 16:30, 3 h 30 late → 4 started hours
   − 2 of grace = 2 × 20 € = 40.00 €. Correctif due in 15 business days: resolved Fri 16 Oct.
I3 majeur, Wed 7 Oct 09:00. Acknowledged 14:30 (met). GTR due Fri 9 Oct 11:00: workaround
   12:00, 1 h late → 1 started hour, within the 2 hours of grace → 0.00 € (a line at 0).
I4 bloquant, Thu 8 Oct 09:00. Acknowledged 09:30; the "tiers" exclusion invoked for the GTR
   at 10:00; workaround 17:00 (past the 15:00 deadline, but excluded): nothing.
I5 bloquant, Mon 12 Oct 09:00. Acknowledged 09:15; a workaround recorded at 17:00 (2 h late:
   would be 100 €) is cancelled as a mistake and recorded again at 14:30 (met): nothing.
Outage Tue 20 Oct 09:00–18:00: 7 business hours down of 154 → 95.4545 % against 99 %:
   3.5455 points short → 36 started tenths × 100 € = 3 600.00 €.

Lines: 150 + 24 + 30 + 40 + 0 + 3 600 = 3 844.00 €. Threshold 100 € (not reached). Monthly cap
2 000 € → 2 000.00 € (1 844.00 € off). Yearly cap 10 % of 24 000 € = 2 400 €, nothing else
applied this contract year: no reduction. Total 2 000.00 €.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import select

from incidents.models import Incident, IncidentEvent
from incidents.service import record_event, report_incident
from sla.contracts.models import Contract
from sla.contracts.service import import_documents, read_documents
from sla.db import session_scope
from sla.engine.lifecycle import EventKind
from sla.outages.service import record_outage
from tests.support import ALERTS

ILLUSTRATIVE = (
    Path(__file__).resolve().parent.parent.parent
    / "examples"
    / "illustrative"
    / "exemple-penalites.toml"
)
REFERENCE = "EXEMPLE-PENALITES-2026"
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # when the statement is made
TODAY = NOW.date()
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    """A local time of 2026 in Paris, as UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


@dataclass
class Built:
    contract_id: int
    incidents: dict[str, int]


def import_illustrative(engine: Engine) -> int:
    with session_scope(engine) as session:
        import_documents(session, read_documents([ILLUSTRATIVE]), now=at(1, 8, month=1))
    with session_scope(engine) as session:
        contract = session.exec(select(Contract).where(Contract.reference == REFERENCE)).one()
        assert contract.id is not None
        return contract.id


def report(engine: Engine, contract_id: int, severity: str, reported_at: datetime) -> int:
    with session_scope(engine) as session:
        view = report_incident(
            session,
            contract_id=contract_id,
            severity=severity,
            title=f"Incident {severity} du {reported_at:%d/%m}",
            reported_at=reported_at,
            now=reported_at,
            user_id=None,
            alert_settings=ALERTS,
        )
        assert view.incident.id is not None
        return view.incident.id


def event(
    engine: Engine,
    incident_id: int,
    kind: EventKind,
    occurred_at: datetime,
    *,
    now: datetime | None = None,
    **extra: object,
) -> int:
    """Record an event; returns its id."""
    with session_scope(engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        record_event(
            session,
            incident,
            kind=kind,
            occurred_at=occurred_at,
            now=now or occurred_at,
            user_id=None,
            expected_revision=incident.revision,
            alert_settings=ALERTS,
            **extra,  # type: ignore[arg-type]
        )
        last = session.exec(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.id.desc())  # type: ignore[union-attr]
        ).first()
        assert last is not None and last.id is not None
        return last.id


def build_october(engine: Engine) -> Built:
    """The month of the module's docstring."""
    contract_id = import_illustrative(engine)
    ack, work, done = EventKind.acknowledged, EventKind.workaround, EventKind.resolved
    i1 = report(engine, contract_id, "bloquant", at(5, 9))
    event(engine, i1, ack, at(5, 10))
    event(engine, i1, work, at(5, 17, 30))
    event(engine, i1, done, at(14, 9))
    i2 = report(engine, contract_id, "majeur", at(6, 9))
    event(engine, i2, ack, at(6, 16))
    event(engine, i2, work, at(8, 16, 30))
    event(engine, i2, done, at(16, 10))
    i3 = report(engine, contract_id, "majeur", at(7, 9))
    event(engine, i3, ack, at(7, 14, 30))
    event(engine, i3, work, at(9, 12))
    event(engine, i3, done, at(16, 11))
    i4 = report(engine, contract_id, "bloquant", at(8, 9))
    event(engine, i4, ack, at(8, 9, 30))
    event(
        engine,
        i4,
        EventKind.exclusion_invoked,
        at(8, 10),
        exclusion="tiers",
        target="gtr",
        text="Panne de l'annuaire de la Ville",
    )
    event(engine, i4, work, at(8, 17))
    event(engine, i4, done, at(9, 10))
    i5 = report(engine, contract_id, "bloquant", at(12, 9))
    event(engine, i5, ack, at(12, 9, 15))
    mistaken = event(engine, i5, work, at(12, 17))
    event(
        engine,
        i5,
        EventKind.cancellation,
        at(12, 17, 5),
        cancels=mistaken,
        text="Heure mal saisie : le contournement a été livré à 14 h 30",
    )
    event(engine, i5, work, at(12, 14, 30), now=at(12, 17, 10))
    event(engine, i5, done, at(13, 10))
    with session_scope(engine) as session:
        record_outage(
            session,
            contract_id=contract_id,
            started_at=at(20, 9),
            ended_at=at(20, 18),
            service="Progiciel métier",
            cause="Serveur d'application arrêté",
            incident_id=None,
            user_id=None,
            now=at(20, 18, 5),
        )
    return Built(contract_id, {"i1": i1, "i2": i2, "i3": i3, "i4": i4, "i5": i5})


__all__ = ["NOW", "OCTOBER", "TODAY", "Built", "at", "build_october", "event", "timedelta"]
