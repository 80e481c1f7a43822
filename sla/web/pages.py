"""The public health check."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from sla.db import current_revision, head_revision
from sla.version import __version__
from sla.web.database import engine

health = Blueprint("health", __name__)


@health.route("/healthz")
def healthz() -> ResponseReturnValue:
    """Public: database reachable and migrations current (200), else 503. No detail leaks."""
    try:
        current = current_revision(engine())
    except SQLAlchemyError:
        return jsonify(status="error", database="unreachable"), 503
    head = head_revision()
    if current != head:
        return jsonify(status="error", database="ok", migrations="pending"), 503
    return jsonify(status="ok", database="ok", migrations="current", version=__version__)
