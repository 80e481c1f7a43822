"""The penalty procedure's alerts: the vendor's answer period over with no observations, and a
draft left after its period; each raised once, at its instant, by the scheduler's tick."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from sla import jobs
from sla.alerts.models import AlertRecord, Notification
from sla.auth.models import User
from sla.db import session_scope
from sla.penalties import procedure
from sla.penalties.alerts import answer_key, draft_alert_at, draft_key, sweep_statements
from sla.penalties.models import PenaltyStatement
from sla.printing.organisation import Organisation
from sla.web.roles import Role
from tests.penalties.period import import_illustrative

PARIS = ZoneInfo("Europe/Paris")
MAILING = procedure.Mailing(Organisation("Ville d'Exemple"), "fr")
SEPTEMBER = date(2026, 9, 1)
NOTIFIED = datetime(2026, 10, 2, 10, 0, tzinfo=PARIS)  # a Friday
# Notified on 2 October: 15 calendar days to answer end on Saturday 17 October, so the period
# runs to the end of the next working day, Monday 19 October, local time.
ANSWER_DUE = datetime(2026, 10, 19, 23, 59, 59, tzinfo=PARIS)
# September ends at midnight on 1 October: a draft is left more than 15 days on 16 October.
DRAFT_DUE = datetime(2026, 10, 16, 0, 0, tzinfo=PARIS)
SECOND = timedelta(seconds=1)


def _statement(engine: Engine, *, notify: bool) -> int:
    contract_id = import_illustrative(engine)
    with session_scope(engine) as session:
        statement = procedure.create_statement(
            session,
            contract_id=contract_id,
            period_kind="month",
            first=SEPTEMBER,
            last=None,
            by=None,
            now=NOTIFIED - timedelta(hours=1),
            today=NOTIFIED.date(),
        )
        assert statement.id is not None
        if notify:
            procedure.notify(
                session, statement.id, revision=None, by=None, now=NOTIFIED, mailing=MAILING
            )
        return statement.id


def _sweep(app: Flask, now: datetime, settings: Mapping[str, Any] | None = None) -> int:
    engine = app.extensions["sla.engine"]
    with session_scope(engine) as session:
        return sweep_statements(session, now=now, settings=settings or app.config["SLA_SETTINGS"])


def _alerts(engine: Engine, key: str) -> list[AlertRecord]:
    with Session(engine) as session:
        return list(session.exec(select(AlertRecord).where(AlertRecord.key == key)))


def _admin(make_user: Callable[..., User]) -> None:
    make_user("chef", Role.admin, email="chef.dsi@ville.example")


def test_the_answer_period_over_alerts_once_just_after_its_end(
    app: Flask, engine: Engine, make_user: Callable[..., User]
) -> None:
    _admin(make_user)
    statement_id = _statement(engine, notify=True)
    with Session(engine) as session:
        statement = session.get(PenaltyStatement, statement_id)
        assert statement is not None and statement.answer_due_at == ANSWER_DUE
    key = answer_key(statement_id)
    assert _sweep(app, ANSWER_DUE) == 0
    assert _alerts(engine, key) == []
    assert _sweep(app, ANSWER_DUE + SECOND) == 1  # to the administrator
    (alert,) = _alerts(engine, key)
    assert alert.kind == "penalty_answer"
    assert alert.subject.endswith(str(statement_id)) and "EXEMPLE-PENALITES-2026" in alert.subject
    assert f"/penalties/{statement_id}" in alert.body_text
    assert alert.facts["deadline"] == ANSWER_DUE.astimezone(UTC).isoformat()
    # Later sweeps record nothing more.
    assert _sweep(app, ANSWER_DUE + timedelta(days=3)) == 0
    assert len(_alerts(engine, key)) == 1
    with Session(engine) as session:
        (mail,) = session.exec(
            select(Notification).where(col(Notification.alert_id) == alert.id)
        ).all()
    assert mail.recipient == "chef.dsi@ville.example"


def test_no_answer_alert_once_the_observations_are_recorded(
    app: Flask, engine: Engine, make_user: Callable[..., User]
) -> None:
    _admin(make_user)
    statement_id = _statement(engine, notify=True)
    with session_scope(engine) as session:
        procedure.record_observations(
            session,
            statement_id,
            revision=None,
            text="Les retards du 5 octobre viennent d'une panne de l'hébergeur.",
            received_at=NOTIFIED + timedelta(days=5),
            files=[],
            by=None,
            now=NOTIFIED + timedelta(days=6),
        )
    _sweep(app, ANSWER_DUE + timedelta(days=1))
    assert _alerts(engine, answer_key(statement_id)) == []


def test_a_draft_left_alerts_once_more_than_the_configured_days_after_its_period(
    app: Flask, engine: Engine, make_user: Callable[..., User]
) -> None:
    _admin(make_user)
    statement_id = _statement(engine, notify=False)
    key = draft_key(statement_id)
    assert draft_alert_at(date(2026, 9, 30), "Europe/Paris", 15) == DRAFT_DUE
    assert _sweep(app, DRAFT_DUE) == 0
    assert _alerts(engine, key) == []
    assert _sweep(app, DRAFT_DUE + SECOND) == 1
    (alert,) = _alerts(engine, key)
    assert alert.kind == "penalty_draft"
    assert alert.subject.endswith(str(statement_id))
    assert _sweep(app, DRAFT_DUE + timedelta(days=10)) == 0
    assert len(_alerts(engine, key)) == 1


def test_the_draft_alert_waits_the_days_the_configuration_sets(
    app: Flask, engine: Engine, make_user: Callable[..., User]
) -> None:
    _admin(make_user)
    statement_id = _statement(engine, notify=False)
    settings = app.config["SLA_SETTINGS"]
    three_days = {**settings.values, "penalties": {"draft_alert_days": 3}}
    early = datetime(2026, 10, 4, 0, 0, tzinfo=PARIS)
    assert _sweep(app, early, three_days) == 0
    assert _sweep(app, early + SECOND, three_days) == 1
    assert len(_alerts(engine, draft_key(statement_id))) == 1


def test_no_draft_alert_for_a_statement_notified(
    app: Flask, engine: Engine, make_user: Callable[..., User]
) -> None:
    _admin(make_user)
    statement_id = _statement(engine, notify=True)
    _sweep(app, DRAFT_DUE + timedelta(days=1))  # before the answer period's end
    with Session(engine) as session:
        assert session.exec(select(AlertRecord)).all() == []
    assert _alerts(engine, draft_key(statement_id)) == []


def test_no_draft_alert_for_a_draft_abandoned(
    app: Flask, engine: Engine, make_user: Callable[..., User]
) -> None:
    _admin(make_user)
    statement_id = _statement(engine, notify=False)
    with session_scope(engine) as session:
        procedure.abandon(
            session, statement_id, revision=None, reason="Doublon", by=None, now=NOTIFIED
        )
    _sweep(app, DRAFT_DUE + timedelta(days=1))
    assert _alerts(engine, draft_key(statement_id)) == []


def test_the_scheduler_tick_sweeps_the_statements(
    app: Flask, engine: Engine, make_user: Callable[..., User]
) -> None:
    _admin(make_user)
    statement_id = _statement(engine, notify=False)
    result = jobs.tick(engine, app.config["SLA_SETTINGS"], now=DRAFT_DUE + SECOND, send=False)
    assert result.recorded >= 1
    assert len(_alerts(engine, draft_key(statement_id))) == 1


def test_an_alert_reaching_nobody_is_kept_with_the_reason(app: Flask, engine: Engine) -> None:
    statement_id = _statement(engine, notify=False)  # no administrator, no team address
    assert _sweep(app, DRAFT_DUE + SECOND) == 0
    (alert,) = _alerts(engine, draft_key(statement_id))
    assert "no_admin_address" in alert.unreachable


def test_the_alerts_say_in_french_what_is_due_and_what_to_do(
    app: Flask, engine: Engine, make_user: Callable[..., User]
) -> None:
    _admin(make_user)
    answered = _statement(engine, notify=True)
    _sweep(app, ANSWER_DUE + SECOND)
    (answer,) = _alerts(engine, answer_key(answered))
    assert answer.subject == (
        "[Garantie] Délai de réponse du prestataire expiré — Exemple Infogérance (fictif) — "
        f"EXEMPLE-PENALITES-2026 — relevé n° {answered}"
    )
    assert answer.body_text.startswith(
        "Le délai de réponse du prestataire Exemple Infogérance (fictif) au relevé de pénalités "
        f"n° {answered} (EXEMPLE-PENALITES-2026, septembre 2026) a expiré le 19 octobre 2026 "
        "sans observations enregistrées : vous pouvez décider.\n"
    )
    with session_scope(engine) as session:
        drafted = procedure.create_statement(
            session,
            contract_id=session.exec(select(PenaltyStatement.contract_id)).first() or 0,
            period_kind="month",
            first=date(2026, 8, 1),
            last=None,
            by=None,
            now=NOTIFIED,
            today=NOTIFIED.date(),
        ).id
    _sweep(app, ANSWER_DUE + SECOND)
    (draft,) = _alerts(engine, draft_key(drafted))
    # August ended at midnight on 1 September, 47 days before midnight on 18 October.
    assert draft.body_text.startswith(
        f"Le relevé de pénalités n° {drafted} (EXEMPLE-PENALITES-2026, août 2026) est en "
        "brouillon depuis la fin de sa période (49 jours) : notifiez-le ou abandonnez-le.\n"
    )


def test_the_alerts_page_names_both_kinds_in_french(
    app: Flask,
    engine: Engine,
    make_user: Callable[..., User],
    client_as: Callable[[Role], FlaskClient],
) -> None:
    _admin(make_user)
    _statement(engine, notify=True)
    with session_scope(engine) as session:
        procedure.create_statement(
            session,
            contract_id=session.exec(select(PenaltyStatement.contract_id)).first() or 0,
            period_kind="month",
            first=date(2026, 8, 1),
            last=None,
            by=None,
            now=NOTIFIED,
            today=NOTIFIED.date(),
        )
    when = ANSWER_DUE + SECOND
    _sweep(app, when)
    client = client_as(Role.viewer)
    page = client.get(f"/alerts/?since={when.date() - timedelta(days=1)}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Délai de réponse du prestataire expiré" in html
    assert "Relevé de pénalités resté en brouillon" in html
    # Each links to its statement, not merely to the contract.
    with Session(app.extensions["sla.engine"]) as session:
        ids = session.exec(select(PenaltyStatement.id)).all()
    for statement_id in ids:
        assert f'href="/penalties/{statement_id}"' in html
