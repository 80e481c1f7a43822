"""The audit trail's page for administrators (stub: the audit helper writes it)."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue

from sla.web.access import requires_role
from sla.web.roles import Role

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.route("/")
@requires_role(Role.admin)
def index() -> ResponseReturnValue:
    abort(404)


@bp.route("/audit.csv")
@requires_role(Role.admin)
def export_csv() -> ResponseReturnValue:
    abort(404)
