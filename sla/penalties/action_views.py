"""The procedure's actions on a statement's page: notify, abandon, record the vendor's
observations, decide a line, finalise, supersede. Each posts the revision the page showed and
commits once; a refusal comes back on the statement's page beside its field, nothing written.
Its routes join the penalties blueprint (`sla/app.py` imports this module)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from incidents.forms import database_int
from sla.errors import DomainError, NotFound
from sla.penalties import procedure
from sla.penalties.forms import (
    DecisionForm,
    ObservationsForm,
    ReasonForm,
    RevisionForm,
)
from sla.penalties.models import PenaltyStatement
from sla.penalties.views import (
    bp,
    statement_page,
    with_ids,
)
from sla.web.access import current_user_id, requires_role
from sla.web.database import db_session
from sla.web.roles import Role
from sla.web.settings import documents_locale, form_instant, now_and_today, organisation


def _act(
    statement_id: int,
    action: str,
    form: Any,
    run: Callable[[int], str],
    *,
    fields: dict[str, Any] | None = None,
) -> ResponseReturnValue:
    """Run one action of the procedure with the revision the form carries: the next page
    with a message, or the statement's page with the refusal beside its field (or above the
    action's button), nothing written."""
    session = db_session()
    if session.get(PenaltyStatement, statement_id) is None:
        abort(404)
    posted = {action: form}
    if not form.validate_on_submit():
        return statement_page(statement_id, status=400, posted=posted)
    revision = database_int(form.revision.data or "")
    try:
        message = run(revision or 0)
    except DomainError as error:
        session.rollback()
        field = (fields or {}).get(error.field or "")
        if field is not None:
            field.errors = [*field.errors, error.message]
            problems = {}
        else:
            problems = {action: error.message}
        status = 404 if isinstance(error, NotFound) and error.field is None else 400
        if error.code == "penalty.changed":
            status = 409
        return statement_page(statement_id, status=status, problems=problems, posted=posted)
    flash(message, "info")
    return redirect(url_for("penalties.show", statement_id=statement_id))


@bp.route("/<int:statement_id>/notify", methods=["POST"])
@requires_role(Role.agent)
def notify(statement_id: int) -> ResponseReturnValue:
    form = RevisionForm()
    settings = current_app.config["SLA_SETTINGS"]
    mailing = procedure.Mailing(
        organisation(), documents_locale(), settings["alerts"]["webhook_format"]
    )

    def run(revision: int) -> str:
        statement = procedure.notify(
            db_session(),
            statement_id,
            revision=revision,
            by=current_user_id(),
            now=now_and_today()[0],
            mailing=mailing,
        )
        return str(
            _("Statement notified: the letter goes to %(address)s.", address=statement.notified_to)
        )

    return _act(statement_id, "notify", form, run)


@bp.route("/<int:statement_id>/abandon", methods=["POST"])
@requires_role(Role.agent)
def abandon(statement_id: int) -> ResponseReturnValue:
    form = with_ids(ReasonForm(), "abandon")

    def run(revision: int) -> str:
        procedure.abandon(
            db_session(),
            statement_id,
            revision=revision,
            reason=form.reason.data or "",
            by=current_user_id(),
            now=now_and_today()[0],
        )
        return str(_("Draft abandoned."))

    return _act(statement_id, "abandon", form, run, fields={"reason": form.reason})


def _uploads(files: list[FileStorage] | None) -> list[procedure.Upload]:
    """The files sent with the form (an empty file input sends one without a name)."""
    uploads = []
    for storage in files or []:
        if not isinstance(storage, FileStorage) or not storage.filename:
            continue
        name = storage.filename.replace("\\", "/").rsplit("/", 1)[-1]
        uploads.append(
            procedure.Upload(
                filename=name,
                mimetype=storage.mimetype or "application/octet-stream",
                content=storage.read(),
            )
        )
    return uploads


@bp.route("/<int:statement_id>/observations", methods=["POST"])
@requires_role(Role.agent)
def observations(statement_id: int) -> ResponseReturnValue:
    form = with_ids(ObservationsForm(), "observations")

    def run(revision: int) -> str:
        procedure.record_observations(
            db_session(),
            statement_id,
            revision=revision,
            text=form.text.data or "",
            received_at=form_instant(form.received_at.data) or now_and_today()[0],
            files=_uploads(form.files.data),
            by=current_user_id(),
            now=now_and_today()[0],
        )
        return str(_("Observations recorded."))

    fields = {"text": form.text, "received_at": form.received_at, "files": form.files}
    return _act(statement_id, "observations", form, run, fields=fields)


@bp.route("/<int:statement_id>/lines/<int:line_id>/decide", methods=["POST"])
@requires_role(Role.admin)
def decide(statement_id: int, line_id: int) -> ResponseReturnValue:
    form = with_ids(DecisionForm(), f"line{line_id}")

    def run(revision: int) -> str:
        procedure.decide(
            db_session(),
            statement_id,
            revision=revision,
            line_id=line_id,
            decision=form.decision.data or "",
            amount=(form.amount.data or "").strip() or None,
            reason=form.reason.data or "",
            by=current_user_id(),
            now=now_and_today()[0],
        )
        return str(_("Line decided."))

    fields = {"decision": form.decision, "amount": form.amount, "reason": form.reason}
    return _act(statement_id, f"line{line_id}", form, run, fields=fields)


@bp.route("/<int:statement_id>/finalise", methods=["POST"])
@requires_role(Role.admin)
def finalise(statement_id: int) -> ResponseReturnValue:
    form = RevisionForm()

    def run(revision: int) -> str:
        procedure.finalise(
            db_session(),
            statement_id,
            revision=revision,
            by=current_user_id(),
            now=now_and_today()[0],
            organisation=organisation(),
            locale=documents_locale(),
        )
        return str(_("Statement finalised: it is archived and can no longer change."))

    return _act(statement_id, "finalise", form, run)


@bp.route("/<int:statement_id>/supersede", methods=["POST"])
@requires_role(Role.admin)
def supersede(statement_id: int) -> ResponseReturnValue:
    form = with_ids(ReasonForm(), "supersede")
    session = db_session()
    if session.get(PenaltyStatement, statement_id) is None:
        abort(404)
    if not form.validate_on_submit():
        return statement_page(statement_id, status=400, posted={"supersede": form})
    now, today = now_and_today()
    try:
        replacement = procedure.supersede(
            session,
            statement_id,
            revision=database_int(form.revision.data or "") or 0,
            reason=form.reason.data or "",
            by=current_user_id(),
            now=now,
            today=today,
        )
    except DomainError as error:
        session.rollback()
        problems = {}
        if error.field == "reason":
            form.reason.errors = [*form.reason.errors, error.message]
        else:
            problems = {"supersede": error.message}
        status = 409 if error.code == "penalty.changed" else 400
        return statement_page(
            statement_id, status=status, problems=problems, posted={"supersede": form}
        )
    flash(_("Statement #%(id)d superseded: here is the new draft.", id=statement_id), "info")
    return redirect(url_for("penalties.show", statement_id=replacement.id))


# -- downloads ----------------------------------------------------------------------------------
