"""The JSON API: report incidents, record events, conflicts, validation, OpenAPI."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from incidents.models import STATUSES
from sla.api import schemas
from sla.auth import service as accounts
from sla.auth.models import User
from sla.contracts import service as contract_service
from sla.contracts.document import read_contract_text
from sla.contracts.service import import_documents
from sla.db import DATABASE_INT_MAX, session_scope, utcnow
from sla.engine.target_states import TargetStatus
from sla.engine.terms import TargetKind
from sla.web.roles import Role
from tests.conftest import EXAMPLES


@pytest.fixture
def api(
    app: Flask, make_user: Callable[..., User], engine: Engine
) -> Callable[[Role], tuple[FlaskClient, dict[str, str]]]:
    def make(role: Role) -> tuple[FlaskClient, dict[str, str]]:
        make_user(f"api-{role.value}", role)
        with session_scope(engine) as session:
            user = accounts.find_user(session, f"api-{role.value}")
            assert user is not None
            token, _ = accounts.create_api_token(session, user, name="tests", now=utcnow())
        return app.test_client(), {"Authorization": f"Bearer {token}"}

    return make


def iso(value: datetime) -> str:
    return value.isoformat()


def report(client: FlaskClient, headers: dict[str, str], contract_id: int, **extra: Any) -> Any:
    body = {
        "contract_id": contract_id,
        "severity": "bloquant",
        "title": "ComElus inaccessible",
        "channel": "phone",
        **extra,
    }
    return client.post("/api/v1/incidents", json=body, headers=headers)


def test_agent_reports_an_incident_and_sees_every_deadline(
    api: Any, contracts: dict[str, int]
) -> None:
    client, headers = api(Role.agent)
    heure_h = utcnow() - timedelta(minutes=30)
    response = report(
        client,
        headers,
        contracts["D_2024_0110"],
        reported_at=iso(heure_h),
        vendor_ticket_ref="LS-4242",
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert (
        body["status"] == "open"
        and body["revision"] == 1
        and body["vendor_ticket_ref"] == "LS-4242"
    )
    targets = {t["key"]: t for t in body["targets"]}
    assert set(targets) == {"prise-en-charge", "contournement", "resolution"}
    assert targets["prise-en-charge"]["deadline"] is not None
    assert targets["resolution"]["status"] == "pending"
    listed = client.get("/api/v1/incidents?open=1", headers=headers).json
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]


def test_events_move_the_incident_and_stale_revisions_conflict(
    api: Any, contracts: dict[str, int]
) -> None:
    client, headers = api(Role.agent)
    created = report(
        client, headers, contracts["D_2024_0110"], reported_at=iso(utcnow() - timedelta(hours=1))
    ).json
    url = f"/api/v1/incidents/{created['id']}/events"
    first = client.post(url, json={"kind": "acknowledged", "revision": 1}, headers=headers)
    assert first.status_code == 201, first.json
    assert first.json["revision"] == 2
    assert {t["key"]: t["milestone_at"] for t in first.json["targets"]}[
        "prise-en-charge"
    ] is not None
    # A second agent who still saw revision 1 gets a conflict, not an overwrite.
    stale = client.post(
        url,
        json={"kind": "waiting_customer", "revision": 1, "text": "logs demandés"},
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.json["errors"][0]["field"] == "revision"
    refused = client.post(url, json={"kind": "resumed", "revision": 2}, headers=headers)
    assert refused.status_code == 400
    assert refused.json["code"] == "event.not_waiting"
    assert "pas en attente" in refused.json["error"]  # in the reader's language (French)
    paused = client.post(
        url,
        json={"kind": "waiting_customer", "revision": 2, "text": "logs demandés"},
        headers=headers,
    )
    assert paused.json["status"] == "paused"
    requalified = client.post(
        url,
        json={
            "kind": "requalified",
            "revision": 3,
            "severity": "mineur",
            "text": "un seul élu concerné",
        },
        headers=headers,
    )
    assert requalified.status_code == 201
    assert (
        requalified.json["severity"] == "mineur"
        and requalified.json["initial_severity"] == "bloquant"
    )
    events = requalified.json["events"]
    cancel = client.post(
        url,
        json={
            "kind": "cancellation",
            "revision": 4,
            "cancels": events[1]["id"],
            "text": "erreur de saisie",
        },
        headers=headers,
    )
    assert cancel.status_code == 201
    assert cancel.json["status"] == "open"
    assert len(cancel.json["events"]) == 4  # nothing deleted: the cancellation is one more event


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"severity": "bloquant"}, "title"),
        (
            {"title": "x", "severity": "bloquant", "reported_at": "2025-05-05T09:00:00"},
            "reported_at",
        ),
        ({"title": "x", "severity": "bloquant", "channel": "fax"}, "channel"),
        ({"title": "x", "severity": "bloquant", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_gets_422_naming_the_field(
    api: Any, contracts: dict[str, int], body: dict[str, Any], field: str
) -> None:
    client, headers = api(Role.agent)
    response = client.post(
        "/api/v1/incidents", json={"contract_id": contracts["D_2024_0110"], **body}, headers=headers
    )
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json["errors"]]


def test_domain_refusals_get_400_naming_the_field(api: Any, contracts: dict[str, int]) -> None:
    client, headers = api(Role.agent)
    future = report(
        client, headers, contracts["D_2024_0110"], reported_at=iso(utcnow() + timedelta(hours=2))
    )
    assert future.status_code == 400 and future.json["errors"][0]["field"] == "reported_at"
    unknown = report(client, headers, contracts["D_2024_0110"], severity="urgentissime")
    assert unknown.status_code == 400 and unknown.json["errors"][0]["field"] == "severity"
    before_contract = report(
        client,
        headers,
        contracts["2025CM0417"],
        severity="bloquante",
        reported_at="2024-06-01T10:00:00+02:00",
    )
    assert before_contract.status_code == 400
    assert before_contract.json["code"] == "contract.no_sla_in_force"
    assert client.get("/api/v1/incidents/999999", headers=headers).status_code == 404
    assert (
        client.post(
            "/api/v1/incidents",
            data="not json",
            headers={**headers, "Content-Type": "application/json"},
        ).status_code
        == 422
    )


def test_viewer_reads_but_cannot_write(api: Any, contracts: dict[str, int]) -> None:
    client, headers = api(Role.viewer)
    assert client.get("/api/v1/contracts", headers=headers).status_code == 200
    assert report(client, headers, contracts["D_2024_0110"]).status_code == 403


def test_contract_detail_lists_the_sla(api: Any, contracts: dict[str, int]) -> None:
    client, headers = api(Role.viewer)
    detail = client.get(
        f"/api/v1/contracts/{contracts['MIRAMAS-AUKFOOD-2023']}", headers=headers
    ).json
    assert [s["key"] for s in detail["severities"]] == ["collabora", "linux"]
    assert [e["key"] for e in detail["exclusions"]] == [
        "application-tierce",
        "infrastructure",
        "tres-complexe",
    ]
    assert detail["severities"][1]["targets"][1] == {
        "key": "gtr",
        "kind": "restoration",
        "label": "GTR",
        "unit": "business_seconds",
        "amount": 28800.0,
        "end_of_day": False,
        "origin": "report",
        "calendar": "ouvrables",
        "pauses": ["customer"],  # the contract is silent: waiting on the customer only
        "article": "Mission 2 ; Garantie de rétablissement - GTR",
    }


def test_openapi_documents_every_route_and_the_responses_match(
    app: Flask, api: Any, contracts: dict[str, int]
) -> None:
    client, headers = api(Role.agent)
    document = client.get("/api/v1/openapi.json", headers=headers).json
    validate(document)
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi":
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                assert (path, method.lower()) in documented, (path, method)
    registry = Registry().with_resource(
        "urn:api",
        Resource.from_contents(
            {"components": document["components"]}, default_specification=DRAFT202012
        ),
    )

    def check(schema_name: str, instance: Any) -> None:
        validator = Draft202012Validator(
            {"$ref": f"urn:api#/components/schemas/{schema_name}"}, registry=registry
        )
        validator.validate(instance)

    created = report(client, headers, contracts["D_2024_0110"]).json
    check("IncidentDetailOut", created)
    check("IncidentPage", client.get("/api/v1/incidents", headers=headers).json)
    check(
        "ContractDetailOut",
        client.get(f"/api/v1/contracts/{contracts['D_2024_0110']}", headers=headers).json,
    )
    check("ErrorBody", client.post("/api/v1/incidents", json={}, headers=headers).json)
    assert datetime.fromisoformat(created["reported_at"]).tzinfo is not None


def test_contracts_show_the_version_in_force_and_its_sla(
    api: Any, contracts: dict[str, int], engine: Engine
) -> None:
    text = (EXAMPLES / "operis-oxalis.toml").read_text()
    amended = text.replace("effective_from = 2025-01-01", "effective_from = 2025-07-01").replace(
        "business_days = 8 ", "business_days = 5 "
    )
    with session_scope(engine) as session:
        import_documents(
            session, [("amended.toml", read_contract_text(amended, "amended.toml"))], now=utcnow()
        )
    client, headers = api(Role.viewer)
    listed = {c["reference"]: c for c in client.get("/api/v1/contracts", headers=headers).json}
    assert listed["2025CM0417"]["version"] == 2
    assert listed["2025CM0417"]["version_effective_from"] == "2025-07-01"
    assert listed["2025CM0417"]["yearly_amount_ht"] == "5429.84"
    assert listed["2025CM0417"]["calendar"] == "support"
    assert listed["D_2024_0110"]["yearly_amount_ht"] == "1350.00"
    assert listed["SMICA-DRUELLE-2024"]["yearly_amount_ht"] is None
    detail = client.get(f"/api/v1/contracts/{contracts['2025CM0417']}", headers=headers).json
    assert {k: detail[k] for k in listed["2025CM0417"]} == listed["2025CM0417"]
    blocking = detail["severities"][0]
    assert blocking["key"] == "bloquante"
    assert blocking["targets"][0]["unit"] == "business_days"
    assert blocking["targets"][0]["amount"] == 5.0  # the amended terms, not version 1's
    comelus = client.get(f"/api/v1/contracts/{contracts['D_2024_0110']}", headers=headers).json
    assert comelus["availability_percent"] == 98.0 and comelus["exclusions"] == []
    miramas = f"/api/v1/contracts/{contracts['MIRAMAS-AUKFOOD-2023']}"
    assert client.get(miramas, headers=headers).json["availability_percent"] is None


def test_every_read_route_matches_its_documented_response(
    api: Any, contracts: dict[str, int]
) -> None:
    client, headers = api(Role.agent)
    created = report(client, headers, contracts["D_2024_0110"]).json
    client.post(
        f"/api/v1/incidents/{created['id']}/events",
        json={"kind": "waiting_customer", "revision": 1, "text": "logs demandés"},
        headers=headers,
    )
    document = client.get("/api/v1/openapi.json", headers=headers).json
    registry = Registry().with_resource(
        "urn:api",
        Resource.from_contents(
            {"components": document["components"]}, default_specification=DRAFT202012
        ),
    )
    vendor_id = client.get("/api/v1/vendors", headers=headers).json[0]["id"]
    values = {
        "vendor_id": vendor_id,
        "contract_id": contracts["D_2024_0110"],
        "incident_id": created["id"],
    }
    checked = []
    for path, operations in document["paths"].items():
        if "get" not in operations or path.startswith("/api/v1/penalties/"):
            continue  # the penalty statements': tests/api/test_penalties_api.py
        url = path.format(**values)
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.json)
        schema = operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        schema = json.loads(json.dumps(schema).replace("#/components", "urn:api#/components"))
        Draft202012Validator(schema, registry=registry).validate(response.json)
        if schema.get("type") == "array":
            assert response.json, url  # a list checked on at least one item
        checked.append(url)
    assert len(checked) == 8
    events = client.get(f"/api/v1/incidents/{created['id']}", headers=headers).json["events"]
    assert [e["kind"] for e in events] == ["waiting_customer"] and events[0]["cancels"] is None
    targets = client.get(f"/api/v1/incidents/{created['id']}/targets", headers=headers).json
    assert {t["status"] for t in targets} <= {s.value for s in TargetStatus}
    assert {t["kind"] for t in targets} <= {k.value for k in TargetKind}
    assert all(isinstance(t["business_time"], bool) for t in targets)


def amend_operis(engine: Engine, effective_from: date, business_days: int) -> None:
    """Import an amendment of contract 2025CM0417 taking effect on `effective_from`, its
    blocking workaround in `business_days` (8 in version 1)."""
    text = (EXAMPLES / "operis-oxalis.toml").read_text()
    amended = text.replace(
        "effective_from = 2025-01-01", f"effective_from = {effective_from.isoformat()}"
    ).replace("business_days = 8 ", f"business_days = {business_days} ")
    with session_scope(engine) as session:
        import_documents(
            session, [("amended.toml", read_contract_text(amended, "amended.toml"))], now=utcnow()
        )


def test_contracts_never_present_an_amendment_to_come(
    app: Flask, api: Any, contracts: dict[str, int], engine: Engine
) -> None:
    today = utcnow().astimezone(ZoneInfo(app.config["SLA_SETTINGS"]["app"]["timezone"])).date()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    amend_operis(engine, next_month, business_days=5)
    client, headers = api(Role.viewer)
    listed = {c["reference"]: c for c in client.get("/api/v1/contracts", headers=headers).json}
    assert listed["2025CM0417"]["version"] == 1
    assert listed["2025CM0417"]["version_effective_from"] == "2025-01-01"
    detail = client.get(f"/api/v1/contracts/{contracts['2025CM0417']}", headers=headers).json
    assert {k: detail[k] for k in listed["2025CM0417"]} == listed["2025CM0417"]
    assert detail["severities"][0]["targets"][0]["amount"] == 8.0  # version 1's, in force


def operation_of(document: dict[str, Any], endpoint: str) -> dict[str, Any]:
    """The operation of the OpenAPI document with this operationId."""
    found: list[dict[str, Any]] = [
        op
        for ops in document["paths"].values()
        for op in ops.values()
        if op["operationId"] == endpoint
    ]
    assert len(found) == 1, endpoint
    return found[0]


def test_openapi_states_the_bounds_of_every_parameter(api: Any) -> None:
    client, headers = api(Role.viewer)
    document = client.get("/api/v1/openapi.json", headers=headers).json
    ids = {"type": "integer", "minimum": 1, "maximum": DATABASE_INT_MAX}
    for ops in document["paths"].values():
        for op in ops.values():
            for parameter in op["parameters"]:
                schema = parameter["schema"]
                assert schema["type"] in ("integer", "string", "boolean"), parameter
                if parameter["in"] == "path" or parameter["name"].endswith("_id"):
                    assert {k: schema[k] for k in ids} == ids, parameter
                if schema["type"] == "integer":
                    assert {"minimum", "maximum"} <= set(schema), parameter
    listing = {
        p["name"]: p["schema"] for p in operation_of(document, "incident_list")["parameters"]
    }
    assert listing["limit"] == {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}
    assert listing["offset"] == {"type": "integer", "minimum": 0, "maximum": 10**9, "default": 0}
    assert listing["status"] == {"type": "string", "enum": list(STATUSES)}
    assert listing["open"] == {"type": "boolean", "default": False}
    assert listing["severity"]["maxLength"] == 64 and "pattern" in listing["severity"]
    contracts = operation_of(document, "contract_list")["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in contracts] == [
        ("vendor_id", "query", False)
    ]


# The operations that take the revision the client saw (409 when it changed, or when the
# record's state refuses the change).
REVISED = (
    "incident_event",
    "incident_correct",
    "penalty_notify",
    "penalty_observations",
    "penalty_decide",
    "penalty_finalise",
    "penalty_supersede",
    "penalty_abandon",
)


def test_openapi_documents_every_answer_an_operation_can_give(api: Any) -> None:
    client, headers = api(Role.viewer)
    document = client.get("/api/v1/openapi.json", headers=headers).json
    for path, ops in document["paths"].items():
        for op in ops.values():
            responses = op["responses"]
            assert {"401", "403", "500", "503"} <= set(responses), path
            assert responses["500"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ServerErrorBody"
            }
            assert set(responses["503"]["headers"]) == {"Retry-After"}
            if "requestBody" in op:
                assert {"400", "404", "413", "422"} <= set(responses), path
            revised = op["operationId"] in REVISED
            assert ("409" in responses) == revised, path
            assert ("404" in responses) == ("{" in path or "requestBody" in op), path
    created = operation_of(document, "incident_create")["responses"]["201"]
    assert created["links"]["GetIncident"] == {
        "operationId": "incident",
        "description": "The incident",
        "parameters": {"incident_id": "$response.body#/id"},
    }


def validator_of(document: dict[str, Any], schema_name: str) -> Draft202012Validator:
    registry = Registry().with_resource(
        "urn:api",
        Resource.from_contents(
            {"components": document["components"]}, default_specification=DRAFT202012
        ),
    )
    return Draft202012Validator(
        {"$ref": f"urn:api#/components/schemas/{schema_name}"}, registry=registry
    )


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"contract_id": True},
        {"contract_id": "3"},
        {"contract_id": 3.5},
        {"contract_id": DATABASE_INT_MAX + 1},
        {"title": "ComElus\ninaccessible"},
        {"title": "ComElus\x00"},
        {"title": ""},
        {"description": "ligne 1\r\n\tligne 2"},
        {"description": "\x00"},
        {"vendor_ticket_ref": "x" * 101},
        {"channel": "fax"},
        {"colour": "red"},
        {"reported_at": 1_700_000_000},
        {"reported_at": "1969-12-31T23:59:59Z"},
        {"reported_at": "2201-01-01T00:00:00Z"},
        {"reported_at": "2025-05-05T09:00:00+02:00"},
    ],
    ids=lambda fields: ",".join(f"{k}={v!r}"[:30] for k, v in fields.items()) or "valid",
)
def test_the_documented_request_schema_says_what_is_accepted(
    api: Any, contracts: dict[str, int], fields: dict[str, Any]
) -> None:
    client, headers = api(Role.agent)
    document = client.get("/api/v1/openapi.json", headers=headers).json
    body = {
        "contract_id": contracts["D_2024_0110"],
        "severity": "bloquant",
        "title": "ComElus inaccessible",
        **fields,
    }
    documented_valid = validator_of(document, "IncidentIn").is_valid(body)
    response = client.post("/api/v1/incidents", json=body, headers=headers)
    assert (response.status_code != 422) == documented_valid, response.json


def test_server_failures_answer_as_documented(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client, headers = api(Role.viewer)
    document = client.get("/api/v1/openapi.json", headers=headers).json
    responses = operation_of(document, "vendors")["responses"]

    def broken(session: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(contract_service, "list_vendors", broken)
    failed = client.get("/api/v1/vendors", headers=headers)
    assert failed.status_code == 500 and "500" in responses
    validator_of(document, "ServerErrorBody").validate(failed.json)
    assert failed.json["request_id"]

    def busy(session: Any) -> Any:
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(contract_service, "list_vendors", busy)
    refused = client.get("/api/v1/vendors", headers=headers)
    assert refused.status_code == 503 and "503" in responses
    validator_of(document, "ErrorBody").validate(refused.json)
    retry_after = responses["503"]["headers"]["Retry-After"]["schema"]
    assert retry_after["type"] == "integer"
    assert int(refused.headers["Retry-After"]) >= retry_after["minimum"]


def test_query_models_know_every_incident_status() -> None:
    status = schemas.IncidentQuery.model_json_schema()["properties"]["status"]
    assert status["anyOf"][0]["enum"] == list(STATUSES)
