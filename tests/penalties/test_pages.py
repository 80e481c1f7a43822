"""The penalty statements' pages on the month of `tests/penalties/period.py`: the list and a
new statement, a statement's lines and totals, the procedure through its forms (notify,
observations with a file, decisions, final) with its refusals shown in French beside the
action and nothing stored, the roles, the downloads; the incident page's penalties and the
contract page's clauses."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from sla.errors import DomainError
from sla.penalties.models import (
    PenaltyDecision,
    PenaltyFile,
    PenaltyLine,
    PenaltyStatement,
    PenaltyStep,
)
from sla.penalties.statement import State
from sla.web.i18n import money
from sla.web.roles import Role
from tests.penalties.conftest import Clock
from tests.penalties.period import NOW, Built
from tests.support import csrf_from

Client = Callable[[Role], FlaskClient]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GTR_BLOQUANT = "50 € HT par heure ouvrée de retard commencée sur la GTR d'un incident bloquant"


def french(app: Flask, msgid: str, **values: Any) -> str:
    """`msgid` as a French reader sees it (its msgid until the catalogue translates it)."""
    with app.test_request_context("/"), force_locale("fr"):
        return str(gettext(msgid, **values))


def refusal(app: Flask, code: str, **params: Any) -> str:
    """A domain error as a French reader sees it."""
    with app.test_request_context("/"), force_locale("fr"):
        return DomainError(code, **params).message


def euros(app: Flask, amount: str) -> str:
    """An amount as the French pages write it (`2 000,00 € HT`)."""
    with app.test_request_context("/"), force_locale("fr"):
        return money(Decimal(amount))


def text_of(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def statement_row(engine: Engine, statement_id: int) -> PenaltyStatement:
    with Session(engine) as session:
        found = session.get(PenaltyStatement, statement_id)
        assert found is not None
        return found


def line_ids(engine: Engine, statement_id: int) -> list[int]:
    with Session(engine) as session:
        rows = session.exec(
            select(PenaltyLine)
            .where(PenaltyLine.statement_id == statement_id)
            .order_by(col(PenaltyLine.position))
        )
        return [row.id for row in rows if row.id is not None]


def count(engine: Engine, table: type[Any]) -> int:
    with Session(engine) as session:
        return len(list(session.exec(select(table))))


def draw_up(client: FlaskClient, contract_id: int, **fields: str) -> Any:
    data = {
        "csrf_token": csrf_from(client, "/penalties/"),
        "contract_id": str(contract_id),
        "period_kind": "month",
        "month": "2026-10",
        **fields,
    }
    return client.post("/penalties/", data=data)


def post(client: FlaskClient, engine: Engine, statement_id: int, action: str, **fields: Any) -> Any:
    """Post an action of the statement's page with the revision it shows."""
    data = {
        "csrf_token": csrf_from(client, f"/penalties/{statement_id}"),
        "revision": str(statement_row(engine, statement_id).revision),
        **fields,
    }
    return client.post(f"/penalties/{statement_id}/{action}", data=data)


@pytest.fixture
def drafted(client_as: Client, october: Built, clock: Clock) -> tuple[FlaskClient, int]:
    """An agent's client and the draft of October it drew up."""
    agent = client_as(Role.agent)
    response = draw_up(agent, october.contract_id)
    assert response.status_code == 302, text_of(response)
    match = re.search(r"/penalties/(\d+)$", response.headers["Location"])
    assert match
    return agent, int(match.group(1))


def notified(engine: Engine, drafted: tuple[FlaskClient, int]) -> tuple[FlaskClient, int]:
    agent, statement_id = drafted
    response = post(agent, engine, statement_id, "notify")
    assert response.status_code == 302, text_of(response)
    return agent, statement_id


# -- the list, a new statement ----------------------------------------------------------------


def test_the_form_offers_only_the_contracts_that_set_penalties(
    client_as: Client, contracts: dict[str, int], october: Built, clock: Clock
) -> None:
    body = text_of(client_as(Role.agent).get("/penalties/"))
    form = body[body.index('id="new-statement"') :]
    assert f'value="{october.contract_id}"' in form
    assert "EXEMPLE-PENALITES-2026" in form
    assert f'value="{contracts["D_2024_0110"]}"' not in form


def test_a_viewer_reads_the_list_without_the_form(
    client_as: Client, october: Built, clock: Clock
) -> None:
    response = client_as(Role.viewer).get("/penalties/")
    assert response.status_code == 200
    assert 'id="new-statement"' not in text_of(response)


def test_a_month_drawn_up_shows_its_lines_and_its_capped_total(
    app: Flask, engine: Engine, drafted: tuple[FlaskClient, int], october: Built
) -> None:
    agent, statement_id = drafted
    assert statement_row(engine, statement_id).state == State.draft
    page = text_of(agent.get(f"/penalties/{statement_id}"))
    lines = page[page.index('class="penalty-lines"') : page.index('id="totals-title"')]
    assert len(re.findall(r'<tr data-line="\d+"', lines)) == 6
    for amount in ("150.00", "24.00", "30.00", "40.00", "0.00", "3600.00"):
        assert euros(app, amount) in lines
    assert GTR_BLOQUANT in lines and "CCAP fictif art. 9.1" in lines
    assert f'href="/incidents/{october.incidents["i1"]}"' in lines
    # Deadlines in the calendar's local time: I1's GTR fell on Mon 5 Oct at 15:00 (Paris).
    assert "15:00" in lines
    totals = page[page.index('id="totals-title"') :]
    assert euros(app, "3844.00") in totals and euros(app, "2000.00") in totals
    assert "CCAP fictif art. 9.6" in totals
    assert 'class="hint live-note"' in page
    listed = text_of(agent.get(f"/penalties/?contract={october.contract_id}"))
    assert f'href="/penalties/{statement_id}"' in listed


@pytest.mark.parametrize(
    ("fields", "field", "msgid", "values"),
    [
        ({"month": "2026-11"}, "month", "penalty.period_not_over", {"last": date(2026, 11, 30)}),
        ({"month": ""}, "month", "Choose the month.", {}),
        ({"period_kind": "range", "first": "2026-10-10", "last": ""}, "last", "Give the day.", {}),
        ({"period_kind": "quarter", "quarter": "2026-Q9"}, "quarter", "Choose the quarter.", {}),
    ],
)
def test_a_period_the_service_or_the_form_refuses_is_named_beside_its_field(
    app: Flask,
    engine: Engine,
    client_as: Client,
    october: Built,
    clock: Clock,
    fields: dict[str, str],
    field: str,
    msgid: str,
    values: dict[str, Any],
) -> None:
    response = draw_up(client_as(Role.agent), october.contract_id, **fields)
    assert response.status_code == 400
    body = text_of(response)
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', body)
    assert match, body
    if msgid.startswith("penalty."):
        assert match.group(1) == refusal(app, msgid, **values)
    else:
        assert match.group(1) == french(app, msgid, **values)
    assert count(engine, PenaltyStatement) == 0


def test_a_quarter_drawn_up_covers_its_three_months(
    engine: Engine, client_as: Client, october: Built, clock: Clock
) -> None:
    agent = client_as(Role.agent)
    page = text_of(agent.get("/penalties/"))
    assert '<option selected value="2026-Q3">' in page  # the last quarter that has ended
    response = draw_up(agent, october.contract_id, period_kind="quarter", quarter="2026-Q3")
    assert response.status_code == 302, text_of(response)
    with Session(engine) as session:
        statement = session.exec(select(PenaltyStatement)).one()
    assert (statement.period_start, statement.period_end) == (date(2026, 7, 1), date(2026, 9, 30))


def test_a_filter_the_list_cannot_use_is_named_and_ignored(
    app: Flask, client_as: Client, drafted: tuple[FlaskClient, int]
) -> None:
    _agent, statement_id = drafted
    response = client_as(Role.viewer).get("/penalties/?contract=99999999999999&to=2026-13-01")
    assert response.status_code == 400
    body = text_of(response)
    assert f'<p class="error" id="f-contract-error">{french(app, "Unknown contract.")}</p>' in body
    assert '<p class="error" id="f-to-error">' in body
    assert f'href="/penalties/{statement_id}"' in body


def test_an_action_the_state_does_not_offer_is_refused_with_its_reason(
    app: Flask, engine: Engine, client_as: Client, drafted: tuple[FlaskClient, int]
) -> None:
    _agent, statement_id = drafted
    admin = client_as(Role.admin)
    response = post(
        admin, engine, statement_id, "lines/1/decide", decision="applied", reason="Trop tôt"
    )
    assert response.status_code == 400
    assert refusal(app, "penalty.not_notified") in text_of(response)
    assert count(engine, PenaltyDecision) == 0
    assert statement_row(engine, statement_id).revision == 1


def test_a_second_statement_of_the_same_month_is_refused(
    app: Flask, engine: Engine, drafted: tuple[FlaskClient, int], october: Built
) -> None:
    agent, statement_id = drafted
    response = draw_up(agent, october.contract_id)
    assert response.status_code == 400
    assert f"{statement_id}" in text_of(response)
    assert count(engine, PenaltyStatement) == 1


# -- the procedure ----------------------------------------------------------------------------


def test_notifying_as_an_agent_freezes_the_statement_and_keeps_the_letter(
    app: Flask, engine: Engine, drafted: tuple[FlaskClient, int]
) -> None:
    agent, statement_id = drafted
    page = text_of(agent.get(f"/penalties/{statement_id}"))
    assert "support@exemple-infogerance.invalid" in page  # where the letter will go
    notified(engine, drafted)
    stored = statement_row(engine, statement_id)
    assert stored.state == State.notified
    assert stored.letter_pdf is not None and stored.letter_pdf.startswith(b"%PDF")
    assert len(line_ids(engine, statement_id)) == 6
    page = text_of(agent.get(f"/penalties/{statement_id}"))
    assert f"/penalties/{statement_id}/letter.pdf" in page
    letter = agent.get(f"/penalties/{statement_id}/letter.pdf")
    assert letter.mimetype == "application/pdf" and letter.data == stored.letter_pdf


def test_a_decision_before_the_answer_period_ends_is_refused_and_nothing_stored(
    app: Flask,
    engine: Engine,
    client_as: Client,
    drafted: tuple[FlaskClient, int],
    clock: Clock,
) -> None:
    _agent, statement_id = notified(engine, drafted)
    clock.now = NOW + timedelta(hours=1)
    admin = client_as(Role.admin)
    first = line_ids(engine, statement_id)[0]
    steps = count(engine, PenaltyStep)
    response = post(
        admin,
        engine,
        statement_id,
        f"lines/{first}/decide",
        decision="applied",
        reason="Retard avéré",
    )
    assert response.status_code == 400
    body = text_of(response)
    # No decision form is offered while the vendor may answer: the refusal comes at the top.
    assert f'id="line{first}-problem"' not in body
    match = re.search(r'<div class="flash flash-error" role="alert">([^<]*)</div>', body)
    assert match, body
    due = statement_row(engine, statement_id).answer_due_at
    assert html.unescape(match.group(1)) == refusal(
        app, "penalty.answer_period_open", answer_due_at=due
    )
    assert count(engine, PenaltyDecision) == 0
    assert count(engine, PenaltyStep) == steps
    assert statement_row(engine, statement_id).state == State.notified


def test_the_whole_procedure_through_the_pages(
    app: Flask,
    engine: Engine,
    client_as: Client,
    drafted: tuple[FlaskClient, int],
    clock: Clock,
) -> None:
    agent, statement_id = notified(engine, drafted)
    clock.now = NOW + timedelta(hours=2)
    # The vendor's observations, with a file that would be a page if the browser showed it.
    page = b"<html><script>alert(1)</script></html>"
    response = agent.post(
        f"/penalties/{statement_id}/observations",
        data={
            "csrf_token": csrf_from(agent, f"/penalties/{statement_id}"),
            "revision": str(statement_row(engine, statement_id).revision),
            "text": "Le retard du 5 octobre vient d'une coupure électrique.",
            "received_at": "2026-11-20T11:30",  # 10:30 UTC: after the notice, before now
            "files": [(io.BytesIO(page), "réponse.html", "text/html")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text_of(response)
    assert statement_row(engine, statement_id).state == State.observations
    with Session(engine) as session:
        stored_file = session.exec(select(PenaltyFile)).one()
    body = text_of(agent.get(f"/penalties/{statement_id}"))
    link = f"/penalties/{statement_id}/files/{stored_file.id}"
    assert link in body and "réponse.html" in body and "coupure électrique" in body
    download = agent.get(link)
    assert download.status_code == 200 and download.data == page
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/octet-stream"
    assert agent.get(f"/penalties/{statement_id + 1}/files/{stored_file.id}").status_code == 404

    # Decisions, as an administrator: the first reduced, the second waived, the rest applied.
    admin = client_as(Role.admin)
    ids = line_ids(engine, statement_id)
    refused = post(
        admin,
        engine,
        statement_id,
        f"lines/{ids[0]}/decide",
        decision="reduced",
        amount="500",
        reason="Coupure électrique",
    )
    assert refused.status_code == 400  # not below the line's 150.00
    assert re.search(rf'<p class="error" id="line{ids[0]}-amount-error">', text_of(refused))
    assert count(engine, PenaltyDecision) == 0
    for index, line_id in enumerate(ids):
        decision = {0: "reduced", 1: "waived"}.get(index, "applied")
        response = post(
            admin,
            engine,
            statement_id,
            f"lines/{line_id}/decide",
            decision=decision,
            amount="100" if decision == "reduced" else "",
            reason="Observations examinées",
        )
        assert response.status_code == 302, text_of(response)
    assert count(engine, PenaltyDecision) == 6
    response = post(admin, engine, statement_id, "finalise")
    assert response.status_code == 302, text_of(response)
    final = statement_row(engine, statement_id)
    assert final.state == State.final and final.final_pdf is not None
    body = text_of(admin.get(f"/penalties/{statement_id}"))
    for step in ("drafted", "notified", "observations", "decided", "finalised"):
        assert f'data-step="{step}"' in body
    assert 'id="actions-title"' in body  # the administrator may still supersede it
    assert "/decide" not in body  # nothing to decide any more
    pdf = admin.get(f"/penalties/{statement_id}/statement.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data == final.final_pdf
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    # An agent reads it, with no action left for it.
    assert 'id="actions-title"' not in text_of(agent.get(f"/penalties/{statement_id}"))
    # A new draft is drawn up to supersede it, with its reason; the final one stays in force,
    # as it was, until the new one is final.
    response = post(admin, engine, statement_id, "supersede", reason="Incident requalifié")
    assert response.status_code == 302, text_of(response)
    replacement = int(response.headers["Location"].rsplit("/", 1)[-1])
    assert replacement != statement_id
    old = statement_row(engine, statement_id)
    assert old.state == State.final and old.final_pdf == final.final_pdf
    assert statement_row(engine, replacement).supersedes_id == statement_id
    body = text_of(admin.get(f"/penalties/{statement_id}"))
    assert f'href="/penalties/{replacement}"' in body and "Remplacement en cours" in body
    assert "Incident requalifié" in text_of(admin.get(f"/penalties/{replacement}"))


def test_a_stale_revision_is_refused_with_a_conflict(
    app: Flask, engine: Engine, drafted: tuple[FlaskClient, int]
) -> None:
    agent, statement_id = drafted
    token = csrf_from(agent, f"/penalties/{statement_id}")
    response = agent.post(
        f"/penalties/{statement_id}/notify", data={"csrf_token": token, "revision": "7"}
    )
    assert response.status_code == 409
    assert 'id="notify-problem"' in text_of(response)
    assert statement_row(engine, statement_id).state == State.draft


def test_abandoning_a_draft_needs_a_reason(
    app: Flask, engine: Engine, drafted: tuple[FlaskClient, int]
) -> None:
    agent, statement_id = drafted
    refused = post(agent, engine, statement_id, "abandon", reason="  ")
    assert refused.status_code == 400
    body = text_of(refused)
    match = re.search(r'<p class="error" id="abandon-reason-error">([^<]*)</p>', body)
    assert match and match.group(1) == french(app, "Give the reason.")
    assert statement_row(engine, statement_id).state == State.draft
    response = post(agent, engine, statement_id, "abandon", reason="Période à reprendre")
    assert response.status_code == 302
    assert statement_row(engine, statement_id).state == State.abandoned


def test_lower_roles_cannot_post_the_actions_of_higher_ones(
    engine: Engine, client_as: Client, drafted: tuple[FlaskClient, int], october: Built
) -> None:
    agent, statement_id = drafted
    viewer = client_as(Role.viewer)
    token = csrf_from(viewer, "/penalties/")
    for action in ("notify", "abandon", "observations", "finalise", "supersede", "lines/1/decide"):
        response = viewer.post(
            f"/penalties/{statement_id}/{action}", data={"csrf_token": token, "revision": "1"}
        )
        assert response.status_code == 403, action
    assert viewer.post("/penalties/", data={"csrf_token": token}).status_code == 403
    for action in ("finalise", "supersede", "lines/1/decide"):
        response = agent.post(
            f"/penalties/{statement_id}/{action}",
            data={"csrf_token": csrf_from(agent, "/penalties/"), "revision": "1"},
        )
        assert response.status_code == 403, action
    assert statement_row(engine, statement_id).revision == 1


def test_the_documents_download_with_their_types(
    app: Flask, client_as: Client, drafted: tuple[FlaskClient, int]
) -> None:
    _agent, statement_id = drafted
    viewer = client_as(Role.viewer)
    pdf = viewer.get(f"/penalties/{statement_id}/statement.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert "EXEMPLE-PENALITES-2026-2026-10.pdf" in pdf.headers["Content-Disposition"]
    xlsx = viewer.get(f"/penalties/{statement_id}/statement.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype == XLSX
    assert xlsx.data.startswith(b"PK")
    assert viewer.get(f"/penalties/{statement_id}/letter.pdf").status_code == 404  # not sent
    assert viewer.get(f"/penalties/{statement_id + 1}/statement.xlsx").status_code == 404


# -- the incident page and the contract page --------------------------------------------------


def test_the_incident_page_shows_the_penalty_of_a_breached_target_and_an_exclusion(
    app: Flask, client_as: Client, october: Built
) -> None:
    viewer = client_as(Role.viewer)
    body = text_of(viewer.get(f"/incidents/{october.incidents['i1']}"))
    section = body[body.index('id="penalties-title"') :]
    gtr = section[section.index('data-target="gtr"') :]
    gtr = gtr[: gtr.index("</li>")]
    assert euros(app, "150.00") in gtr and GTR_BLOQUANT in gtr and "CCAP fictif art. 9.1" in gtr
    assert (
        french(
            app, "Under the contract's penalty clauses, before the statement's threshold and caps."
        )
        in section
    )
    assert 'data-target="prise-en-charge"' not in section  # met: nothing
    excluded = text_of(viewer.get(f"/incidents/{october.incidents['i4']}"))
    excluded_section = excluded[excluded.index('id="penalties-title"') :]
    assert 'data-target="gtr"' in excluded_section
    assert french(app, "no penalty (exclusion invoked)") in excluded_section


def test_an_incident_of_a_contract_without_penalties_shows_none(
    client_as: Client, contracts: dict[str, int], record_incident: Any
) -> None:
    from sla.engine.lifecycle import EventKind
    from tests.penalties.period import at

    incident_id = record_incident(
        contracts["D_2024_0110"], "bloquant", at(5, 9), [(EventKind.acknowledged, at(7, 10))]
    )
    body = text_of(client_as(Role.viewer).get(f"/incidents/{incident_id}"))
    assert 'id="penalties-title"' not in body


def test_the_contract_page_lists_its_clauses_and_links_its_statements(
    app: Flask, client_as: Client, contracts: dict[str, int], october: Built
) -> None:
    viewer = client_as(Role.viewer)
    body = text_of(viewer.get(f"/contracts/{october.contract_id}"))
    assert f'href="/penalties/?contract={october.contract_id}"' in body
    for key in ("gtr-bloquant", "gtr-majeur", "prise-en-charge", "correctif", "disponibilite"):
        assert f'data-clause="{key}"' in body
    assert euros(app, "50.00") in body and "CCAP fictif art. 9.7" in body
    other = text_of(viewer.get(f"/contracts/{contracts['D_2024_0110']}"))
    assert "/penalties/?contract=" not in other
