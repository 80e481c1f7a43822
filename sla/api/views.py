"""The JSON API. Each route declares its bodies once; the OpenAPI document is built from them.

Bad input: 422 with field-level messages (pydantic), domain refusals: 400 with the field,
unknown records: 404, a stale revision: 409. Never a 500 for what a client sent: bodies and
query strings are checked whole by their models (schemas.py) before anything else reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from types import SimpleNamespace
from typing import TypeVar

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from pydantic import BaseModel, ValidationError

from incidents import service as incidents
from incidents.listing import IncidentFilter, count_incidents, list_incidents
from incidents.models import Incident
from incidents.replay import IncidentView, view_incident
from sla.api import schemas
from sla.api.openapi import build_openapi
from sla.api.operations import OPERATIONS, Operation
from sla.contracts import service as contracts
from sla.contracts.models import Vendor
from sla.db import utcnow
from sla.engine.explain import explain_targets
from sla.errors import DomainError, NotFound
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.roles import Role
from sla.web.settings import alert_settings, app_zone, at_risk_ratio

bp = Blueprint("api", __name__, url_prefix="/api/v1")
M = TypeVar("M", bound=BaseModel)
Q = TypeVar("Q", bound=schemas.Query)


def operation(
    path: str,
    method: str,
    *,
    summary: str,
    role: Role,
    response: type[BaseModel] | None,
    body: type[BaseModel] | None = None,
    status: int = 200,
    query: type[schemas.Query] | None = None,
) -> Callable[[Callable[..., ResponseReturnValue]], Callable[..., ResponseReturnValue]]:
    """Declare a route: register the view on the blueprint behind `role`, and record its
    bodies and query parameters as an `Operation` for the OpenAPI document."""

    def register(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
        """Register `view` and return it guarded by the role check."""
        guarded = requires_role(role)(view)
        bp.add_url_rule(path, view.__name__, guarded, methods=[method])
        OPERATIONS.append(
            Operation(path, method, view.__name__, summary, role, body, response, status, query)
        )
        return guarded

    return register


class InvalidBody(Exception):
    """Input that fails validation (body or query): answered 422 with the fields' errors."""

    def __init__(self, errors: list[schemas.ErrorItem]) -> None:
        """Keep the per-field errors for the 422 body."""
        self.errors = errors


def _field_errors(error: ValidationError) -> list[schemas.ErrorItem]:
    """One error item per field pydantic refused ("body" for the body as a whole)."""
    return [
        schemas.ErrorItem(field=".".join(str(p) for p in e["loc"]) or "body", message=e["msg"])
        for e in error.errors()
    ]


def parse_body(model: type[M]) -> M:
    """The request's JSON object validated as `model`; InvalidBody naming each bad field.

    The JSON text goes to pydantic whole (`model_validate_json`), not through
    `request.get_json`: Python's json module raises RecursionError on deeply nested arrays,
    pydantic's parser answers a validation error past its depth limit, and it types strictly
    (a date is a string, `true` no number)."""
    if not request.is_json:
        raise InvalidBody(
            [
                schemas.ErrorItem(
                    field="body", message="a JSON object is expected (application/json)"
                )
            ]
        )
    try:
        return model.model_validate_json(request.get_data(cache=True))
    except ValidationError as error:
        raise InvalidBody(_field_errors(error)) from None


def parse_query(model: type[Q]) -> Q:
    """The request's query parameters validated as `model` (a schemas.Query); InvalidBody
    naming each bad parameter. A parameter given twice counts once, by its first value."""
    try:
        return model.model_validate(request.args.to_dict(flat=True))
    except ValidationError as error:
        raise InvalidBody(_field_errors(error)) from None


def today() -> date:
    """Today's date in the application's time zone."""
    return utcnow().astimezone(app_zone()).date()


def reply(model: BaseModel, status: int = 200) -> ResponseReturnValue:
    """A JSON response of one model."""
    return current_app.response_class(
        model.model_dump_json(), status=status, mimetype="application/json"
    )


def reply_list(models: Iterable[BaseModel]) -> ResponseReturnValue:
    """A JSON array of models."""
    return jsonify([m.model_dump(mode="json") for m in models])


def incident_view(incident: Incident) -> IncidentView:
    """The incident replayed now: its events and its targets at this instant."""
    return view_incident(db_session(), incident, now=utcnow(), at_risk_ratio=at_risk_ratio())


@bp.errorhandler(InvalidBody)
def invalid_body(error: InvalidBody) -> ResponseReturnValue:
    """422: the input is malformed, with one error per field."""
    return reply(schemas.ErrorBody(error="invalid input", errors=error.errors), 422)


@bp.errorhandler(NotFound)
def not_found(error: NotFound) -> ResponseReturnValue:
    """404: no such record."""
    return reply(error_body(error), 404)


@bp.errorhandler(incidents.Conflict)
def conflict(error: incidents.Conflict) -> ResponseReturnValue:
    """409: the incident changed since the revision the client saw."""
    return reply(error_body(error), 409)


@bp.errorhandler(DomainError)
def refused(error: DomainError) -> ResponseReturnValue:
    """400: a domain rule refused the input, naming the field."""
    return reply(error_body(error), 400)


def error_body(error: DomainError) -> schemas.ErrorBody:
    """A domain error as the API answers it: code, field and message (in the reader's
    language: French unless the account chose English)."""
    item = schemas.ErrorItem(field=error.field or "body", message=error.message, code=error.code)
    return schemas.ErrorBody(error=error.message, code=error.code, errors=[item])


# -- routes ----------------------------------------------------------------------------------


@operation(
    "/me", "GET", summary="The user of the token", role=Role.viewer, response=schemas.UserOut
)
def me() -> ResponseReturnValue:
    """The user the token belongs to."""
    return reply(schemas.UserOut.model_validate(current_user.user, from_attributes=True))


@operation("/vendors", "GET", summary="Vendors", role=Role.viewer, response=None)
def vendors() -> ResponseReturnValue:
    """Every vendor, by name."""
    return reply_list(
        schemas.VendorOut.model_validate(v, from_attributes=True)
        for v in contracts.list_vendors(db_session())
    )


@operation(
    "/vendors/<int:vendor_id>",
    "GET",
    summary="One vendor",
    role=Role.viewer,
    response=schemas.VendorOut,
)
def vendor(vendor_id: int) -> ResponseReturnValue:
    """One vendor; 404 if there is none with this id."""
    found = db_session().get(Vendor, vendor_id)
    if found is None:
        raise NotFound("vendor.not_found", field="vendor_id", vendor_id=vendor_id)
    return reply(schemas.VendorOut.model_validate(found, from_attributes=True))


@operation(
    "/contracts",
    "GET",
    summary="Contracts",
    role=Role.viewer,
    response=None,
    query=schemas.ContractQuery,
)
def contract_list() -> ResponseReturnValue:
    """The contracts by reference, of one vendor if `vendor_id` is given, each with its
    version in force today."""
    wanted = parse_query(schemas.ContractQuery)
    found = contracts.list_contracts(db_session(), vendor_id=wanted.vendor_id)
    on = today()
    return reply_list(
        schemas.ContractOut.of(c, contracts.current_version(db_session(), c, on)) for c in found
    )


@operation(
    "/contracts/<int:contract_id>",
    "GET",
    summary="A contract with its SLA in force",
    role=Role.viewer,
    response=schemas.ContractDetailOut,
)
def contract(contract_id: int) -> ResponseReturnValue:
    """One contract with the SLA terms of its version in force today (never an amendment
    still to come)."""
    found = contracts.get_contract(db_session(), contract_id)
    version = contracts.current_version(db_session(), found, today())
    return reply(schemas.ContractDetailOut.of(found, version, contracts.terms_of(version)))


@operation(
    "/incidents",
    "GET",
    summary="Incidents, newest first",
    role=Role.viewer,
    response=schemas.IncidentPage,
    query=schemas.IncidentQuery,
)
def incident_list() -> ResponseReturnValue:
    """One page of the incidents matching the query's filters, newest first."""
    query = parse_query(schemas.IncidentQuery)
    wanted = IncidentFilter(
        vendor_id=query.vendor_id,
        contract_id=query.contract_id,
        status=query.status,
        severity=query.severity,
        open_only=query.open,
    )
    now = utcnow()
    total = count_incidents(db_session(), wanted, now=now)
    rows = [
        row.incident
        for row in list_incidents(
            db_session(), wanted, now=now, limit=query.limit, offset=query.offset
        )
    ]
    items = [schemas.IncidentOut.model_validate(i, from_attributes=True) for i in rows]
    return reply(
        schemas.IncidentPage(total=total, limit=query.limit, offset=query.offset, items=items)
    )


@operation(
    "/incidents",
    "POST",
    summary="Report an incident",
    role=Role.agent,
    body=schemas.IncidentIn,
    response=schemas.IncidentDetailOut,
    status=201,
)
def incident_create() -> ResponseReturnValue:
    """Report an incident; 201 with it as recorded, its targets counting from heure H."""
    body = parse_body(schemas.IncidentIn)
    now = utcnow()
    created = incidents.report_incident(
        db_session(),
        contract_id=body.contract_id,
        severity=body.severity,
        title=body.title,
        description=body.description,
        service=body.service,
        channel=body.channel,
        vendor_ticket_ref=body.vendor_ticket_ref,
        reported_at=body.reported_at or now,
        now=now,
        user_id=current_user.user.id,
        alert_settings=alert_settings(),
    )
    return reply(schemas.IncidentDetailOut.of_view(created), 201)


@operation(
    "/incidents/<int:incident_id>",
    "GET",
    summary="An incident with its events and targets",
    role=Role.viewer,
    response=schemas.IncidentDetailOut,
)
def incident(incident_id: int) -> ResponseReturnValue:
    """One incident with its events and its targets now."""
    view = incident_view(incidents.get_incident(db_session(), incident_id))
    return reply(schemas.IncidentDetailOut.of_view(view))


@operation(
    "/incidents/<int:incident_id>/targets",
    "GET",
    summary="The incident's targets now",
    role=Role.viewer,
    response=None,
    query=schemas.TargetQuery,
)
def incident_targets(incident_id: int) -> ResponseReturnValue:
    """The incident's targets now: deadlines, time consumed and left, status; with
    `explain=true`, each with the reasoning behind its deadline."""
    wanted = parse_query(schemas.TargetQuery)
    now = utcnow()
    view = view_incident(
        db_session(),
        incidents.get_incident(db_session(), incident_id),
        now=now,
        at_risk_ratio=at_risk_ratio(),
    )
    if not wanted.explain:
        return reply_list(
            schemas.TargetOut.model_validate(t, from_attributes=True) for t in view.targets
        )
    explained = explain_targets(view.terms, view.state, now, at_risk_ratio=at_risk_ratio())
    return reply_list(
        schemas.ExplainedTargetOut.of(e.state, SimpleNamespace(explanation=e)) for e in explained
    )


@operation(
    "/incidents/<int:incident_id>/events",
    "POST",
    summary="Record an event (append-only)",
    role=Role.agent,
    body=schemas.EventIn,
    response=schemas.IncidentDetailOut,
    status=201,
)
def incident_event(incident_id: int) -> ResponseReturnValue:
    """Record an event on the incident at the revision the client saw; 201 with the
    incident as it now stands, 409 if the revision is stale."""
    body = parse_body(schemas.EventIn)
    found = incidents.get_incident(db_session(), incident_id)
    now = utcnow()
    recorded = incidents.record_event(
        db_session(),
        found,
        kind=body.kind,
        occurred_at=body.occurred_at or now,
        now=now,
        user_id=current_user.user.id,
        expected_revision=body.revision,
        severity=body.severity,
        exclusion=body.exclusion,
        target=body.target,
        cancels=body.cancels,
        text=body.text,
        alert_settings=alert_settings(),
    )
    return reply(schemas.IncidentDetailOut.of_view(recorded), 201)


@operation(
    "/incidents/<int:incident_id>",
    "PATCH",
    summary="Correct an incident's details (each change kept in its history)",
    role=Role.agent,
    body=schemas.CorrectionIn,
    response=schemas.IncidentDetailOut,
)
def incident_correct(incident_id: int) -> ResponseReturnValue:
    """Correct the title, description, service, channel or vendor ticket reference at the
    revision the client saw; the incident as it now stands, 409 if the revision is stale."""
    body = parse_body(schemas.CorrectionIn)
    found = incidents.get_incident(db_session(), incident_id)
    changes = body.model_dump(exclude={"revision"}, exclude_none=True)
    incidents.correct_incident(
        db_session(),
        found,
        changes=changes,
        now=utcnow(),
        user_id=current_user.user.id,
        expected_revision=body.revision,
    )
    return reply(schemas.IncidentDetailOut.of_view(incident_view(found)))


@bp.route("/openapi.json")
@requires_role(Role.viewer)
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 document of every route above."""
    return jsonify(build_openapi(OPERATIONS))
