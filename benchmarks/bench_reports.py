"""A monthly report over 50,000 incidents (twelve months of them, all five contracts): time to
compute the figures and trends, then the PDF and the XLSX (best of 3). Goal: under 5 s.

Run: `python benchmarks/bench_reports.py` (builds the data set first, a minute or two).
"""

from __future__ import annotations

import tempfile
import time
from zoneinfo import ZoneInfo

from sqlmodel import Session, func, select

from incidents.models import Incident, IncidentTarget
from sla.app import create_app
from sla.config import defaults
from sla.contracts.periods import add_months
from sla.contracts.service import contract_files, import_documents, read_documents
from sla.db import session_scope, upgrade, utcnow
from sla.demo import EXAMPLES, generate_incidents
from sla.reports.exports import to_xlsx
from sla.reports.figures import Period
from sla.reports.pdf import render_pdf
from sla.reports.queries import Scope, make_report

INCIDENTS = 50_000
ZONE = "Europe/Paris"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"app": {"instance_path": folder, "secret_key": "bench"}}, environ={})
        engine = app.extensions["sla.engine"]
        upgrade(engine)
        now = utcnow()
        started = time.perf_counter()
        with session_scope(engine) as session:
            import_documents(session, read_documents(contract_files(EXAMPLES)), now=now)
            generate_incidents(
                session,
                count=INCIDENTS,
                seed=11,
                now=now,
                user_id=None,
                alert_settings=defaults("alerts"),
            )
        with Session(engine) as session:
            incidents = session.exec(select(func.count()).select_from(Incident)).one()
            targets = session.exec(select(func.count()).select_from(IncidentTarget)).one()
        print(
            f"built {incidents:,} incidents ({targets:,} stored targets) over twelve months "
            f"in {time.perf_counter() - started:.0f} s"
        )
        last = add_months(now.astimezone(ZoneInfo(ZONE)).date().replace(day=1), -1)
        period = Period.month(last.year, last.month, ZONE)
        timings: list[tuple[float, float, float]] = []
        for _ in range(3):
            with Session(engine) as session:
                t0 = time.perf_counter()
                report = make_report(session, Scope(), period, as_of=now)
                t1 = time.perf_counter()
                pdf = render_pdf(report)
                t2 = time.perf_counter()
                workbook = to_xlsx(report)
                t3 = time.perf_counter()
            timings.append((t1 - t0, t2 - t1, t3 - t2))
        best = min(timings, key=sum)
        month = [c.reported for c in report.contracts]
        print(
            f"report of {period.first:%B %Y} ({sum(month):,} incidents in the month, trends over "
            f"{incidents:,}): figures {best[0]:.2f} s + PDF {best[1]:.2f} s ({len(pdf) // 1024} KB)"
            f" + XLSX {best[2]:.2f} s ({len(workbook) // 1024} KB) = {sum(best):.2f} s (best of 3) — goal: under 5 s"
        )


if __name__ == "__main__":
    main()
