"""Maintenance over many incidents commits in small batches and stores what a fresh replay
gives."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from incidents import maintenance
from incidents.models import Incident
from incidents.summary import replayed_view, summary_values
from sla.db import session_scope
from sla.demo import load_demo
from tests.support import ALERTS

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_refreshing_every_incident_commits_batch_by_batch_and_matches_a_fresh_replay(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_scope(engine) as session:
        list(load_demo(session, now=NOW, alert_settings=ALERTS, incidents=25, seed=5))
        count = len(session.exec(select(Incident.id)).all())
        # Spoil the stored summaries: the refresh must put the truth back.
        session.execute(update(Incident).values(next_alert_at=None, breach_at=None))
    commits: list[int] = []
    original = Session.commit

    def counting(self: Session, *args: Any, **kwargs: Any) -> None:
        commits.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(maintenance, "BATCH", 4)
    monkeypatch.setattr(maintenance, "SQLITE_GAP", 0.0)
    monkeypatch.setattr(Session, "commit", counting)
    refreshed = maintenance.refresh_incidents(
        engine, open_only=False, now=NOW, alert_settings=ALERTS
    )
    monkeypatch.setattr(Session, "commit", original)
    assert refreshed == count
    assert len(commits) == -(-count // 4)
    with session_scope(engine) as session:
        for incident in session.exec(select(Incident)).all():
            fresh = replayed_view(session, incident, now=NOW, alert_settings=ALERTS)
            expected = summary_values(fresh.state, fresh.targets)
            assert incident.breach_at == expected["breach_at"]
            assert incident.next_alert_at == expected["next_alert_at"]


def test_refreshing_open_incidents_leaves_the_ended_ones(engine: Engine) -> None:
    with session_scope(engine) as session:
        list(load_demo(session, now=NOW, alert_settings=ALERTS, incidents=25, seed=5))
        open_count = len(
            session.exec(select(Incident.id).where(Incident.status.in_(("open", "paused")))).all()  # type: ignore[attr-defined]
        )
    assert 0 < open_count < 25
    refreshed = maintenance.refresh_incidents(
        engine, open_only=True, now=NOW, alert_settings=ALERTS
    )
    assert refreshed == open_count


def test_text_search_ignores_case_and_accents_and_finds_an_incident_by_number(
    engine: Engine,
) -> None:
    from incidents.listing import IncidentFilter, list_incidents

    with session_scope(engine) as session:
        list(load_demo(session, now=NOW, alert_settings=ALERTS, incidents=40, seed=5))
        accented = session.exec(select(Incident).where(Incident.title.contains("é"))).first()  # type: ignore[attr-defined]
        assert accented is not None
        word = next(w for w in accented.title.split() if "é" in w)
        plain = word.replace("é", "e").upper()
        found = list_incidents(session, IncidentFilter(text=plain), now=NOW, limit=None)
        assert accented.id in {row.incident.id for row in found}
        assert all(
            word.casefold() in row.incident.title.casefold()
            or word.casefold() in row.incident.description.casefold()
            for row in found
        )
        for typed in (f"#{accented.id}", str(accented.id)):
            ids = {
                row.incident.id
                for row in list_incidents(session, IncidentFilter(text=typed), now=NOW)
            }
            assert accented.id in ids
        # Characters LIKE would read as wildcards are searched as they are.
        assert list_incidents(session, IncidentFilter(text="%_%"), now=NOW) == []
