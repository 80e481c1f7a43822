"""The OpenAPI 3 document of the JSON API, built from the routes' declared bodies.

Every status an operation can answer is documented with the body it carries: the errors of
the whole application too (401 and 403 from access control, 413 past the body size limit,
500 with its request id, 503 with Retry-After when the database is busy). Parameters state
their bounds, as the models that check them do (schemas.py).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from sla.api import schemas
from sla.api.operations import Operation
from sla.db import DATABASE_INT_MAX
from sla.version import __version__

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
# The item models of each route answering a JSON array (its Operation.response is None): an
# item is one of them (the targets, with their explanation when `explain=true`).
LIST_RESPONSES: dict[str, tuple[type[BaseModel], ...]] = {
    "vendors": (schemas.VendorOut,),
    "contract_list": (schemas.ContractOut,),
    "incident_targets": (schemas.TargetOut, schemas.ExplainedTargetOut),
}

# The media type of each route answering a file (a download), by endpoint.
FILE_RESPONSES: dict[str, str] = {}


def _link(operation_id: str, description: str, **parameters: str) -> dict[str, Any]:
    return {"operationId": operation_id, "description": description, "parameters": parameters}


_INCIDENT_ID = "$response.body#/id"
# Where an answer leads: the operations that take one of its values (OpenAPI links), by
# endpoint and by the link's name.
LINKS: dict[str, dict[str, dict[str, Any]]] = {
    endpoint: {
        "GetIncident": _link("incident", "The incident", incident_id=_INCIDENT_ID),
        "GetIncidentTargets": _link(
            "incident_targets", "The incident's targets", incident_id=_INCIDENT_ID
        ),
        "RecordEvent": _link(
            "incident_event", "An event on the incident", incident_id=_INCIDENT_ID
        ),
        "CorrectIncident": _link(
            "incident_correct", "Correct the incident's details", incident_id=_INCIDENT_ID
        ),
    }
    for endpoint in ("incident_create", "incident_event", "incident", "incident_correct")
} | {
    "vendor": {
        "VendorContracts": _link(
            "contract_list", "The vendor's contracts", vendor_id="$response.body#/id"
        ),
        "VendorIncidents": _link(
            "incident_list", "The vendor's incidents", vendor_id="$response.body#/id"
        ),
    },
    "contract": {
        "ContractIncidents": _link(
            "incident_list", "The contract's incidents", contract_id="$response.body#/id"
        ),
    },
}


def _schema_ref(model: type[BaseModel]) -> dict[str, str]:
    """A JSON reference to the model's schema among the document's components."""
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def build_openapi(operations: list[Operation]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `operations`: paths, parameters, responses, and the
    schemas of their bodies (requests as validated, responses as serialized)."""
    models: set[type[BaseModel]] = {
        schemas.ErrorBody,
        schemas.ServerErrorBody,
        *(model for models in LIST_RESPONSES.values() for model in models),
    }
    for op in operations:
        models.update(m for m in (op.body, op.response) if m is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    _, definitions = models_json_schema(
        [
            # Request bodies as they are validated; responses as they are serialized (their
            # field names, not the validation aliases they read domain attributes by).
            (m, "validation" if issubclass(m, schemas.Strict) else "serialization")
            for m in ordered
        ],
        ref_template="#/components/schemas/{model}",
    )
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        path = "/api/v1" + _PARAM.sub(lambda m: "{" + m.group(2) + "}", op.path)
        paths.setdefault(path, {})[op.method.lower()] = _operation_entry(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Garantie API", "version": __version__},
        "servers": [{"url": "/"}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Personal API token (gar_…)",
                }
            },
        },
    }


def _path_parameter(converter: str | None, name: str) -> dict[str, Any]:
    """A parameter of the URL rule: an id (`<int:…>`, up to the database's integer; 0 or a
    larger number is no such record) or a string."""
    schema: dict[str, Any] = (
        {"type": "integer", "minimum": 1, "maximum": DATABASE_INT_MAX}
        if converter == "int"
        else {"type": "string"}
    )
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The query parameters of a schemas.Query model, each with its JSON Schema as the model
    validates it (an optional parameter is absent, never null)."""
    document = model.model_json_schema(mode="validation")
    parameters = []
    for name, prop in document["properties"].items():
        schema = {k: v for k, v in prop.items() if k not in ("title", "description", "anyOf")}
        branches = [b for b in prop.get("anyOf", []) if b != {"type": "null"}]
        if branches:
            (branch,) = branches
            schema = {**branch, **schema}
        if schema.get("default", ...) is None:
            del schema["default"]
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in document.get("required", []),
            "schema": schema,
        }
        if "description" in prop:
            parameter["description"] = prop["description"]
        parameters.append(parameter)
    return parameters


def _parameters(op: Operation) -> list[dict[str, Any]]:
    """The operation's path parameters (from its URL rule) and query parameters."""
    parameters = [_path_parameter(m.group(1), m.group(2)) for m in _PARAM.finditer(op.path)]
    if op.query is not None:
        parameters += _query_parameters(op.query)
    return parameters


def _error(description: str, model: type[BaseModel] = schemas.ErrorBody) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _schema_ref(model)}},
    }


def _responses(op: Operation) -> dict[str, Any]:
    """What the operation answers: its success body, and the errors it can give."""
    media_type = FILE_RESPONSES.get(op.endpoint, "application/json")
    if op.response is not None:
        ok_schema: dict[str, Any] = _schema_ref(op.response)
    elif op.endpoint in FILE_RESPONSES:
        ok_schema = {"type": "string", "format": "binary"}
    else:
        items = [_schema_ref(model) for model in LIST_RESPONSES[op.endpoint]]
        ok_schema = {"type": "array", "items": items[0] if len(items) == 1 else {"anyOf": items}}
    success: dict[str, Any] = {
        "description": "OK",
        "content": {media_type: {"schema": ok_schema}},
    }
    if op.endpoint in LINKS:
        success["links"] = LINKS[op.endpoint]
    responses: dict[str, Any] = {
        str(op.status): success,
        "401": _error("No token, or a bad or revoked one"),
        "403": _error(f"Needs the {op.role.value} role (or a changed one-time password)"),
    }
    if "<" in op.path or op.body is not None:
        responses["404"] = _error("No such record (in the path, or named by the body)")
    if op.body is not None or op.query is not None:
        responses["422"] = _error("Invalid input, per field")
    if op.body is not None:
        responses["400"] = _error("Refused by a domain rule")
        if "revision" in op.body.model_fields:
            responses["409"] = _error(
                "The record changed since you read it, or its state refuses the change"
            )
        responses["413"] = _error("The request body is too large")
    responses["500"] = _error(
        "Server failure; the request id leads to its log", schemas.ServerErrorBody
    )
    busy = _error("The database is busy: retry after the delay given")
    busy["headers"] = {
        "Retry-After": {
            "description": "Seconds to wait before retrying",
            "schema": {"type": "integer", "minimum": 0},
        }
    }
    responses["503"] = busy
    return responses


def _operation_entry(op: Operation) -> dict[str, Any]:
    """One operation of the document's `paths`."""
    entry: dict[str, Any] = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "parameters": _parameters(op),
        "responses": _responses(op),
    }
    if op.body is not None:
        entry["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema_ref(op.body)}},
        }
    return entry
