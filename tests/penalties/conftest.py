"""Shared fixtures of the penalties tests: the illustrative contract imported (every kind of
penalty clause, examples/illustrative/exemple-penalites.toml), incidents recorded through the
incidents service, the month of `tests/penalties/period.py`, and a clock for the pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from sla.contracts.models import Contract
from sla.engine.lifecycle import EventKind
from tests.penalties.period import NOW, Built, build_october, event, import_illustrative, report

# An event to record: its kind, when it happened, and what else it says (severity,
# exclusion, target, cancels, text).
EventSpec = tuple[EventKind, datetime] | tuple[EventKind, datetime, dict[str, Any]]
RecordIncident = Callable[[int, str, datetime, Sequence[EventSpec]], int]


@pytest.fixture
def illustrative_contract(engine: Engine) -> Contract:
    """The illustrative contract imported (its version from 1 January 2026), as stored."""
    contract_id = import_illustrative(engine)
    with Session(engine, expire_on_commit=False) as session:
        contract = session.get(Contract, contract_id)
        assert contract is not None
        return contract


@pytest.fixture
def record_incident(engine: Engine) -> RecordIncident:
    """Record an incident and its events through the incidents service (each event recorded
    at the instant it happened); returns the incident's id.

        record_incident(contract.id, "bloquant", at(5, 9), [(EventKind.acknowledged, at(5, 10))])
    """

    def record(
        contract_id: int, severity: str, reported_at: datetime, events: Sequence[EventSpec]
    ) -> int:
        incident_id = report(engine, contract_id, severity, reported_at)
        for spec in events:
            extra: dict[str, Any] = spec[2] if len(spec) == 3 else {}  # type: ignore[misc]
            event(engine, incident_id, spec[0], spec[1], **extra)
        return incident_id

    return record


@pytest.fixture
def october(engine: Engine) -> Built:
    """October 2026 under the illustrative contract (`tests/penalties/period.py`): five
    incidents, an outage; 3 844.00 € of lines, 2 000.00 € once capped."""
    return build_october(engine)


@dataclass
class Clock:
    """The instant the penalties' pages take as now (moved by a test)."""

    now: datetime = NOW


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The pages' clock, from `period.NOW` (20 November 2026, October over)."""
    found = Clock()
    monkeypatch.setattr("sla.web.settings.utcnow", lambda: found.now)
    return found
