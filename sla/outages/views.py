"""Outage pages: the list per contract, recording one, ending it, cancelling a mistake."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from incidents.forms import database_int
from sla.contracts.service import list_contracts
from sla.db import utcnow
from sla.errors import DomainError
from sla.outages import service
from sla.outages.forms import CancelOutageForm, EndOutageForm, OutageForm
from sla.outages.models import Outage
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.roles import Role
from sla.web.settings import form_instant

bp = Blueprint("outages", __name__, url_prefix="/outages")


def _contract_choices() -> list[SelectChoice]:
    return [
        SelectChoice(c.id, f"{c.reference} — {c.title}")
        for c in list_contracts(db_session())
        if c.id is not None
    ]


def _contract_asked() -> int | None:
    """The contract of `?contract=` (ASCII digits within the database's integers), or None."""
    return database_int(request.args.get("contract", ""))


def _page(form: OutageForm) -> tuple[str, bool]:
    """The page, and whether its contract filter was unusable (then ignored, with a message)."""
    session = db_session()
    known = {c.id: c for c in list_contracts(session)}
    contract_id = _contract_asked()
    unusable = bool(request.args.get("contract")) and contract_id not in known
    if unusable:
        contract_id = None
    return render_template(
        "outages/index.html",
        outages=service.list_outages(session, contract_id=contract_id),
        contracts=known,
        contract_id=contract_id,
        filter_error=_("Unknown contract.") if unusable else None,
        form=form,
        end_form=EndOutageForm(formdata=None),
        cancel_form=CancelOutageForm(formdata=None),
    ), unusable


@bp.route("/")
@requires_role(Role.viewer)
def index() -> ResponseReturnValue:
    form = OutageForm(formdata=None)
    form.contract_id.choices = _contract_choices()
    if _contract_asked() is not None:
        form.contract_id.data = _contract_asked()
    page, unusable = _page(form)
    return page, (400 if unusable else 200)


@bp.route("/", methods=["POST"])
@requires_role(Role.agent)
def create() -> ResponseReturnValue:
    form = OutageForm()
    form.contract_id.choices = _contract_choices()
    if form.validate_on_submit():
        try:
            service.record_outage(
                db_session(),
                contract_id=form.contract_id.data or 0,
                started_at=form_instant(form.started_at.data) or utcnow(),
                ended_at=form_instant(form.ended_at.data),
                service=(form.service.data or "").strip(),
                cause=form.cause.data or "",
                incident_id=form.incident_id.data,
                user_id=current_user.user.id,
                now=utcnow(),
            )
        except DomainError as error:
            field = getattr(form, error.field or "", None)
            if field is not None:
                field.errors = [*field.errors, error.message]
            else:
                flash(error.message, "error")
        else:
            flash(_("Outage recorded."), "info")
            return redirect(url_for("outages.index", contract=form.contract_id.data))
    return _page(form)[0], 422


def _act(outage_id: int, action: str) -> ResponseReturnValue:
    session = db_session()
    outage = session.get(Outage, outage_id)
    if outage is None:
        abort(404)
    form: EndOutageForm | CancelOutageForm = (
        EndOutageForm() if action == "end" else CancelOutageForm()
    )
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return redirect(url_for("outages.index", contract=outage.contract_id))
    try:
        if isinstance(form, EndOutageForm):
            service.end_outage(
                session,
                outage_id,
                ended_at=form_instant(form.ended_at.data) or utcnow(),
                user_id=current_user.user.id,
                now=utcnow(),
            )
            flash(_("Outage ended."), "info")
        else:
            service.cancel_outage(
                session,
                outage_id,
                reason=form.reason.data or "",
                user_id=current_user.user.id,
                now=utcnow(),
            )
            flash(_("Outage cancelled."), "info")
    except DomainError as error:
        flash(error.message, "error")
    return redirect(url_for("outages.index", contract=outage.contract_id))


@bp.route("/<int:outage_id>/end", methods=["POST"])
@requires_role(Role.agent)
def end(outage_id: int) -> ResponseReturnValue:
    return _act(outage_id, "end")


@bp.route("/<int:outage_id>/cancel", methods=["POST"])
@requires_role(Role.agent)
def cancel(outage_id: int) -> ResponseReturnValue:
    return _act(outage_id, "cancel")
