"""A month of incidents built by hand (October 2025, Europe/Paris), with the figures they must
give worked out in the comments of `october`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from incidents.models import Incident
from incidents.service import record_event, report_incident
from sla.db import session_scope
from sla.engine.lifecycle import EventKind
from sla.outages.service import cancel_outage, record_outage
from tests.support import ALERTS

PARIS = ZoneInfo("Europe/Paris")


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=PARIS)


NOW = at(20, 12, month=11)  # well after the month: every event is in


def _event(
    session: Session, incident: Incident, kind: EventKind, when: datetime, **extra: Any
) -> int:
    event = record_event(
        session,
        incident,
        kind=kind,
        occurred_at=when,
        now=NOW,
        user_id=None,
        expected_revision=incident.revision,
        **extra,
        alert_settings=ALERTS,
    ).events[-1]
    return event.id or 0


def _incident(
    session: Session, contract_id: int, severity: str, title: str, h: datetime
) -> Incident:
    return report_incident(
        session,
        contract_id=contract_id,
        severity=severity,
        title=title,
        reported_at=h,
        now=NOW,
        user_id=None,
        alert_settings=ALERTS,
    ).incident


@pytest.fixture
def october(engine: Engine, contracts: dict[str, int]) -> dict[str, Any]:
    """Libriciel (Mon-Fri 9-12/14-18, PSG the same) and Aukfood (9-12:30/13:30-17:30).

    A  bloquant, H Mon 6 Oct 09:00: taken 10:00 (1 h, met), workaround 16:00 (5 h ≤ 8, met),
       resolved Wed 8 (≤ 3 business days after the workaround, met).
    B  majeur, H Tue 14 Oct 09:00: taken 11:00 (2 h, met); the GTR (24 h, no pause) falls on
       Fri 17 12:00, workaround 15:00 → breached, 1 h late (25 h); resolution 5 business days
       from the workaround (Fri 24 15:00), moved by a pause Tue 21 09:00 → Thu 23 09:00
       (14 business hours) to Tue 28 15:00; resolved Mon 27 10:00 → met thanks to the pause.
    D  majeur, H Thu 30 Oct 14:00, requalified bloquant Fri 31 10:00: take-charge due Thu 30
       18:00, taken Fri 31 09:30 → breached, 30 min late (4 h 30); GTR (bloquant, 8 h) due
       Fri 31 15:00, workaround Mon 3 Nov 10:00 → breached in October, 4 h late (12 h);
       resolved in November: still open at the end of October, its resolution counts then.
    E  Aukfood linux, H Mon 13 Oct 09:00: GTI 10:00 (met); GTR excluded ("tres-complexe").
    F  Aukfood linux, H Mon 20 Oct 09:00: GTI 09:30 (met), restored 11:00 (2 h, met):
       1 h 30 of work → 6 tickets of 15 minutes at most, 1 at least.
    Outages (Libriciel): Tue 7 Oct 10:00-15:30 (3 h 30 in the PSG) and 11:00-12:30 inside it
    (counts once); a cancelled one on Wed 8. The PSG opens 23 days × 7 h = 161 h in October:
    availability (161 - 3.5) / 161 = 97.83 % < 98 %.
    """
    libriciel, aukfood = contracts["D_2024_0110"], contracts["MIRAMAS-AUKFOOD-2023"]
    ids: dict[str, int] = {}
    with session_scope(engine) as session:
        a = _incident(session, libriciel, "bloquant", "Convocations bloquées", at(6, 9))
        ids["A_ack"] = _event(session, a, EventKind.acknowledged, at(6, 10))
        _event(session, a, EventKind.workaround, at(6, 16))
        _event(session, a, EventKind.resolved, at(8, 10))

        b = _incident(session, libriciel, "majeur", "Espace élu lent", at(14, 9))
        _event(session, b, EventKind.acknowledged, at(14, 11))
        _event(session, b, EventKind.workaround, at(17, 15))
        _event(session, b, EventKind.waiting_customer, at(21, 9))
        _event(session, b, EventKind.resumed, at(23, 9))
        _event(session, b, EventKind.resolved, at(27, 10))

        d = _incident(session, libriciel, "majeur", "Séance inaccessible", at(30, 14))
        _event(session, d, EventKind.acknowledged, at(31, 9, 30))
        _event(
            session, d, EventKind.requalified, at(31, 10), severity="bloquant", text="Tous les élus"
        )
        _event(session, d, EventKind.workaround, at(3, 10, month=11))
        _event(session, d, EventKind.resolved, at(5, 10, month=11))

        e = _incident(session, aukfood, "linux", "Serveur de fichiers saturé", at(13, 9))
        _event(session, e, EventKind.intervention_started, at(13, 10))
        _event(
            session,
            e,
            EventKind.exclusion_invoked,
            at(13, 16),
            exclusion="tres-complexe",
            target="gtr",
            text="Corruption du système de fichiers",
        )
        _event(session, e, EventKind.workaround, at(15, 11))

        f = _incident(session, aukfood, "linux", "Certificat expiré", at(20, 9))
        _event(session, f, EventKind.intervention_started, at(20, 9, 30))
        _event(session, f, EventKind.workaround, at(20, 11))

        record_outage(
            session,
            contract_id=libriciel,
            started_at=at(7, 10),
            ended_at=at(7, 15, 30),
            service="",
            cause="Hébergement indisponible",
            incident_id=None,
            user_id=None,
            now=NOW,
        )
        record_outage(
            session,
            contract_id=libriciel,
            started_at=at(7, 11),
            ended_at=at(7, 12, 30),
            service="",
            cause="Base de données",
            incident_id=None,
            user_id=None,
            now=NOW,
        )
        wrong = record_outage(
            session,
            contract_id=libriciel,
            started_at=at(8, 9),
            ended_at=at(8, 18),
            service="",
            cause="Saisie par erreur",
            incident_id=None,
            user_id=None,
            now=NOW,
        )
        cancel_outage(session, wrong.id or 0, reason="mauvais contrat", user_id=None, now=NOW)
        ids.update(A=a.id or 0, B=b.id or 0, D=d.id or 0, E=e.id or 0, F=f.id or 0)
    return {"ids": ids, "libriciel": libriciel, "aukfood": aukfood}


Builder = Callable[..., Any]
