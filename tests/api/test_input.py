"""What a client sends is checked whole at the door: 422 naming the field, never a 500.

Query integers in ASCII digits and within bounds, ids that fit the database's integer, strict
JSON types (no boolean for a number), instants in ISO 8601 with an offset and in a sane range,
no control characters in text (one-line fields no line break either), JSON nested past any
sense refused, a body too large refused with 413.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from sla.db import DATABASE_INT_MAX

INCIDENTS = "/api/v1/incidents"


def report(
    client: FlaskClient, headers: dict[str, str], contracts: dict[str, int], **fields: Any
) -> Any:
    body = {
        "contract_id": contracts["D_2024_0110"],
        "severity": "bloquant",
        "title": "ComElus inaccessible",
        **fields,
    }
    return client.post(INCIDENTS, json=body, headers=headers)


def case_id(value: Any) -> str:
    """A test id that shows the input: the query, or the field and its value, shortened."""
    if isinstance(value, dict):
        return ",".join(f"{k}={v!r}"[:40] for k, v in value.items())
    return str(value)[:40]


def refused_fields(response: Any) -> list[str]:
    assert response.status_code == 422, (response.status_code, response.get_data(as_text=True))
    return [e["field"] for e in response.json["errors"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/incidents?limit=²", "limit"),  # a digit to str.isdigit, not to int()
        ("/incidents?vendor_id=²", "vendor_id"),
        ("/contracts?vendor_id=²", "vendor_id"),
        ("/incidents?contract_id=٣", "contract_id"),  # Arabic-Indic three
        ("/incidents?offset=" + "9" * 5000, "offset"),  # past int()'s digit limit
        ("/incidents?limit=", "limit"),
        ("/incidents?limit=-1", "limit"),
        ("/incidents?offset=-5", "offset"),
        ("/incidents?limit=+5", "limit"),
        ("/incidents?limit=0", "limit"),
        ("/incidents?limit=501", "limit"),
        ("/incidents?offset=1000000001", "offset"),
        ("/incidents?vendor_id=0", "vendor_id"),
        (f"/incidents?vendor_id={DATABASE_INT_MAX + 1}", "vendor_id"),
        (f"/incidents?contract_id={2**63}", "contract_id"),
        (f"/contracts?vendor_id={DATABASE_INT_MAX + 1}", "vendor_id"),
        ("/incidents?open=maybe", "open"),
        ("/incidents?status=lost", "status"),
        ("/incidents?severity=", "severity"),
        ("/incidents?severity=bloquant%00", "severity"),
        ("/incidents?severity=a%0Ab", "severity"),
    ],
    ids=case_id,
)
def test_query_parameters_are_checked(
    client: FlaskClient, agent: dict[str, str], query: str, field: str
) -> None:
    assert refused_fields(client.get("/api/v1" + query, headers=agent)) == [field]


def test_query_parameters_at_their_bounds_are_accepted(
    client: FlaskClient, agent: dict[str, str]
) -> None:
    page = client.get(
        f"{INCIDENTS}?limit=500&offset=1000000000&vendor_id={DATABASE_INT_MAX}"
        f"&contract_id=1&status=open&severity=bloquant&open=true",
        headers=agent,
    )
    assert page.status_code == 200, page.json
    assert page.json == {"total": 0, "limit": 500, "offset": 1_000_000_000, "items": []}
    assert client.get(f"{INCIDENTS}?limit=1&offset=0&open=0", headers=agent).status_code == 200
    assert client.get(f"/api/v1/contracts?vendor_id={DATABASE_INT_MAX}", headers=agent).json == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"contract_id": DATABASE_INT_MAX + 1}, "contract_id"),  # PostgreSQL's integer overflows
        ({"contract_id": 2**63}, "contract_id"),  # SQLite's too
        ({"contract_id": 0}, "contract_id"),
        ({"contract_id": True}, "contract_id"),  # a boolean is no id (it was contract 1)
        ({"contract_id": "3"}, "contract_id"),
        ({"contract_id": 3.5}, "contract_id"),
        ({"contract_id": float("inf")}, "contract_id"),
        ({"reported_at": 1_700_000_000}, "reported_at"),  # a Unix timestamp
        ({"reported_at": "1700000000"}, "reported_at"),
        ({"reported_at": "2025-05-05T09:00:00"}, "reported_at"),  # naive
        ({"reported_at": "2025-05-05"}, "reported_at"),
        ({"reported_at": "0001-01-01T00:00:00+01:00"}, "reported_at"),
        ({"reported_at": "9999-12-31T23:59:59-01:00"}, "reported_at"),
        ({"reported_at": "1969-12-31T23:59:59Z"}, "reported_at"),
        ({"title": "ComElus\x00inaccessible"}, "title"),
        ({"title": "ComElus\ninaccessible"}, "title"),  # a line break in a mail header
        ({"title": "ComElus\rinaccessible"}, "title"),
        ({"title": "ComElus\u2028inaccessible"}, "title"),
        ({"title": "ComElus\tinaccessible"}, "title"),
        ({"service": "ComElus\n"}, "service"),
        ({"vendor_ticket_ref": "LS-4242\x1b[0m"}, "vendor_ticket_ref"),
        ({"severity": "bloquant\x00"}, "severity"),
        ({"description": "logs\x00"}, "description"),
        ({"description": "bell\x07"}, "description"),
    ],
    ids=case_id,
)
def test_incident_fields_are_checked(
    client: FlaskClient,
    agent: dict[str, str],
    contracts: dict[str, int],
    fields: dict[str, Any],
    field: str,
) -> None:
    assert refused_fields(report(client, agent, contracts, **fields)) == [field]


def test_valid_text_and_instants_are_accepted(
    client: FlaskClient, agent: dict[str, str], contracts: dict[str, int]
) -> None:
    created = report(
        client,
        agent,
        contracts,
        description="Depuis 9 h :\n\t- plus de connexion\r\n\t- écran blanc",
        reported_at="2025-05-05T09:00:00Z",
    )
    assert created.status_code == 201, created.json
    assert created.json["reported_at"].startswith("2025-05-05T09:00:00")
    assert "\t- plus de connexion" in created.json["description"]
    offset = report(client, agent, contracts, reported_at="2025-05-05T11:00:00.5+02:00")
    assert offset.status_code == 201, offset.json


def test_a_number_without_fraction_is_an_integer(
    client: FlaskClient, agent: dict[str, str], contracts: dict[str, int]
) -> None:
    # JSON Schema's `integer` (what the document says) takes 3.0; so does the API.
    created = report(client, agent, contracts, contract_id=float(contracts["D_2024_0110"]))
    assert created.status_code == 201, created.json
    incident: Any = created.json
    body = {"kind": "acknowledged", "revision": 1.0}
    recorded = client.post(f"{INCIDENTS}/{incident['id']}/events", json=body, headers=agent)
    assert recorded.status_code == 201, recorded.json


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"revision": True}, "revision"),  # was read as revision 1, and recorded
        ({"revision": 2**63}, "revision"),
        ({"revision": DATABASE_INT_MAX + 1}, "revision"),
        ({"revision": 0}, "revision"),
        ({"cancels": DATABASE_INT_MAX + 1}, "cancels"),
        ({"cancels": False}, "cancels"),
        ({"occurred_at": "0001-01-01T00:00:00+01:00"}, "occurred_at"),
        ({"occurred_at": 1_700_000_000}, "occurred_at"),
        ({"text": "logs\x00"}, "text"),
        ({"severity": "mineur\n"}, "severity"),
        ({"exclusion": "\x00"}, "exclusion"),
        ({"target": "gti\r\n"}, "target"),
    ],
    ids=case_id,
)
def test_event_fields_are_checked(
    client: FlaskClient,
    agent: dict[str, str],
    contracts: dict[str, int],
    fields: dict[str, Any],
    field: str,
) -> None:
    incident = report(client, agent, contracts).json
    body = {"kind": "comment", "revision": 1, "text": "relance", **fields}
    response = client.post(f"{INCIDENTS}/{incident['id']}/events", json=body, headers=agent)
    assert refused_fields(response) == [field]
    unchanged: Any = client.get(f"{INCIDENTS}/{incident['id']}", headers=agent).json
    assert unchanged["revision"] == 1


def test_an_event_text_takes_line_breaks_and_tabs(
    client: FlaskClient, agent: dict[str, str], contracts: dict[str, int]
) -> None:
    incident = report(client, agent, contracts).json
    body = {"kind": "comment", "revision": 1, "text": "relance :\n\tpas de réponse"}
    response = client.post(f"{INCIDENTS}/{incident['id']}/events", json=body, headers=agent)
    recorded: Any = response.json
    assert response.status_code == 201, recorded
    assert recorded["events"][-1]["text"] == "relance :\n\tpas de réponse"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,  # RecursionError in Python's json module
        '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"title": ' + '{"a": ' * 50_000 + "1" + "}" * 50_001,
    ],
    ids=["arrays", "arrays-in-a-field", "objects-in-a-field"],
)
def test_deeply_nested_json_is_refused(
    client: FlaskClient, agent: dict[str, str], text: str
) -> None:
    response = client.post(
        INCIDENTS, data=text, headers={**agent, "Content-Type": "application/json"}
    )
    assert refused_fields(response) == ["body"]
    refusal: Any = response.json
    assert "recursion limit" in refusal["errors"][0]["message"]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("not json", "application/json"),
        ("[1, 2]", "application/json"),
        ("", "application/json"),
        (b'{"title": "\xff"}', "application/json"),  # not UTF-8
        ("null", "application/json"),
        ('{"title": "x"}', "text/plain"),
        ('{"title": "x"}', ""),
    ],
)
def test_a_body_that_is_no_json_object_is_refused(
    client: FlaskClient, agent: dict[str, str], data: str | bytes, content_type: str
) -> None:
    response = client.post(INCIDENTS, data=data, headers={**agent, "Content-Type": content_type})
    assert refused_fields(response) == ["body"]


def test_a_body_past_the_size_limit_is_refused_with_413(
    client: FlaskClient, agent: dict[str, str], contracts: dict[str, int]
) -> None:
    description = "x" * (21 * 1024 * 1024)
    response = report(client, agent, contracts, description=description)
    assert response.status_code == 413
    assert response.is_json and set(response.json) == {"error"}
