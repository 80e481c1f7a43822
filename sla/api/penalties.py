"""The API's penalty statements: list, read with lines, create, and the procedure's
transitions; registered on the API blueprint by `sla.api.views.operation`."""

from __future__ import annotations
