"""An exclusion clause covers the targets the contract says it covers (Aukfood: "Le GTR est
de 8h … sauf : …" covers the GTR only): invoking it excludes those and no other, and it
cannot be invoked for a target it does not cover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from incidents.models import Incident
from incidents.service import record_event, report_incident
from sla.db import session_scope
from sla.engine.lifecycle import EventKind
from sla.engine.target_states import TargetStatus
from sla.errors import DomainError
from tests.support import ALERTS

AUKFOOD = "MIRAMAS-AUKFOOD-2023"


def _linux_incident(engine: Engine, contract_id: int, at: datetime) -> int:
    with session_scope(engine) as session:
        view = report_incident(
            session,
            contract_id=contract_id,
            severity="linux",
            title="Serveur de fichiers saturé",
            reported_at=at,
            now=at,
            user_id=None,
            alert_settings=ALERTS,
        )
        assert view.incident.id is not None
        return view.incident.id


def _invoke(
    engine: Engine, incident_id: int, at: datetime, target: str | None
) -> dict[str, TargetStatus]:
    with session_scope(engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        view = record_event(
            session,
            incident,
            kind=EventKind.exclusion_invoked,
            occurred_at=at,
            now=at,
            user_id=None,
            expected_revision=incident.revision,
            alert_settings=ALERTS,
            exclusion="infrastructure",
            target=target,
            text="Panne de la baie de stockage de la Ville",
        )
        return {t.key: t.status for t in view.targets}


def test_the_clause_excludes_the_gtr_and_leaves_the_gti_measured(
    engine: Engine, contracts: dict[str, int]
) -> None:
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    incident_id = _linux_incident(engine, contracts[AUKFOOD], at)
    statuses = _invoke(engine, incident_id, at + timedelta(minutes=10), None)
    assert statuses["gtr"] is TargetStatus.excluded
    assert statuses["gti"] is not TargetStatus.excluded


def test_the_clause_cannot_be_invoked_for_a_target_it_does_not_cover(
    engine: Engine, contracts: dict[str, int]
) -> None:
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    incident_id = _linux_incident(engine, contracts[AUKFOOD], at)
    with pytest.raises(DomainError) as refused:
        _invoke(engine, incident_id, at + timedelta(minutes=10), "gti")
    assert refused.value.code == "exclusion.not_covered"
    assert refused.value.field == "target"
    assert refused.value.params["covers"] == "GTR"
    with session_scope(engine) as session:  # nothing written
        incident = session.get(Incident, incident_id)
        assert incident is not None and incident.revision == 1
