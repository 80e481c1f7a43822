"""The OpenAPI 3 document of the JSON API, built from the routes' declared bodies."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from sla.api import schemas
from sla.api.operations import Operation
from sla.version import __version__

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
# The item model of each route answering a JSON array (its Operation.response is None).
LIST_RESPONSES: dict[str, type[BaseModel]] = {
    "vendors": schemas.VendorOut,
    "contract_list": schemas.ContractOut,
    "incident_targets": schemas.TargetOut,
}


def _schema_ref(model: type[BaseModel]) -> dict[str, str]:
    """A JSON reference to the model's schema among the document's components."""
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def build_openapi(operations: list[Operation]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `operations`: paths, parameters, responses, and the
    schemas of their bodies (requests as validated, responses as serialized)."""
    models: set[type[BaseModel]] = {schemas.ErrorBody, *LIST_RESPONSES.values()}
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


def _parameters(op: Operation) -> list[dict[str, Any]]:
    """The operation's path parameters (from its URL rule) and query parameters."""
    parameters: list[dict[str, Any]] = [
        {
            "name": m.group(2),
            "in": "path",
            "required": True,
            "schema": {"type": "integer" if m.group(1) == "int" else "string"},
        }
        for m in _PARAM.finditer(op.path)
    ]
    return parameters + [
        {"name": name, "in": "query", "required": False, "schema": {"type": kind}}
        for name, kind in op.query.items()
    ]


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _schema_ref(schemas.ErrorBody)}},
    }


def _responses(op: Operation) -> dict[str, Any]:
    """What the operation answers: its success body, and the errors it can give."""
    if op.response is not None:
        ok_schema: dict[str, Any] = _schema_ref(op.response)
    else:
        ok_schema = {"type": "array", "items": _schema_ref(LIST_RESPONSES[op.endpoint])}
    responses: dict[str, Any] = {
        str(op.status): {
            "description": "OK",
            "content": {"application/json": {"schema": ok_schema}},
        },
        "401": {"description": "No or bad token"},
        "403": {"description": f"Needs the {op.role.value} role"},
        "404": _error("Not found"),
    }
    if op.body is not None or op.query:
        responses["422"] = _error("Invalid input, per field")
    if op.body is not None:
        responses["400"] = _error("Refused by a domain rule")
        responses["409"] = _error("The incident changed since you read it")
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
