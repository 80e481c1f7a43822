"""The API of penalty statements: the whole contradictory procedure with tokens (draft,
notify, observations, decisions, final, supersede, abandon) on the month of
`tests/penalties/period.py`, each refused transition with its code, the roles, the documents,
and the OpenAPI document that describes them. The API's clock is set by the test."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, get_args

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy.engine import Engine

from sla.api import penalty_schemas
from sla.penalties.statement import Decision, State
from sla.web.roles import Role
from tests.penalties.period import NOW, build_october

API = "/api/v1/penalties/statements"
DAY = timedelta(days=1)
MONEY = re.compile(r"-?[0-9]+\.[0-9]{2}")


@dataclass
class Clock:
    """The instant the API takes for now."""

    now: datetime = NOW


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    held = Clock()
    monkeypatch.setattr("sla.web.settings.utcnow", lambda: held.now)
    return held


@dataclass
class Caller:
    """A client holding one role's token."""

    client: FlaskClient
    headers: dict[str, str]

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers=self.headers, **kwargs)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(path, json=body, headers=self.headers)


@dataclass
class Callers:
    viewer: Caller
    agent: Caller
    admin: Caller


@pytest.fixture
def callers(client: FlaskClient, token_headers: Callable[[Role], dict[str, str]]) -> Callers:
    return Callers(*(Caller(client, token_headers(role)) for role in Role))


@pytest.fixture
def october(engine: Engine) -> int:
    """October 2026 on the illustrative contract: its id (lines 3 844.00, total 2 000.00)."""
    return build_october(engine).contract_id


def draft(caller: Caller, contract_id: int) -> Any:
    response = caller.post(
        API, {"contract_id": contract_id, "period_kind": "month", "first": "2026-10-01"}
    )
    assert response.status_code == 201, response.json
    return response.json


def act(caller: Caller, statement: Any, action: str, **body: Any) -> Any:
    """POST a transition at the statement's revision (unless the body gives one)."""
    return caller.post(
        f"{API}/{statement['id']}/{action}", {"revision": statement["revision"], **body}
    )


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.json
    return response.json


def refused(response: Any, status: int, code: str) -> Any:
    assert response.status_code == status, response.json
    assert response.json["code"] == code, response.json
    assert response.json["errors"][0]["code"] == code
    assert response.json["error"]  # the rule, worded
    return response.json


def notified(callers: Callers, contract_id: int) -> Any:
    return ok(act(callers.agent, draft(callers.agent, contract_id), "notify"))


def amounts(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every amount of a response (a key that names one), with its key."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from amounts(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from amounts(item, key)
    elif key in {"amount", "limit", "reduction", "subtotal", "total"} or key.endswith("_ht"):
        yield key, value


def assert_amounts_are_strings(body: Any) -> int:
    found = [(k, v) for k, v in amounts(body) if v is not None]
    for key, value in found:
        assert isinstance(value, str) and MONEY.fullmatch(value), (key, value)
    return len(found)


# -- the procedure ------------------------------------------------------------------------


def test_the_whole_procedure_through_the_api(callers: Callers, october: int, clock: Clock) -> None:
    created = draft(callers.agent, october)
    assert created["state"] == "draft" and created["revision"] == 1
    assert created["transitions"] == ["notify", "abandon"]
    assert created["totals"]["subtotal"] == "3844.00" and created["totals"]["total"] == "2000.00"
    period_cap, year_cap = created["totals"]["caps"]
    assert (period_cap["scope"], period_cap["limit"], period_cap["reduction"]) == (
        "month",
        "2000.00",
        "1844.00",
    )
    assert (year_cap["percent"], year_cap["limit"]) == ("10", "2400.00")
    assert [line["id"] for line in created["lines"]] == [None] * 6  # computed afresh
    gtr = next(line for line in created["lines"] if line["clause_key"] == "gtr-bloquant")
    assert (gtr["units"], gtr["unit"], gtr["amount"]) == (3, "business_hour", "150.00")
    assert gtr["lateness"]["business_hours"] == 3 and gtr["lateness"]["business_seconds"] == 9000
    assert gtr["target_key"] == "gtr" and gtr["clause_article"] == "CCAP fictif art. 9.1"
    assert gtr["deadline"] and gtr["milestone_at"] and gtr["decision"] is None
    assert [step["kind"] for step in created["steps"]] == ["drafted"]
    assert created["steps"][0]["by"] == "api-agent"

    statement = ok(act(callers.agent, created, "notify"))
    assert statement["state"] == "notified" and statement["revision"] == 2
    assert statement["answer_due_at"] is not None
    assert statement["transitions"] == ["observations"]  # the answer period runs
    assert all(isinstance(line["id"], int) for line in statement["lines"])
    refused(
        act(callers.admin, statement, "decisions", line_id=1, decision="applied", reason="r"),
        409,
        "penalty.answer_period_open",
    )

    clock.now = NOW + DAY
    received = (NOW + DAY / 2).isoformat()
    statement = ok(
        act(
            callers.agent,
            statement,
            "observations",
            text="Le retard du 5 octobre vient d'une coupure réseau de la Ville.",
            received_at=received,
        )
    )
    assert statement["state"] == "observations"
    assert statement["transitions"] == ["observations", "decisions"]
    step = statement["steps"][-1]
    assert step["kind"] == "observations" and step["files"] == []
    assert datetime.fromisoformat(step["received_at"]) == NOW + DAY / 2

    for line in statement["lines"]:
        decision = {"decision": "applied"}
        if line["clause_key"] == "gtr-bloquant":
            decision = {"decision": "reduced", "amount": "100.00"}
        elif line["amount"] == "0.00":
            decision = {"decision": "waived"}
        statement = ok(
            act(
                callers.admin,
                statement,
                "decisions",
                line_id=line["id"],
                reason="Observations examinées",
                **decision,
            )
        )
    reduced = next(line for line in statement["lines"] if line["clause_key"] == "gtr-bloquant")
    assert reduced["decision"]["decision"] == "reduced"
    assert reduced["decision"]["amount"] == "100.00"
    assert reduced["decision"]["reason"] == "Observations examinées"
    assert reduced["decision"]["decided_by"] == "api-admin"
    assert statement["undecided"] == 0
    assert statement["decided"]["subtotal"] == "3794.00"  # 3 844.00 − 50.00
    assert statement["decided"]["total"] == "2000.00"  # still capped
    assert "finalise" in statement["transitions"]

    final = ok(act(callers.admin, statement, "finalise"))
    assert final["state"] == "final" and final["transitions"] == ["supersede"]
    assert re.fullmatch("[0-9a-f]{64}", final["final_sha256"])
    assert assert_amounts_are_strings(final) > 20
    listed = ok(callers.viewer.get(API))
    assert [(s["id"], s["state"], s["final_total_ht"]) for s in listed] == [
        (final["id"], "final", "2000.00")
    ]
    assert listed[0]["notified_total_ht"] == "2000.00" and listed[0]["vendor"]

    pdf = callers.viewer.get(f"{API}/{final['id']}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == final["final_sha256"]  # the stored one
    assert "attachment" in pdf.headers["Content-Disposition"]
    xlsx = callers.viewer.get(f"{API}/{final['id']}/xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")

    replacement = ok(act(callers.admin, final, "supersede", reason="Incident requalifié"), 201)
    assert replacement["state"] == "draft" and replacement["supersedes_id"] == final["id"]
    assert replacement["steps"][0]["text"] == "Incident requalifié"
    old = ok(callers.viewer.get(f"{API}/{final['id']}"))
    # Still in force until its replacement is final; the replacement is named.
    assert old["state"] == "final" and old["superseded_by_id"] == replacement["id"]
    assert old["transitions"] == []

    abandoned = ok(act(callers.agent, replacement, "abandon", reason="Finalement inutile"))
    assert abandoned["state"] == "abandoned" and abandoned["transitions"] == []
    states = {s["id"]: s["state"] for s in ok(callers.viewer.get(API))}
    # Its replacement given up, the final statement stays in force.
    assert states == {final["id"]: "final", replacement["id"]: "abandoned"}


def test_before_it_is_final_the_pdf_is_the_letter_as_it_reads_now(
    callers: Callers, october: int, clock: Clock
) -> None:
    created = draft(callers.agent, october)
    preview = callers.viewer.get(f"{API}/{created['id']}/pdf")
    assert preview.status_code == 200 and preview.data.startswith(b"%PDF")
    disposition = preview.headers["Content-Disposition"]
    assert "attachment" in disposition and "EXEMPLE-PENALITES-2026-2026-10.pdf" in disposition
    ok(act(callers.agent, created, "notify"))
    sent = callers.viewer.get(f"{API}/{created['id']}/pdf")
    assert sent.status_code == 200 and sent.data.startswith(b"%PDF")


# -- refusals -------------------------------------------------------------------------------


def test_each_refused_transition_answers_409_with_its_rule(
    callers: Callers, october: int, clock: Clock
) -> None:
    created = draft(callers.agent, october)
    line = {"line_id": 1, "decision": "applied", "reason": "r"}
    refused(act(callers.admin, created, "decisions", **line), 409, "penalty.not_notified")
    refused(act(callers.admin, created, "finalise"), 409, "penalty.not_notified")
    refused(
        act(callers.agent, created, "observations", text="t", received_at=NOW.isoformat()),
        409,
        "penalty.not_notified",
    )
    refused(act(callers.admin, created, "supersede", reason="r"), 409, "penalty.not_final")

    statement = ok(act(callers.agent, created, "notify"))
    twice = refused(act(callers.agent, statement, "notify"), 409, "penalty.already_notified")
    assert "déjà été notifié" in twice["error"]  # in the reader's language (French)
    refused(act(callers.agent, statement, "abandon", reason="r"), 409, "penalty.not_draft")
    # While the vendor may still answer, nothing is decided nor finalised.
    refused(act(callers.admin, statement, "finalise"), 409, "penalty.answer_period_open")
    stale = refused(act(callers.agent, created, "notify"), 409, "penalty.changed")
    assert stale["errors"][0]["field"] == "revision"


def test_a_value_a_rule_refuses_answers_400_naming_the_field(
    callers: Callers, october: int, clock: Clock
) -> None:
    statement = notified(callers, october)
    clock.now = NOW + 20 * DAY  # the answer period is over
    in_future = (clock.now + DAY).isoformat()
    body = refused(
        act(callers.agent, statement, "observations", text="t", received_at=in_future),
        400,
        "penalty.received_future",
    )
    assert body["errors"][0]["field"] == "received_at"
    too_early = (NOW - DAY).isoformat()
    refused(
        act(callers.agent, statement, "observations", text="t", received_at=too_early),
        400,
        "penalty.received_before_notice",
    )
    gtr = next(line for line in statement["lines"] if line["clause_key"] == "gtr-bloquant")
    decided = {"line_id": gtr["id"], "reason": "Vu"}
    body = refused(
        act(callers.admin, statement, "decisions", decision="reduced", amount="150.00", **decided),
        400,
        "penalty.not_reduced",
    )
    assert body["errors"][0]["field"] == "amount"
    refused(
        act(callers.admin, statement, "decisions", decision="reduced", **decided),
        400,
        "penalty.amount",
    )
    refused(
        act(
            callers.admin, statement, "decisions", decision="waived", line_id=gtr["id"], reason=" "
        ),
        400,
        "penalty.reason_needed",
    )
    # Nothing of the above changed the statement.
    assert ok(callers.viewer.get(f"{API}/{statement['id']}"))["revision"] == statement["revision"]


def test_creating_a_statement_is_refused_for_what_cannot_be(
    callers: Callers, october: int, clock: Clock
) -> None:
    draft(callers.agent, october)
    body = {"contract_id": october, "period_kind": "month", "first": "2026-10-15"}
    refused(callers.agent.post(API, body), 400, "penalty.statement_exists")
    refused(
        callers.agent.post(API, {**body, "first": "2026-11-01"}), 400, "penalty.period_not_over"
    )
    refused(
        callers.agent.post(
            API, {**body, "period_kind": "range", "first": "2026-09-10", "last": "2026-09-01"}
        ),
        400,
        "penalty.period_order",
    )
    refused(callers.agent.post(API, {**body, "contract_id": 999_999}), 404, "contract.not_found")
    for bad in (
        {**body, "first": "1er octobre"},
        {**body, "first": 1_790_000_000},
        {**body, "first": "2026-10-01T00:00:00Z"},
        {**body, "first": "1969-10-01"},
        {**body, "period_kind": "week"},
        {**body, "colour": "red"},
    ):
        response = callers.agent.post(API, bad)
        assert response.status_code == 422, (bad, response.json)


def test_unknown_statements_and_lines_answer_404(
    callers: Callers, october: int, clock: Clock
) -> None:
    refused(callers.viewer.get(f"{API}/999"), 404, "penalty.not_found")
    refused(callers.viewer.get(f"{API}/999/pdf"), 404, "penalty.not_found")
    refused(callers.viewer.get(f"{API}/999/xlsx"), 404, "penalty.not_found")
    refused(callers.agent.post(f"{API}/999/notify", {"revision": 1}), 404, "penalty.not_found")
    statement = notified(callers, october)
    clock.now = NOW + 20 * DAY
    body = {"line_id": 999_999, "decision": "applied", "reason": "r"}
    refused(act(callers.admin, statement, "decisions", **body), 404, "penalty.line_not_found")


def test_bodies_are_checked_before_the_procedure(callers: Callers, october: int) -> None:
    created = draft(callers.agent, october)
    path = f"{API}/{created['id']}"
    for action, body in (
        ("notify", {}),
        ("notify", {"revision": "1"}),
        ("notify", {"revision": 1, "force": True}),
        ("decisions", {"revision": 1, "line_id": 1, "decision": "maybe", "reason": "r"}),
        (
            "decisions",
            {"revision": 1, "line_id": 1, "decision": "reduced", "reason": "r", "amount": 12.5},
        ),
        (
            "decisions",
            {"revision": 1, "line_id": 1, "decision": "reduced", "reason": "r", "amount": "12,50"},
        ),
        ("observations", {"revision": 1, "text": "t", "received_at": "2026-11-20T10:00:00"}),
        ("abandon", {"revision": 1, "reason": ""}),
        ("abandon", {"revision": 1, "reason": "x" * 5001}),
    ):
        response = callers.admin.post(f"{path}/{action}", body)
        assert response.status_code == 422, (action, body, response.json)
    assert ok(callers.viewer.get(path))["state"] == "draft"


# -- roles ----------------------------------------------------------------------------------


def test_a_viewer_reads_but_may_not_act(callers: Callers, october: int) -> None:
    body = {"contract_id": october, "period_kind": "month", "first": "2026-10-01"}
    assert callers.viewer.post(API, body).status_code == 403
    created = draft(callers.agent, october)
    assert act(callers.viewer, created, "notify").status_code == 403
    assert act(callers.viewer, created, "abandon", reason="r").status_code == 403
    assert ok(callers.viewer.get(f"{API}/{created['id']}"))["state"] == "draft"
    assert callers.viewer.client.get(API).status_code == 401  # no token


def test_deciding_finalising_and_superseding_need_an_admin(callers: Callers, october: int) -> None:
    created = draft(callers.agent, october)
    line = {"line_id": 1, "decision": "applied", "reason": "r"}
    assert act(callers.agent, created, "decisions", **line).status_code == 403
    assert act(callers.agent, created, "finalise").status_code == 403
    assert act(callers.agent, created, "supersede", reason="r").status_code == 403


# -- the list -------------------------------------------------------------------------------


def test_the_list_filters_by_contract_state_and_period(
    callers: Callers, october: int, clock: Clock
) -> None:
    created = draft(callers.agent, october)
    september = ok(
        callers.agent.post(
            API, {"contract_id": october, "period_kind": "month", "first": "2026-09-01"}
        ),
        201,
    )
    ok(act(callers.agent, created, "notify"))

    def ids(**query: str) -> list[int]:
        return [s["id"] for s in ok(callers.viewer.get(API, query_string=query))]

    assert ids() == [created["id"], september["id"]]  # newest period first
    assert ids(contract_id=str(october)) == [created["id"], september["id"]]
    assert ids(contract_id="999") == []
    assert ids(state="notified") == [created["id"]]
    assert ids(state="draft") == [september["id"]]
    assert ids(**{"from": "2026-10-15"}) == [created["id"]]
    assert ids(to="2026-09-30") == [september["id"]]
    assert ids(**{"from": "2026-09-30", "to": "2026-10-01"}) == [created["id"], september["id"]]
    listed = ok(callers.viewer.get(API, query_string={"state": "notified"}))[0]
    assert listed["notified_total_ht"] == "2000.00" and listed["final_total_ht"] is None
    assert listed["contract_reference"] == "EXEMPLE-PENALITES-2026"
    for bad in ({"from": "15/10/2026"}, {"to": "1790000000"}, {"state": "sent"}):
        response = callers.viewer.get(API, query_string=bad)
        assert response.status_code == 422, (bad, response.json)


# -- the OpenAPI document -------------------------------------------------------------------


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    registry = Registry().with_resource(
        "urn:api",
        Resource.from_contents(
            {"components": document["components"]}, default_specification=DRAFT202012
        ),
    )
    schema = json.loads(json.dumps(schema).replace("#/components", "urn:api#/components"))
    return Draft202012Validator(schema, registry=registry)


def test_openapi_lists_the_statements_paths_with_their_schemas(
    callers: Callers, october: int, clock: Clock
) -> None:
    document = ok(callers.viewer.get("/api/v1/openapi.json"))
    validate(document)
    paths = document["paths"]
    statement = "/api/v1/penalties/statements/{statement_id}"
    assert set(paths[API]) == {"get", "post"}
    for action in ("notify", "observations", "decisions", "finalise", "supersede", "abandon"):
        operation = paths[f"{statement}/{action}"]["post"]
        assert "409" in operation["responses"] and "422" in operation["responses"]
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert "web form" in paths[f"{statement}/observations"]["post"]["summary"]
    assert set(paths[f"{statement}/supersede"]["post"]["responses"]) >= {"201"}
    assert paths[f"{statement}/pdf"]["get"]["responses"]["200"]["content"] == {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}
    }
    assert (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        in (paths[f"{statement}/xlsx"]["get"]["responses"]["200"]["content"])
    )
    names = {p["name"] for p in paths[API]["get"]["parameters"]}
    assert names == {"contract_id", "state", "from", "to"}
    schemas = document["components"]["schemas"]
    amount = schemas["LineOut"]["properties"]["amount"]
    assert amount["type"] == "string" and "pattern" in amount
    assert schemas["StatementIn"]["additionalProperties"] is False

    # What the routes answer matches what the document says.
    created = draft(callers.agent, october)
    statement_schema = paths[statement]["get"]["responses"]["200"]["content"]
    _validator(document, statement_schema["application/json"]["schema"]).validate(created)
    notified_now = ok(act(callers.agent, created, "notify"))
    _validator(document, statement_schema["application/json"]["schema"]).validate(notified_now)
    listing = paths[API]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    _validator(document, listing).validate(ok(callers.viewer.get(API)))
    error = refused(act(callers.agent, created, "notify"), 409, "penalty.changed")
    _validator(document, {"$ref": "#/components/schemas/ErrorBody"}).validate(error)


def test_the_schemas_know_every_state_and_decision() -> None:
    assert set(get_args(penalty_schemas.StateName)) == {state.value for state in State}
    assert set(get_args(penalty_schemas.DecisionName)) == {d.value for d in Decision}


def test_amounts_are_strings_with_two_decimals(callers: Callers, october: int, app: Flask) -> None:
    created = draft(callers.agent, october)
    assert assert_amounts_are_strings(created) > 10
    assert all(not isinstance(v, float) for _, v in amounts(created))
    assert Decimal(created["totals"]["total"]) == Decimal("2000.00")
