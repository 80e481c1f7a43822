"""The public pages: the health check and the accessibility statement (RGAA).

Both answer without a login (`sla.web.access.PUBLIC_ENDPOINTS`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from sla.db import current_revision, head_revision
from sla.version import __version__
from sla.web.database import engine

health = Blueprint("health", __name__)

# The day the accessibility statement was last established (RGAA: "Cette déclaration a été
# établie le …"). Change it with the statement's checks and its list of non-compliances.
STATEMENT_DATE = date(2026, 12, 1)
# The RGAA version the statement refers to.
RGAA_VERSION = "4.1.2"


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


def statement_facts(organisation: Mapping[str, Any]) -> dict[str, Any]:
    """What the statement names from the [organisation] settings: who, how compliant, and
    where to write (the accessibility address, else the contact one; None: not configured)."""
    contact = organisation["accessibility_email"] or organisation["contact_email"] or None
    return {
        "organisation": organisation["name"],
        "status": organisation["accessibility_status"],
        "contact": contact,
        "statement_date": STATEMENT_DATE,
        "rgaa_version": RGAA_VERSION,
    }


@health.route("/accessibility")
def accessibility() -> ResponseReturnValue:
    """Public: the accessibility statement (déclaration d'accessibilité) the RGAA asks for."""
    organisation = current_app.config["SLA_SETTINGS"]["organisation"]
    return render_template("accessibility.html", **statement_facts(organisation))
