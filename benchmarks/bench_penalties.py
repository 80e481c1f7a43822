"""A month's penalty statement for a contract with 5,000 breaches (October 2026 under the
illustrative contract, examples/illustrative/exemple-penalites.toml): time to compute its
lines and totals, to read the statement (a draft: its lines computed afresh), to make its
letter (PDF) and its workbook (XLSX), best of 3. Goal: under 2 s for the statement with its
PDF. Then, for the record: notifying it (its lines written, the letter stored and queued), the
notified statement read back from its stored lines, and the month's management report with
its penalties line.

Run: `python benchmarks/bench_penalties.py` (SQLite; builds the data set first, a few seconds).
With `SLA_BENCH_POSTGRES_URL=postgresql://user:password@host/database` set, the same again on
PostgreSQL, in a schema of its own created in that database and dropped at the end.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo

from postgres_schema import postgres_schema  # benchmarks/postgres_schema.py, beside this script
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from calendars.engine import BusinessCalendar, compiled
from incidents.models import Incident, IncidentEvent, IncidentTarget
from incidents.search import search_key
from incidents.stored import target_rows
from incidents.summary import stored_targets_of, summary_values
from sla.app import create_app
from sla.config import PROJECT_ROOT, defaults
from sla.contracts.models import Contract
from sla.contracts.service import (
    document_of,
    import_documents,
    read_documents,
    version_in_force,
)
from sla.db import session_scope, upgrade
from sla.engine.lifecycle import Event, EventKind, replay
from sla.outages.service import record_outage
from sla.penalties import procedure, reading
from sla.penalties.compute import compute
from sla.penalties.pdf import statement_pdf
from sla.penalties.xlsx import statement_xlsx
from sla.printing.organisation import Organisation
from sla.reports.figures import Period
from sla.reports.queries import Scope, make_report

CONTRACT = PROJECT_ROOT / "examples" / "illustrative" / "exemple-penalites.toml"
REFERENCE = "EXEMPLE-PENALITES-2026"
BREACHES = 5_000
ZONE = "Europe/Paris"
FIRST, LAST = date(2026, 10, 1), date(2026, 10, 31)
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # well after the month: every event is in
ORGANISATION = Organisation("Ville d'Exemple — DSI")
GOAL = 2.0
HOUR = 3600.0
T = TypeVar("T")


def _history(
    rng: random.Random, calendar: BusinessCalendar, severity: str, reported: datetime
) -> list[Event]:
    """Every delay missed: the take-charge, the GTR and the correctif (resolution), each late by
    a different amount, so that every breach counts under its clause."""
    take_charge, gtr, days, resolved_after = (
        (2 * HOUR, 4 * HOUR, 5, 10) if severity == "bloquant" else (4 * HOUR, 16 * HOUR, 15, 25)
    )
    acknowledged = calendar.deadline(reported, take_charge + rng.uniform(0.1, 3) * HOUR)
    workaround = max(
        calendar.deadline(reported, gtr + rng.uniform(0.2, 6) * HOUR),
        acknowledged + timedelta(minutes=5),
    )
    resolved = reported + timedelta(days=resolved_after, hours=rng.uniform(0, 48))
    assert resolved > reported + timedelta(days=days), "the correctif must be late"
    stamps = (
        (EventKind.acknowledged, acknowledged),
        (EventKind.workaround, workaround),
        (EventKind.resolved, resolved),
        (EventKind.closed, resolved + timedelta(hours=rng.randint(2, 48))),
    )
    return [
        Event(id=index, kind=kind, occurred_at=at.astimezone(UTC))
        for index, (kind, at) in enumerate(stamps, 1)
    ]


def _reported(rng: random.Random, calendar: BusinessCalendar, severity: str) -> datetime:
    """A business instant of October 2026 whose deadlines all fall in October: a bloquant
    (correctif: 5 business days) until the 21st, a majeur (15 business days) until the 7th."""
    last_day = 21 if severity == "bloquant" else 7
    day = datetime(2026, 10, rng.randint(1, last_day), 8, 0, tzinfo=ZoneInfo(ZONE))
    start = calendar.open_at_or_after(day + timedelta(minutes=rng.randint(0, 8 * 60)))
    assert start is not None
    return start.astimezone(UTC).replace(second=0, microsecond=0)


def build(engine: Engine) -> int:
    """The illustrative contract, incidents whose every delay was missed in October 2026
    (three breaches each, about 5,000 in all) written in bulk like `sla.demo` does (their
    stored targets from a replay), and an outage; returns the contract's id."""
    rng = random.Random(15)
    alerts = defaults("alerts")
    with session_scope(engine) as session:
        import_documents(session, read_documents([CONTRACT]), now=NOW)
        contract = session.exec(select(Contract).where(Contract.reference == REFERENCE)).one()
        version = version_in_force(session, contract, FIRST)
        document = document_of(version)
        terms = document.sla
        calendar = compiled(terms.calendars[contract.calendar_key])
        incidents, histories, targets = [], [], []
        for number in range((BREACHES + 2) // 3):
            severity = "bloquant" if number % 5 else "majeur"
            reported = _reported(rng, calendar, severity)
            events = _history(rng, calendar, severity, reported)
            state = replay(
                reported_at=reported,
                severity=severity,
                events=events,
                now=NOW,
                severities=terms.severity_keys(),
                exclusions=[e.key for e in terms.exclusions],
            )
            computed = stored_targets_of(document, state, now=NOW, alert_settings=alerts)
            title = f"Incident {number} du progiciel"
            incidents.append(
                {
                    **summary_values(state, computed),
                    "vendor_id": contract.vendor_id,
                    "contract_id": contract.id,
                    "contract_version_id": version.id,
                    "service": "Progiciel métier",
                    "title": title,
                    "description": "Banc d'essai des pénalités.",
                    "severity": severity,
                    "reporter_id": None,
                    "reported_at": reported,
                    "channel": "phone",
                    "vendor_ticket_ref": "",
                    "search_text": search_key(title, "", ""),
                    "revision": 1 + len(events),
                    "created_at": reported,
                    "created_by_id": None,
                }
            )
            histories.append(events)
            targets.append((state, computed))
        ids = (
            session.execute(
                insert(Incident).returning(col(Incident.id), sort_by_parameter_order=True),
                incidents,
            )
            .scalars()
            .all()
        )
        session.execute(
            insert(IncidentTarget),
            [
                row
                for incident_id, (state, computed) in zip(ids, targets, strict=True)
                for row in target_rows(incident_id, terms, state, computed)
            ],
        )
        session.execute(
            insert(IncidentEvent),
            [
                {
                    "incident_id": incident_id,
                    "kind": event.kind.value,
                    "occurred_at": event.occurred_at,
                    "recorded_at": event.occurred_at,
                    "recorded_by_id": None,
                    "text": "",
                }
                for incident_id, events in zip(ids, histories, strict=True)
                for event in events
            ],
        )
        record_outage(
            session,
            contract_id=contract.id or 0,
            started_at=datetime(2026, 10, 20, 7, 0, tzinfo=UTC),
            ended_at=datetime(2026, 10, 20, 16, 0, tzinfo=UTC),
            service="Progiciel métier",
            cause="Serveur d'application arrêté",
            incident_id=None,
            user_id=None,
            now=NOW,
        )
        return contract.id or 0


@dataclass(frozen=True)
class Timing:
    """Wall time and this process's CPU time: on a busy machine the wall time waits for a
    processor too, the CPU time does not."""

    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s (CPU {self.cpu:5.2f} s)"

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)


def _timed(action: Callable[[], T]) -> tuple[Timing, T]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu), result


def _best(timings: list[Timing]) -> Timing:
    return Timing(min(t.wall for t in timings), min(t.cpu for t in timings))


def _report(engine: Engine) -> Timing:
    """The month's management report, with its penalties line (best of 3)."""
    period = Period.month(2026, 10, ZONE)
    timings = []
    for _ in range(3):
        with Session(engine) as session:
            timings.append(_timed(partial(make_report, session, Scope(), period, as_of=NOW))[0])
    return _best(timings)


def _draft(engine: Engine, contract_id: int) -> int:
    with session_scope(engine) as session:
        statement = procedure.create_statement(
            session,
            contract_id=contract_id,
            period_kind="month",
            first=FIRST,
            last=None,
            by=None,
            now=NOW,
            today=NOW.date(),
        )
        return statement.id or 0


def measure(engine: Engine, contract_id: int, where: str) -> None:
    """Print the figures of the month's statement on one database."""
    live_report = _report(engine)
    statement_id = _draft(engine, contract_id)
    runs: dict[str, list[Timing]] = {"compute": [], "view": [], "pdf": [], "xlsx": []}
    pdf = workbook = b""
    for _ in range(3):
        with Session(engine) as session:
            contract = session.get(Contract, contract_id)
            assert contract is not None
            timing, computation = _timed(
                partial(compute, session, contract, FIRST, LAST, as_of=NOW)
            )
            runs["compute"].append(timing)
            timing, view = _timed(partial(reading.statement_view, session, statement_id, now=NOW))
            runs["view"].append(timing)
            timing, pdf = _timed(partial(statement_pdf, view, ORGANISATION, "fr", letter=True))
            runs["pdf"].append(timing)
            timing, workbook = _timed(partial(statement_xlsx, view, "fr"))
            runs["xlsx"].append(timing)
    best = {name: _best(timings) for name, timings in runs.items() if timings}
    breaches = sum(1 for line in computation.lines if line.kind == "breach")
    print(
        f"[{where}] statement of October 2026 for {REFERENCE}: {breaches:,} breaches, "
        f"{len(computation.lines):,} lines, total {computation.totals.total} € HT (best of 3)"
    )
    print(f"  compute (lines and totals)            {best['compute']}")
    print(f"  statement view (a draft: computed)    {best['view']}")
    print(f"  letter PDF                            {best['pdf']} ({len(pdf) // 1024} KB)")
    print(f"  XLSX                                  {best['xlsx']} ({len(workbook) // 1024} KB)")
    with_pdf = best["view"] + best["pdf"]
    verdict = "met" if with_pdf.wall < GOAL else "NOT met"
    if with_pdf.wall >= GOAL > with_pdf.cpu:
        load = os.getloadavg()[0]
        verdict += f" in wall time, met in CPU time (load average {load:.1f}: a busy machine?)"
    print(
        f"  statement with its PDF (view + PDF)   {with_pdf} — goal: < 2 s for the statement "
        f"with its PDF: {verdict}"
    )
    print(f"  all four                              {sum(best.values(), Timing(0, 0))}")
    mailing = procedure.Mailing(ORGANISATION, "fr")
    with session_scope(engine) as session:
        notifying, _ = _timed(
            partial(
                procedure.notify,
                session,
                statement_id,
                revision=None,
                by=None,
                now=NOW,
                mailing=mailing,
            )
        )
    print(f"  notify (lines written, letter, mail)  {notifying} (once)")
    reads = []
    for _ in range(3):
        with Session(engine) as session:
            reads.append(_timed(partial(reading.statement_view, session, statement_id, now=NOW))[0])
    print(f"  notified statement view (stored)      {_best(reads)}")
    print(f"  management report, penalties live     {live_report}")
    print(f"  management report, statement notified {_report(engine)}")


def run(engine: Engine, where: str) -> None:
    upgrade(engine)
    started = time.perf_counter()
    contract_id = build(engine)
    with Session(engine) as session:
        incidents = session.exec(select(func.count()).select_from(Incident)).one()
        targets = session.exec(select(func.count()).select_from(IncidentTarget)).one()
    print(
        f"[{where}] built {incidents:,} incidents ({targets:,} stored targets) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    measure(engine, contract_id, where)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"app": {"instance_path": folder, "secret_key": "bench"}}, environ={})
        engine = app.extensions["sla.engine"]
        run(engine, "SQLite")
        engine.dispose()
    url = os.environ.get("SLA_BENCH_POSTGRES_URL", "")
    if not url:
        print("PostgreSQL: set SLA_BENCH_POSTGRES_URL to run the same there")
        return
    with tempfile.TemporaryDirectory() as folder, postgres_schema(url, "bench_penalties") as inside:
        app = create_app(
            {
                "app": {"instance_path": folder, "secret_key": "bench"},
                "database": {"url": inside},
            },
            environ={},
        )
        engine = app.extensions["sla.engine"]
        try:
            run(engine, "PostgreSQL")
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
