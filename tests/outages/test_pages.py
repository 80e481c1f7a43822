"""The outage pages: the list (viewer), recording one (agent), ending it once and cancelling a
mistake through the forms, the errors shown next to their field, roles and CSRF."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from incidents.service import report_incident
from sla.auth import service as accounts
from sla.db import id_of, session_scope, utcnow
from sla.outages.models import Outage
from sla.outages.service import cancel_outage, record_outage
from sla.web.roles import Role
from tests.support import ALERTS, csrf_from

Client = Callable[[Role], FlaskClient]
PARIS = ZoneInfo("Europe/Paris")
LIBRICIEL = "D_2024_0110"
AUKFOOD = "MIRAMAS-AUKFOOD-2023"
FIELDS = ("contract_id", "service", "started_at", "ended_at", "cause", "incident_id")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 10, day, hour, minute, tzinfo=PARIS)


def text_of(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def outages(engine: Engine) -> list[Outage]:
    with Session(engine) as session:
        return list(session.exec(select(Outage).order_by(col(Outage.id))))


def get_outage(engine: Engine, outage_id: int) -> Outage:
    with Session(engine) as session:
        outage = session.get(Outage, outage_id)
        assert outage is not None
        return outage


def seed(engine: Engine, contract_id: int, **overrides: Any) -> int:
    values: dict[str, Any] = {
        "started_at": at(7, 10),
        "ended_at": None,
        "service": "",
        "cause": "Hébergement indisponible",
        "incident_id": None,
        "user_id": None,
        "now": utcnow(),
        **overrides,
    }
    with session_scope(engine) as session:
        return id_of(record_outage(session, contract_id=contract_id, **values))


def user_id(engine: Engine, username: str) -> int:
    with Session(engine) as session:
        user = accounts.find_user(session, username)
        assert user is not None
        return id_of(user)


def form(contract_id: int, token: str, **fields: Any) -> dict[str, Any]:
    return {
        "csrf_token": token,
        "contract_id": contract_id,
        "service": "",
        "started_at": "2025-10-07T10:00",
        "ended_at": "",
        "cause": "Hébergement indisponible",
        "incident_id": "",
        **fields,
    }


def test_viewer_sees_every_outage_ongoing_ended_and_cancelled_without_any_form(
    client_as: Client, engine: Engine, contracts: dict[str, int]
) -> None:
    libriciel, aukfood = contracts[LIBRICIEL], contracts[AUKFOOD]
    with session_scope(engine) as session:
        incident = report_incident(
            session,
            contract_id=libriciel,
            severity="bloquant",
            title="Convocations bloquées",
            reported_at=at(7, 9),
            now=utcnow(),
            user_id=None,
            alert_settings=ALERTS,
        ).incident
        incident_id = id_of(incident)
    seed(engine, libriciel, cause="Base de données saturée", incident_id=incident_id)
    seed(engine, aukfood, service="Serveurs Linux", cause="Disque plein", ended_at=at(7, 12))
    wrong = seed(engine, libriciel, started_at=at(8, 9), cause="Saisie par erreur")
    with session_scope(engine) as session:
        cancel_outage(session, wrong, reason="mauvais contrat", user_id=None, now=utcnow())

    viewer = client_as(Role.viewer)
    page = viewer.get("/outages/")
    assert page.status_code == 200
    body = text_of(page)
    assert "Base de données saturée" in body and f'href="/incidents/{incident_id}"' in body
    assert "Disque plein" in body and "Serveurs Linux" in body and AUKFOOD in body
    assert "en cours" in body  # the ongoing one
    assert "mar. 7 oct. 2025 10:00" in body  # local time of the start
    assert "Annulée le" in body and "mauvais contrat" in body  # kept, struck through
    assert "<s>mer. 8 oct. 2025 09:00</s>" in body
    # A viewer reads; no form to record, end or cancel.
    assert 'action="/outages/"' not in body
    assert "/end" not in body and "/cancel" not in body
    assert 'name="ended_at"' not in body and 'name="reason"' not in body


def test_the_list_filters_by_contract_and_says_when_there_is_none(
    client_as: Client, engine: Engine, contracts: dict[str, int]
) -> None:
    seed(engine, contracts[LIBRICIEL], cause="Hébergement coupé")
    seed(engine, contracts[AUKFOOD], cause="Disque plein")
    viewer = client_as(Role.viewer)
    only_aukfood = text_of(viewer.get(f"/outages/?contract={contracts[AUKFOOD]}"))
    assert "Disque plein" in only_aukfood and "Hébergement coupé" not in only_aukfood
    assert f'<option value="{contracts[AUKFOOD]}" selected>' in only_aukfood
    [quiet] = [i for r, i in contracts.items() if r not in (LIBRICIEL, AUKFOOD)][:1]
    assert "Aucune indisponibilité enregistrée." in text_of(
        viewer.get(f"/outages/?contract={quiet}")
    )


def test_agent_sees_the_record_form_with_the_contracts_to_choose_from(
    client_as: Client, contracts: dict[str, int]
) -> None:
    agent = client_as(Role.agent)
    page = agent.get(f"/outages/?contract={contracts[AUKFOOD]}")
    assert page.status_code == 200
    body = text_of(page)
    assert 'action="/outages/"' in body and 'name="csrf_token"' in body
    for name in FIELDS:
        assert f'name="{name}"' in body, name
    for reference, contract_id in contracts.items():
        assert f'<option value="{contract_id}"' in body and reference in body
    # The contract of the filter comes chosen in the form.
    assert f'<option selected value="{contracts[AUKFOOD]}">' in body


def test_viewer_is_refused_every_outage_post_and_nothing_changes(
    client_as: Client, engine: Engine, contracts: dict[str, int]
) -> None:
    outage_id = seed(engine, contracts[LIBRICIEL])
    viewer = client_as(Role.viewer)
    token = csrf_from(viewer, "/account")
    assert viewer.post("/outages/", data=form(contracts[LIBRICIEL], token)).status_code == 403
    end = viewer.post(
        f"/outages/{outage_id}/end", data={"csrf_token": token, "ended_at": "2025-10-07T15:30"}
    )
    assert end.status_code == 403
    cancel = viewer.post(
        f"/outages/{outage_id}/cancel", data={"csrf_token": token, "reason": "doublon"}
    )
    assert cancel.status_code == 403
    [kept] = outages(engine)
    assert kept.id == outage_id and kept.ended_at is None and kept.cancelled_at is None


@pytest.mark.parametrize(
    ("field", "fields", "message"),
    [
        ("ended_at", {"ended_at": "2025-10-07T09:00"}, "La fin doit suivre le début."),
        ("ended_at", {"ended_at": "2025-10-07T10:00"}, "La fin doit suivre le début."),
        ("started_at", {"started_at": "future"}, "Le début ne peut pas être dans le futur."),
        ("ended_at", {"ended_at": "future"}, "La fin ne peut pas être dans le futur."),
        ("started_at", {"started_at": ""}, None),
        ("started_at", {"started_at": "07/10/2025 10h"}, None),
        ("service", {"service": "Collabora Online"}, "Ce service n'est pas dans le contrat."),
        ("incident_id", {"incident_id": "other"}, "Aucun incident de ce numéro sur ce contrat."),
        ("incident_id", {"incident_id": "0"}, None),
        ("cause", {"cause": "   "}, None),
        ("contract_id", {"contract_id": "999999"}, None),
    ],
    ids=[
        "end-before-start",
        "end-at-start",
        "start-in-future",
        "end-in-future",
        "no-start",
        "unreadable-start",
        "service-of-another-contract",
        "incident-of-another-contract",
        "incident-zero",
        "blank-cause",
        "unknown-contract",
    ],
)
def test_a_bad_value_is_shown_next_to_its_field_keeps_the_input_and_writes_nothing(
    client_as: Client,
    engine: Engine,
    contracts: dict[str, int],
    field: str,
    fields: dict[str, str],
    message: str | None,
) -> None:
    libriciel = contracts[LIBRICIEL]
    tomorrow = (utcnow() + timedelta(days=1)).astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")
    values = {k: tomorrow if v == "future" else v for k, v in fields.items()}
    if values.get("incident_id") == "other":
        with session_scope(engine) as session:
            other = report_incident(
                session,
                contract_id=contracts[AUKFOOD],
                severity="linux",
                title="Serveur de fichiers saturé",
                reported_at=at(7, 9),
                now=utcnow(),
                user_id=None,
                alert_settings=ALERTS,
            ).incident
            values["incident_id"] = str(id_of(other))
    agent = client_as(Role.agent)
    token = csrf_from(agent, "/outages/")
    data = {**form(libriciel, token, cause="Panne du frontal web"), **values}
    response = agent.post("/outages/", data=data)
    assert 400 <= response.status_code < 500  # an error status: the request's session rolls back
    body = text_of(response)
    shown = [f for f in FIELDS if f'id="{f}-error"' in body]
    assert shown == [field], shown
    assert f'aria-describedby="{field}-error"' in body
    if message is not None:
        assert f'<p class="error" id="{field}-error">{message}</p>' in body
    if field != "cause":
        assert "Panne du frontal web" in body  # the input is kept
    assert outages(engine) == []


def test_a_good_post_records_the_outage_and_redirects_to_its_contract_list(
    client_as: Client, engine: Engine, contracts: dict[str, int]
) -> None:
    libriciel = contracts[LIBRICIEL]
    with session_scope(engine) as session:
        incident_id = id_of(
            report_incident(
                session,
                contract_id=libriciel,
                severity="bloquant",
                title="Convocations bloquées",
                reported_at=at(7, 9),
                now=utcnow(),
                user_id=None,
                alert_settings=ALERTS,
            ).incident
        )
    agent = client_as(Role.agent)
    token = csrf_from(agent, "/outages/")
    before = utcnow()
    response = agent.post(
        "/outages/",
        data=form(
            libriciel,
            token,
            service="  ComElus ",
            ended_at="2025-10-07T15:30",
            cause="Hébergement indisponible",
            incident_id=str(incident_id),
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/outages/?contract={libriciel}"
    [outage] = outages(engine)
    agent_id = user_id(engine, "user-agent")
    assert outage.contract_id == libriciel and outage.service == "ComElus"
    assert outage.started_at == datetime(2025, 10, 7, 8, 0, tzinfo=UTC)  # 10:00 in Paris
    assert outage.ended_at == datetime(2025, 10, 7, 13, 30, tzinfo=UTC)
    assert outage.cause == "Hébergement indisponible" and outage.incident_id == incident_id
    assert outage.recorded_by_id == agent_id and outage.ended_by_id == agent_id
    assert before - timedelta(seconds=1) <= outage.recorded_at <= utcnow()
    listing = text_of(agent.get(response.headers["Location"]))
    assert "Indisponibilité enregistrée." in listing
    assert "Hébergement indisponible" in listing and "mar. 7 oct. 2025 15:30" in listing


def test_an_ongoing_outage_is_ended_once_through_its_form(
    client_as: Client, engine: Engine, contracts: dict[str, int]
) -> None:
    agent = client_as(Role.agent)
    token = csrf_from(agent, "/outages/")
    created = agent.post("/outages/", data=form(contracts[LIBRICIEL], token))
    assert created.status_code == 302
    [outage] = outages(engine)
    outage_id = id_of(outage)
    assert outage.ended_at is None and outage.ended_by_id is None
    page = text_of(agent.get("/outages/"))
    assert f'action="/outages/{outage_id}/end"' in page and "en cours" in page

    ended = agent.post(
        f"/outages/{outage_id}/end",
        data={"csrf_token": token, "ended_at": "2025-10-07T15:30"},
        follow_redirects=True,
    )
    assert ended.status_code == 200
    assert "Fin d'indisponibilité enregistrée." in text_of(ended)
    kept = get_outage(engine, outage_id)
    assert kept.ended_at == datetime(2025, 10, 7, 13, 30, tzinfo=UTC)
    assert kept.ended_by_id == user_id(engine, "user-agent")
    assert f'action="/outages/{outage_id}/end"' not in text_of(agent.get("/outages/"))

    again = agent.post(
        f"/outages/{outage_id}/end",
        data={"csrf_token": token, "ended_at": "2025-10-07T18:00"},
        follow_redirects=True,
    )
    assert "Cette indisponibilité a déjà sa fin." in text_of(again)
    assert get_outage(engine, outage_id).ended_at == kept.ended_at  # never overwritten


@pytest.mark.parametrize(
    ("ended_at", "message"),
    [
        ("2025-10-07T09:00", "La fin doit suivre le début."),
        ("", "Ce champ est requis."),  # WTForms' own message, flashed
        ("future", "La fin ne peut pas être dans le futur."),
    ],
    ids=["before-start", "missing", "future"],
)
def test_a_bad_end_through_the_page_is_flashed_and_not_stored(
    client_as: Client, engine: Engine, contracts: dict[str, int], ended_at: str, message: str
) -> None:
    outage_id = seed(engine, contracts[LIBRICIEL])
    if ended_at == "future":
        ended_at = (utcnow() + timedelta(days=1)).astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")
    agent = client_as(Role.agent)
    token = csrf_from(agent, "/outages/")
    response = agent.post(
        f"/outages/{outage_id}/end", data={"csrf_token": token, "ended_at": ended_at}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/outages/?contract={contracts[LIBRICIEL]}"
    flashed = text_of(agent.get(response.headers["Location"]))
    assert 'class="flash flash-error"' in flashed
    assert message in flashed
    assert get_outage(engine, outage_id).ended_at is None


def test_a_mistake_is_cancelled_with_a_reason_kept_and_struck_through(
    client_as: Client, engine: Engine, contracts: dict[str, int]
) -> None:
    outage_id = seed(engine, contracts[LIBRICIEL], ended_at=at(7, 12), cause="Saisie en double")
    agent = client_as(Role.agent)
    token = csrf_from(agent, "/outages/")
    assert f'action="/outages/{outage_id}/cancel"' in text_of(agent.get("/outages/"))

    blank = agent.post(
        f"/outages/{outage_id}/cancel",
        data={"csrf_token": token, "reason": "   "},
        follow_redirects=True,
    )
    assert blank.status_code == 200 and 'class="flash flash-error"' in text_of(blank)
    assert get_outage(engine, outage_id).cancelled_at is None

    cancelled = agent.post(
        f"/outages/{outage_id}/cancel",
        data={"csrf_token": token, "reason": " doublon de la saisie de 10 h "},
        follow_redirects=True,
    )
    assert cancelled.status_code == 200
    page = text_of(cancelled)
    assert "Indisponibilité annulée." in page
    assert "doublon de la saisie de 10 h" in page and "<s>mar. 7 oct. 2025 10:00</s>" in page
    assert f'action="/outages/{outage_id}/cancel"' not in page  # no second cancel offered
    [kept] = outages(engine)  # still in the table
    assert kept.id == outage_id and kept.cancelled_at is not None
    assert kept.cancel_reason == "doublon de la saisie de 10 h"
    assert kept.cancelled_by_id == user_id(engine, "user-agent")
    assert kept.cause == "Saisie en double" and kept.ended_at == at(7, 12)

    again = agent.post(
        f"/outages/{outage_id}/cancel",
        data={"csrf_token": token, "reason": "autre raison"},
        follow_redirects=True,
    )
    assert "Cette indisponibilité est déjà annulée." in text_of(again)
    assert get_outage(engine, outage_id).cancel_reason == "doublon de la saisie de 10 h"
    ended = agent.post(
        f"/outages/{outage_id}/end",
        data={"csrf_token": token, "ended_at": "2025-10-07T15:00"},
        follow_redirects=True,
    )
    assert "Cette indisponibilité a été annulée." in text_of(ended)


def test_ending_or_cancelling_an_unknown_outage_is_404(
    client_as: Client, contracts: dict[str, int]
) -> None:
    agent = client_as(Role.agent)
    token = csrf_from(agent, "/outages/")
    assert (
        agent.post(
            "/outages/424242/end", data={"csrf_token": token, "ended_at": "2025-10-07T15:00"}
        ).status_code
        == 404
    )
    assert (
        agent.post(
            "/outages/424242/cancel", data={"csrf_token": token, "reason": "doublon"}
        ).status_code
        == 404
    )


@pytest.mark.parametrize("token", [None, "not-a-token"], ids=["missing", "wrong"])
def test_outage_posts_without_a_valid_csrf_token_are_refused_and_change_nothing(
    client_as: Client, engine: Engine, contracts: dict[str, int], token: str | None
) -> None:
    outage_id = seed(engine, contracts[LIBRICIEL])
    agent = client_as(Role.agent)
    extra = {} if token is None else {"csrf_token": token}
    created = agent.post("/outages/", data={**form(contracts[LIBRICIEL], ""), **extra})
    assert created.status_code == 400
    ended = agent.post(f"/outages/{outage_id}/end", data={"ended_at": "2025-10-07T15:30", **extra})
    assert ended.status_code == 400
    cancelled = agent.post(f"/outages/{outage_id}/cancel", data={"reason": "doublon", **extra})
    assert cancelled.status_code == 400
    [kept] = outages(engine)
    assert kept.id == outage_id and kept.ended_at is None and kept.cancelled_at is None
