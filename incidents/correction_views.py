"""Correcting an incident's details from its page: each change an event of its history."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from incidents import service
from incidents.forms import CorrectionForm, database_int
from incidents.models import Incident
from incidents.views import bp, render_incident
from sla.db import utcnow
from sla.errors import DomainError
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.roles import Role


@bp.route("/<int:incident_id>/details", methods=["POST"])
@requires_role(Role.agent)
def correct(incident_id: int) -> ResponseReturnValue:
    """Correct the title, description, service, channel or vendor ticket reference."""
    session = db_session()
    incident = session.get(Incident, incident_id)
    if incident is None:
        abort(404)
    form = CorrectionForm()
    revision = database_int(form.revision.data or "")
    if not form.validate_on_submit() or revision is None:
        if revision is None:
            form.title.errors = [
                *form.title.errors,
                _("The page is out of date: reload it and try again."),
            ]
        return render_incident(incident, status=400, correction=form)
    changes = {
        name: getattr(form, name).data or ""
        for name in ("title", "description", "service", "channel", "vendor_ticket_ref")
    }
    try:
        corrected = service.correct_incident(
            session,
            incident,
            changes=changes,
            now=utcnow(),
            user_id=current_user.user.id,
            expected_revision=revision,
        )
    except service.Conflict:
        flash(
            _(
                "Someone else updated this incident meanwhile: here it is as it stands now. "
                "Your correction was not recorded."
            ),
            "error",
        )
        return redirect(url_for("incidents.show", incident_id=incident_id))
    except DomainError as error:
        session.rollback()
        target = getattr(form, error.field or "title", form.title)
        target.errors = [*target.errors, error.message]
        return render_incident(
            session.get(Incident, incident_id) or incident, status=400, correction=form
        )
    flash(
        ngettext(
            "Details corrected (%(num)d change kept in the history).",
            "Details corrected (%(num)d changes kept in the history).",
            len(corrected),
        ),
        "info",
    )
    return redirect(url_for("incidents.show", incident_id=incident_id))
