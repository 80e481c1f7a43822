"""The JSON API. Each route declares its bodies once; the OpenAPI document is built from them.

Bad input: 422 with field-level messages (pydantic), domain refusals: 400 with the field,
unknown records: 404, a stale revision: 409. Never a 500 for what a client sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from pydantic import BaseModel, ValidationError

from incidents import service as incidents
from incidents.listing import IncidentFilter, count_incidents, list_incidents
from incidents.models import Incident, IncidentEvent
from incidents.replay import IncidentView, view_incident
from sla.api import schemas
from sla.contracts import service as contracts
from sla.contracts.models import Contract, Vendor
from sla.db import utcnow
from sla.engine.targets import TargetState
from sla.engine.terms import SlaTerms
from sla.errors import DomainError, NotFound
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.roles import Role
from sla.web.settings import alert_settings, at_risk_ratio

bp = Blueprint("api", __name__, url_prefix="/api/v1")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    endpoint: str
    summary: str
    role: Role
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int = 200
    query: dict[str, str] = field(default_factory=dict)  # name -> JSON type


OPERATIONS: list[Operation] = []


def operation(
    path: str,
    method: str,
    *,
    summary: str,
    role: Role,
    response: type[BaseModel] | None,
    body: type[BaseModel] | None = None,
    status: int = 200,
    query: dict[str, str] | None = None,
) -> Callable[[Callable[..., ResponseReturnValue]], Callable[..., ResponseReturnValue]]:
    def register(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
        guarded = requires_role(role)(view)
        bp.add_url_rule(path, view.__name__, guarded, methods=[method])
        OPERATIONS.append(
            Operation(
                path, method, view.__name__, summary, role, body, response, status, query or {}
            )
        )
        return guarded

    return register


class InvalidBody(Exception):
    def __init__(self, errors: list[schemas.ErrorItem]) -> None:
        self.errors = errors


def parse_body(model: type[M]) -> M:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidBody([schemas.ErrorItem(field="body", message="a JSON object is expected")])
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InvalidBody(
            [
                schemas.ErrorItem(
                    field=".".join(str(p) for p in e["loc"]) or "body", message=e["msg"]
                )
                for e in error.errors()
            ]
        ) from None


def _int_arg(
    name: str, default: int | None = None, *, low: int = 0, high: int = 10_000
) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InvalidBody(
            [schemas.ErrorItem(field=name, message=f"a whole number from {low} to {high}")]
        )
    return int(raw)


def reply(model: BaseModel, status: int = 200) -> ResponseReturnValue:
    return current_app.response_class(
        model.model_dump_json(), status=status, mimetype="application/json"
    )


@bp.errorhandler(InvalidBody)
def invalid_body(error: InvalidBody) -> ResponseReturnValue:
    return reply(schemas.ErrorBody(error="invalid input", errors=error.errors), 422)


@bp.errorhandler(NotFound)
def not_found(error: NotFound) -> ResponseReturnValue:
    return reply(schemas.ErrorBody(error=error.message), 404)


@bp.errorhandler(incidents.Conflict)
def conflict(error: incidents.Conflict) -> ResponseReturnValue:
    return reply(
        schemas.ErrorBody(
            error=error.message, errors=[schemas.ErrorItem(field="revision", message=error.message)]
        ),
        409,
    )


@bp.errorhandler(DomainError)
def refused(error: DomainError) -> ResponseReturnValue:
    items = [schemas.ErrorItem(field=error.field or "body", message=error.message)]
    return reply(schemas.ErrorBody(error=error.message, errors=items), 400)


# -- serialisation ---------------------------------------------------------------------------


def vendor_out(vendor: Vendor) -> schemas.VendorOut:
    return schemas.VendorOut.model_validate(vendor, from_attributes=True)


def _contract_fields(contract: Contract) -> dict[str, Any]:
    version = contracts.latest_version(db_session(), contract)
    return {
        "id": contract.id,
        "vendor_id": contract.vendor_id,
        "reference": contract.reference,
        "title": contract.title,
        "services": contract.services,
        "start_date": contract.start_date,
        "end_date": contract.end_date,
        "renewal": contract.renewal,
        "max_renewals": contract.max_renewals,
        "notice_months": contract.notice_months,
        "notice_days": contract.notice_days,
        "yearly_amount_ht": None
        if contract.yearly_amount_ht is None
        else f"{contract.yearly_amount_ht:.2f}",
        "calendar": contract.calendar_key,
        "version": version.number,
        "version_effective_from": version.effective_from,
    }


def contract_detail(contract: Contract) -> schemas.ContractDetailOut:
    terms: SlaTerms = contracts.terms_of(contracts.latest_version(db_session(), contract))
    return schemas.ContractDetailOut(
        **_contract_fields(contract),
        severities=[
            schemas.SeverityOut(
                key=s.key,
                label=s.label,
                definition=s.definition,
                targets=[
                    schemas.TargetTermsOut(
                        key=t.key,
                        kind=t.kind.value,
                        label=t.label,
                        unit=t.duration.unit.value,
                        amount=t.duration.amount,
                        end_of_day=t.duration.end_of_day,
                        origin=t.origin,
                        calendar=t.calendar,
                        pauses=t.pauses,
                        article=t.article,
                    )
                    for t in s.targets
                ],
            )
            for s in terms.severities
        ],
        exclusions=[
            schemas.ExclusionOut(key=e.key, text=e.text, article=e.article)
            for e in terms.exclusions
        ],
        availability_percent=terms.availability.target_percent if terms.availability else None,
    )


def incident_fields(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "vendor_id": incident.vendor_id,
        "contract_id": incident.contract_id,
        "contract_version_id": incident.contract_version_id,
        "service": incident.service,
        "title": incident.title,
        "description": incident.description,
        "severity": incident.current_severity,
        "initial_severity": incident.severity,
        "reported_at": incident.reported_at,
        "channel": incident.channel,
        "vendor_ticket_ref": incident.vendor_ticket_ref,
        "status": incident.status,
        "revision": incident.revision,
        "created_at": incident.created_at,
    }


def event_out(event: IncidentEvent) -> schemas.EventOut:
    return schemas.EventOut(
        id=event.id or 0,
        kind=event.kind,
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        recorded_by_id=event.recorded_by_id,
        severity=event.severity,
        exclusion=event.exclusion,
        target=event.target,
        cancels=event.cancels_id,
        text=event.text,
    )


def target_out(target: TargetState) -> schemas.TargetOut:
    return schemas.TargetOut(
        key=target.key,
        kind=target.kind.value,
        label=target.label,
        article=target.article,
        origin=target.origin,
        started_at=target.started_at,
        deadline=target.deadline,
        milestone_at=target.milestone_at,
        total_seconds=target.total_seconds,
        consumed_seconds=target.consumed_seconds,
        remaining_seconds=target.remaining_seconds,
        lateness_seconds=target.lateness_seconds,
        status=target.status.value,
        business_time=target.business,
    )


def incident_detail(incident: Incident) -> schemas.IncidentDetailOut:
    return detail_of(
        view_incident(db_session(), incident, now=utcnow(), at_risk_ratio=at_risk_ratio())
    )


def detail_of(view: IncidentView) -> schemas.IncidentDetailOut:
    return schemas.IncidentDetailOut(
        **incident_fields(view.incident),
        events=[event_out(e) for e in view.events],
        targets=[target_out(t) for t in view.targets],
    )


# -- routes ----------------------------------------------------------------------------------


@operation(
    "/me", "GET", summary="The user of the token", role=Role.viewer, response=schemas.UserOut
)
def me() -> ResponseReturnValue:
    user = current_user.user
    return reply(
        schemas.UserOut(
            id=user.id, username=user.username, display_name=user.display_name, role=user.role
        )
    )


@operation("/vendors", "GET", summary="Vendors", role=Role.viewer, response=None)
def vendors() -> ResponseReturnValue:
    return jsonify(
        [vendor_out(v).model_dump(mode="json") for v in contracts.list_vendors(db_session())]
    )


@operation(
    "/vendors/<int:vendor_id>",
    "GET",
    summary="One vendor",
    role=Role.viewer,
    response=schemas.VendorOut,
)
def vendor(vendor_id: int) -> ResponseReturnValue:
    found = db_session().get(Vendor, vendor_id)
    if found is None:
        raise NotFound(f"no vendor {vendor_id}")
    return reply(vendor_out(found))


@operation(
    "/contracts",
    "GET",
    summary="Contracts",
    role=Role.viewer,
    response=None,
    query={"vendor_id": "integer"},
)
def contract_list() -> ResponseReturnValue:
    found = contracts.list_contracts(db_session(), vendor_id=_int_arg("vendor_id", high=2**31))
    return jsonify(
        [schemas.ContractOut(**_contract_fields(c)).model_dump(mode="json") for c in found]
    )


@operation(
    "/contracts/<int:contract_id>",
    "GET",
    summary="A contract with its SLA in force",
    role=Role.viewer,
    response=schemas.ContractDetailOut,
)
def contract(contract_id: int) -> ResponseReturnValue:
    return reply(contract_detail(contracts.get_contract(db_session(), contract_id)))


@operation(
    "/incidents",
    "GET",
    summary="Incidents, newest first",
    role=Role.viewer,
    response=schemas.IncidentPage,
    query={
        "vendor_id": "integer",
        "contract_id": "integer",
        "status": "string",
        "severity": "string",
        "open": "boolean",
        "limit": "integer",
        "offset": "integer",
    },
)
def incident_list() -> ResponseReturnValue:
    limit = _int_arg("limit", 50, low=1, high=500) or 50
    offset = _int_arg("offset", 0, high=10**9) or 0
    wanted = IncidentFilter(
        vendor_id=_int_arg("vendor_id", high=2**31),
        contract_id=_int_arg("contract_id", high=2**31),
        status=request.args.get("status") or None,
        severity=request.args.get("severity") or None,
        open_only=request.args.get("open") in ("1", "true"),
    )
    now = utcnow()
    total = count_incidents(db_session(), wanted, now=now)
    rows = [
        row.incident
        for row in list_incidents(db_session(), wanted, now=now, limit=limit, offset=offset)
    ]
    page = schemas.IncidentPage(
        total=total,
        limit=limit,
        offset=offset,
        items=[schemas.IncidentOut(**incident_fields(i)) for i in rows],
    )
    return reply(page)


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
    return reply(detail_of(created), 201)


@operation(
    "/incidents/<int:incident_id>",
    "GET",
    summary="An incident with its events and targets",
    role=Role.viewer,
    response=schemas.IncidentDetailOut,
)
def incident(incident_id: int) -> ResponseReturnValue:
    return reply(incident_detail(incidents.get_incident(db_session(), incident_id)))


@operation(
    "/incidents/<int:incident_id>/targets",
    "GET",
    summary="The incident's targets now",
    role=Role.viewer,
    response=None,
)
def incident_targets(incident_id: int) -> ResponseReturnValue:
    found = incidents.get_incident(db_session(), incident_id)
    view = view_incident(db_session(), found, now=utcnow(), at_risk_ratio=at_risk_ratio())
    return jsonify([target_out(t).model_dump(mode="json") for t in view.targets])


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
    return reply(detail_of(recorded), 201)


@bp.route("/openapi.json")
@requires_role(Role.viewer)
def openapi() -> ResponseReturnValue:
    from sla.api.openapi import build_openapi

    return jsonify(build_openapi(OPERATIONS))
