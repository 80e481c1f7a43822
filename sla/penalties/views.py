"""The penalty statements' pages: the list, a new statement, a statement with its lines,
totals and history, the procedure's actions, and its PDF and XLSX."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("penalties", __name__, url_prefix="/penalties")


@bp.get("/")
def index() -> str:
    """Placeholder until the pages are written."""
    return ""
