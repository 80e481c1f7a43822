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
        parameters: list[dict[str, Any]] = [
            {
                "name": m.group(2),
                "in": "path",
                "required": True,
                "schema": {"type": "integer" if m.group(1) == "int" else "string"},
            }
            for m in _PARAM.finditer(op.path)
        ]
        parameters += [
            {"name": name, "in": "query", "required": False, "schema": {"type": kind}}
            for name, kind in op.query.items()
        ]
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
            "404": {
                "description": "Not found",
                "content": {"application/json": {"schema": _schema_ref(schemas.ErrorBody)}},
            },
        }
        if op.body is not None or op.query:
            responses["422"] = {
                "description": "Invalid input, per field",
                "content": {"application/json": {"schema": _schema_ref(schemas.ErrorBody)}},
            }
        if op.body is not None:
            responses["400"] = {
                "description": "Refused by a domain rule",
                "content": {"application/json": {"schema": _schema_ref(schemas.ErrorBody)}},
            }
            responses["409"] = {
                "description": "The incident changed since you read it",
                "content": {"application/json": {"schema": _schema_ref(schemas.ErrorBody)}},
            }
        entry: dict[str, Any] = {
            "operationId": op.endpoint,
            "summary": op.summary,
            "parameters": parameters,
            "responses": responses,
        }
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _schema_ref(op.body)}},
            }
        paths.setdefault(path, {})[op.method.lower()] = entry
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
