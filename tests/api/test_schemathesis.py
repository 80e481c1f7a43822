"""Schemathesis over every operation of the JSON API, as a client holding a token would call it.

The whole run of Schemathesis's engine (the phases its CLI runs: examples, coverage of the
schema's bounds, fuzzing with valid and invalid data, then stateful sequences along the
document's links), in-process over WSGI, on the suite's database (SQLite here, PostgreSQL when
SLA_DATABASE_URL names one). Checked on every answer: no server error, a status the document
lists for the operation, a body, headers and a content type that match it; and that the
request schemas are true: valid data is not refused as invalid (422), invalid data is.
Bounded (a few examples per operation), and deterministic: a fixed seed, no example database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import strategies as st
from pydantic import ValidationError
from schemathesis.engine import events, from_schema

from sla.api.schemas import IncidentIn
from sla.web.roles import Role

SEED = 20261130
MAX_EXAMPLES = 20  # generated per operation by the fuzzing phase (the other phases add theirs)
CHECKS: dict[str, dict[str, Any]] = {
    "not_a_server_error": {},
    "status_code_conformance": {},
    "response_schema_conformance": {},
    "content_type_conformance": {},
    "response_headers_conformance": {},
    # The request schemas say what is accepted: what they allow is not refused as invalid
    # (a domain rule may still refuse it: 400), what they forbid is refused.
    "positive_data_acceptance": {"expected-statuses": ["2XX", 400, 404, 409]},
    "negative_data_rejection": {},
}
OPENAPI = "/api/v1/openapi.json"
REPORT = "POST /api/v1/incidents"
RECORD = "POST /api/v1/incidents/{incident_id}/events"


@dataclass
class Figures:
    """What a run did: requests by phase, by operation and status, the checks' verdicts,
    the failures they found."""

    phases: Counter[str] = field(default_factory=Counter)
    requests: Counter[tuple[str, int]] = field(default_factory=Counter)
    checks: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def statuses(self, operation: str) -> set[int]:
        return {status for (label, status), _ in self.requests.items() if label == operation}

    def summary(self) -> str:
        operations = {label for label, _ in self.requests}
        server_errors = sum(n for (_, status), n in self.requests.items() if status >= 500)
        violations = sum(
            n
            for (name, status), n in self.checks.items()
            if name == "response_schema_conformance" and status != "success"
        )
        phases = ", ".join(f"{name} {n}" for name, n in self.phases.items())
        return (
            f"{len(operations)} operations, {sum(self.requests.values())} requests ({phases}), "
            f"{server_errors} 5xx, {violations} schema violations, {len(self.failures)} failures"
        )


def _config(headers: dict[str, str]) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "headers": headers,
            "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
            "checks": {"enabled": False}
            | {name: {"enabled": True, **options} for name, options in CHECKS.items()},
        }
    )


def _severities(
    client: FlaskClient, headers: dict[str, str], contracts: dict[str, int]
) -> list[Any]:
    """Every (contract id, severity key) pair of the imported contracts, from the API."""
    pairs = []
    for contract_id in sorted(contracts.values()):
        detail = client.get(f"/api/v1/contracts/{contract_id}", headers=headers).json
        assert detail is not None
        pairs += [(contract_id, severity["key"]) for severity in detail["severities"]]
    return pairs


def _also_plausible_bodies(schema: Any, pairs: list[Any]) -> None:
    """Besides each generated body, one a real client might send: an incident on a contract
    with one of its severities (so that some are recorded and the stateful phase follows their
    links), an event at an early revision. Random values rarely get past those checks."""

    def flatmap_body(context: Any, body: Any) -> Any:
        label = context.operation.label if context.operation is not None else ""
        if not isinstance(body, dict):
            return st.just(body)
        if label == REPORT and _valid_report(body):
            plausible = st.sampled_from(pairs).map(
                lambda pair: {
                    **{k: v for k, v in body.items() if k not in ("reported_at", "service")},
                    "contract_id": pair[0],
                    "severity": pair[1],
                }
            )
            return st.one_of(st.just(body), plausible)
        if label == RECORD:
            revisions = st.integers(min_value=1, max_value=3)
            acknowledged = st.just({"kind": "acknowledged", "revision": 1})  # a new incident's
            return st.one_of(
                st.just(body), revisions.map(lambda r: {**body, "revision": r}), acknowledged
            )
        return st.just(body)

    schema.hook(flatmap_body)


def _valid_report(body: dict[str, Any]) -> bool:
    """Whether a generated incident body is valid as it stands. Only such a body gets a
    plausible variant: a body generated to break the schema (a required field left out, a
    wrong type) must stay broken, or the variant would mend it and the API would rightly
    accept what the negative check expects refused."""
    try:
        IncidentIn.model_validate(body)
    except ValidationError:
        return False
    return True


def _run(schema: Any) -> Figures:
    figures = Figures()
    stream = from_schema(schema).execute()
    try:
        for event in stream:
            if isinstance(event, events.ScenarioFinished):
                _record(figures, event)
            elif isinstance(event, events.NonFatalError | events.FatalError):
                figures.errors.append(repr(event))
    finally:
        stream.stop()
    return figures


def _record(figures: Figures, event: events.ScenarioFinished) -> None:
    recorder = event.recorder
    for case_id, node in recorder.cases.items():
        interaction = recorder.interactions.get(case_id)
        if interaction is not None and interaction.response is not None:
            figures.phases[event.phase.value] += 1
            figures.requests[(node.value.operation.label, interaction.response.status_code)] += 1
    for checks in recorder.checks.values():
        for check in checks:
            figures.checks[(check.name, str(check.status))] += 1
            if check.failure_info is not None:
                failure = check.failure_info.failure
                figures.failures.append(
                    f"[{event.phase.value}] {check.name}: {failure.title}\n"
                    f"{failure.message}\n{check.failure_info.code_sample}"
                )


def _documented_operations(document: dict[str, Any]) -> set[str]:
    return {
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
    }


def test_every_operation_answers_as_documented(
    app: Flask,
    client: FlaskClient,
    contracts: dict[str, int],
    token_headers: Callable[[Role], dict[str, str]],
) -> None:
    admin = token_headers(Role.admin)  # every operation is open to it
    schema = schemathesis.openapi.from_wsgi(
        OPENAPI, app, config=_config(dict(admin)), headers=dict(admin)
    )
    _also_plausible_bodies(schema, _severities(client, admin, contracts))

    figures = _run(schema)

    print(figures.summary())
    assert not figures.errors, figures.errors
    assert not figures.failures, "\n\n".join(figures.failures)
    assert {label for label, _ in figures.requests} == _documented_operations(schema.raw_schema)
    assert {"coverage", "fuzzing", "stateful"} <= set(figures.phases)
    assert {status for (_, status) in figures.requests if status >= 500} == set()
    # The run got past validation: incidents recorded, events on them, some refused by a rule.
    assert 201 in figures.statuses(REPORT) and 201 in figures.statuses(RECORD)
    assert {400, 422} <= figures.statuses(REPORT)
