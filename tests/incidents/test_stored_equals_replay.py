"""What is stored to make lists fast never disagrees with a fresh replay: every demo incident's
stored summary and targets, compared with a fresh computation at several instants, including
days later with no event in between."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from incidents.models import Incident, IncidentTarget
from incidents.stored import target_rows
from incidents.summary import replayed_view, summary_values
from sla.db import session_scope
from sla.demo import load_demo
from tests.support import ALERTS

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
# What depends on the instant of the computation, not on the incident's history: the alert
# schedule (moved by the sweep) and the consumed time of a target still running.
LIVE_COLUMNS = {"next_alert_at"}
LIVE_TARGET_FIELDS = {"consumed_seconds", "status"}
# A paused target's deadline moves later for as long as the pause lasts: stored, it is the
# deadline as of the last event (lists and reports treat a paused target as undecided).
LIVE_WHILE_PAUSED = {"deadline"}


def test_stored_summaries_and_targets_equal_a_fresh_replay_as_days_pass(engine: Engine) -> None:
    with session_scope(engine) as session:
        list(load_demo(session, now=NOW, alert_settings=ALERTS, incidents=120, seed=12))
    mismatches: list[str] = []
    with session_scope(engine) as session:
        incidents = session.exec(select(Incident)).all()
        stored_targets: dict[int, list[dict[str, object]]] = {}
        for row in session.exec(select(IncidentTarget)).all():
            stored_targets.setdefault(row.incident_id, []).append(row.model_dump())
        for later in (timedelta(0), timedelta(hours=5), timedelta(days=3), timedelta(days=40)):
            instant = NOW + later
            for incident in incidents:
                fresh = replayed_view(session, incident, now=instant, alert_settings=ALERTS)
                expected = summary_values(fresh.state, fresh.targets)
                for column, value in expected.items():
                    if column in LIVE_COLUMNS:
                        continue
                    if getattr(incident, column) != value:
                        mismatches.append(
                            f"#{incident.id} at +{later}: {column} stored "
                            f"{getattr(incident, column)!r}, fresh {value!r}"
                        )
                fresh_rows = sorted(
                    target_rows(incident.id or 0, fresh.terms, fresh.state, fresh.targets),
                    key=lambda r: str(r["key"]),
                )
                kept = sorted(stored_targets.get(incident.id or 0, []), key=lambda r: str(r["key"]))
                for stored_row, fresh_row in zip(kept, fresh_rows, strict=True):
                    for field, value in fresh_row.items():
                        if field in LIVE_TARGET_FIELDS:
                            continue
                        if stored_row["status"] == "paused" and field in LIVE_WHILE_PAUSED:
                            continue
                        if stored_row[field] != value:
                            mismatches.append(
                                f"#{incident.id} at +{later}: target {fresh_row['key']} {field} "
                                f"stored {stored_row[field]!r}, fresh {value!r}"
                            )
    assert mismatches == [], "\n".join(mismatches[:20])
