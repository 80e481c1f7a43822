"""The alert sweep over 100,000 open incidents (recording what is due; delivery apart).

Run: `python benchmarks/bench_alerts.py` (builds the data set first, about a minute).
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import timedelta

from sqlalchemy import insert
from sqlmodel import Session, select

from incidents.models import Incident
from sla.alerts.scheduler import sweep
from sla.app import create_app
from sla.config import defaults
from sla.contracts.models import Contract
from sla.contracts.service import (
    contract_files,
    document_of,
    import_documents,
    read_documents,
    version_in_force,
)
from sla.db import id_of, upgrade, utcnow
from sla.demo import EXAMPLES
from sla.engine.alert_rules import thresholds
from sla.engine.lifecycle import replay
from sla.engine.target_states import summarize
from sla.engine.targets import compute_targets

OPEN = 100_000


def main() -> None:
    rng = random.Random(9)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "app": {"instance_path": folder, "secret_key": "bench"},
                "alerts": {"team_email": "dsi@bench.example"},
            },
            environ={},
        )
        engine = app.extensions["sla.engine"]
        upgrade(engine)
        now = utcnow()
        started = time.perf_counter()
        with Session(engine) as session:
            import_documents(session, read_documents(contract_files(EXAMPLES)), now=now)
            contracts = list(session.exec(select(Contract)))
            rows = []
            for n in range(OPEN):
                contract = rng.choice(contracts)
                # Most were reported minutes ago and are far from due; about 1 % were reported
                # days ago and have something due now (a warning, a breach or a reminder).
                old = rng.random() < 0.01
                minutes = rng.uniform(1, 60 * 24 * 60) if old else rng.uniform(1, 10)
                reported = now - timedelta(minutes=minutes)
                version = version_in_force(session, contract, reported.date())
                document = document_of(version)
                severity = rng.choice(document.sla.severity_keys())
                limits = thresholds(defaults("alerts"), document.alerts, document.sla, severity)
                state = replay(reported_at=reported, severity=severity, events=[], now=now)
                summary = summarize(
                    compute_targets(
                        document.sla,
                        state,
                        now,
                        warn_ratio=limits.warn_ratio,
                        warn_remaining_seconds=limits.warn_remaining_seconds,
                    )
                )
                due = [t for t in (summary.warn_at, summary.breach_at) if t is not None]
                rows.append(
                    {
                        "vendor_id": contract.vendor_id,
                        "contract_id": contract.id,
                        "contract_version_id": id_of(version),
                        "title": f"Incident {n}",
                        "severity": severity,
                        "current_severity": severity,
                        "status": "open",
                        "reported_at": reported,
                        "channel": "phone",
                        "revision": 1,
                        "created_at": reported,
                        "next_deadline_at": summary.next_deadline_at,
                        "next_target": summary.next_target,
                        "breach_at": summary.breach_at,
                        "warn_at": summary.warn_at,
                        "next_alert_at": min(due) if due else None,
                    }
                )
                if len(rows) == 5000:
                    session.execute(insert(Incident), rows)
                    rows.clear()
            if rows:
                session.execute(insert(Incident), rows)
            session.commit()
        print(f"built {OPEN:,} open incidents in {time.perf_counter() - started:.1f} s")
        settings = app.config["SLA_SETTINGS"]
        started = time.perf_counter()
        recorded = sweep(engine, settings, now=now)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = sweep(engine, settings, now=now + timedelta(minutes=1))
        second = time.perf_counter() - started
        print(
            f"sweep over {OPEN:,} open incidents: {first:.2f} s ({recorded} alerts recorded); "
            f"next sweep a minute later: {second:.2f} s ({again} recorded) — goal: under 2 s"
        )


if __name__ == "__main__":
    main()
