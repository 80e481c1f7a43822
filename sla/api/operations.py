"""The API's routes as data: what each one reads and returns, for the OpenAPI document."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from sla.web.roles import Role


@dataclass(frozen=True)
class Operation:
    """One route of the API: its path and method, the role it needs, its bodies and query."""

    path: str
    method: str
    endpoint: str
    summary: str
    role: Role
    body: type[BaseModel] | None
    response: type[BaseModel] | None  # None: a JSON array (openapi.LIST_RESPONSES)
    status: int = 200
    query: type[BaseModel] | None = None  # its query parameters (a schemas.Query)


# Filled by `sla.api.views.operation` as the routes are declared.
OPERATIONS: list[Operation] = []
