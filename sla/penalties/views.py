"""The penalty statements' pages: the list, a new statement, a statement with its lines,
totals and history, the procedure's actions, and its PDF and XLSX.

Each action posts the revision the page showed (the optimistic lock) and commits once (the
request's session, when the answer is not an error). A refusal of the procedure shows its
message beside the field it names, or above the action's button, on the statement's page as
it stands (nothing written). The letter notified and the final statement are the
organisation's documents: written in the application's language, as the API writes them;
what is only read (a draft's PDF, the spreadsheet) is in the reader's."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from incidents.forms import database_int, query_day
from sla.contracts.models import Contract
from sla.contracts.service import current_version, document_of, list_contracts
from sla.errors import DomainError, NotFound
from sla.penalties import procedure, reading
from sla.penalties.forms import (
    DecisionForm,
    ObservationsForm,
    ReasonForm,
    RevisionForm,
    StatementForm,
    ended_quarters,
    last_ended_quarter,
    quarter_value,
)
from sla.penalties.models import PenaltyStatement
from sla.penalties.statement import (
    DECIDING,
    State,
    StatementView,
    answer_period_running,
    transitions,
)
from sla.web.access import current_user_id, requires_role
from sla.web.database import db_session
from sla.web.roles import Role
from sla.web.settings import app_zone, now_and_today

bp = Blueprint("penalties", __name__, url_prefix="/penalties")

# -- helpers ----------------------------------------------------------------------------------


def penalty_contracts(today: date) -> list[Contract]:
    """The contracts whose version of today sets penalties: those a statement can be drawn
    up for."""
    session = db_session()
    found = []
    for contract in list_contracts(session):
        try:
            version = current_version(session, contract, today)
        except DomainError:
            continue
        if document_of(version).sla.penalties is not None:
            found.append(contract)
    return found


def _notify_address(view: StatementView) -> str:
    """Where the letter will go, for the confirmation sentence (the procedure decides)."""
    session = db_session()
    statement = session.get(PenaltyStatement, view.id)
    return "" if statement is None else procedure.notify_address(session, statement)


def statement_or_404(statement_id: int, now: datetime) -> StatementView:
    try:
        return reading.statement_view(db_session(), statement_id, now=now)
    except NotFound:
        abort(404)


# -- the list and a new statement -------------------------------------------------------------


def _filters(known: dict[int, Contract]) -> tuple[dict[str, Any], dict[str, object]]:
    """The list's filters from the query string; one it cannot use is ignored and named."""
    args = request.args
    errors: dict[str, object] = {}
    contract_id = database_int(args.get("contract", ""))
    if args.get("contract") and contract_id not in known:
        errors["contract"] = _("Unknown contract.")
        contract_id = None
    state = args.get("state", "")
    if state and state not in State.__members__:
        errors["state"] = _("Unknown state.")
        state = ""
    first = query_day(args.get("from", ""), errors, "from")
    last = query_day(args.get("to", ""), errors, "to")
    wanted = {"contract_id": contract_id, "state": state or None, "first": first, "last": last}
    return wanted, errors


def _statement_form(form: StatementForm, today: date) -> StatementForm:
    form.contract_id.choices = [
        (c.id, f"{c.reference} — {c.title}") for c in penalty_contracts(today) if c.id is not None
    ]
    form.quarter.choices = ended_quarters(today)
    return form


def _index(form: StatementForm) -> tuple[str, int]:
    session = db_session()
    known = {c.id: c for c in list_contracts(session) if c.id is not None}
    wanted, errors = _filters(known)
    page = render_template(
        "penalties/index.html",
        statements=reading.listed(session, **wanted),
        contracts=known,
        wanted=wanted,
        args=request.args,
        errors=errors,
        form=form,
    )
    return page, (400 if errors else 200)


@bp.route("/")
@requires_role(Role.viewer)
def index() -> ResponseReturnValue:
    _now, today = now_and_today()
    form = _statement_form(StatementForm(formdata=None), today)
    last_month = date.fromordinal(today.replace(day=1).toordinal() - 1).replace(day=1)
    form.month.data = last_month
    form.quarter.data = quarter_value(last_ended_quarter(today))
    asked = database_int(request.args.get("contract", ""))
    if asked is not None and any(value == asked for value, _label in form.contract_id.choices):
        form.contract_id.data = asked
    return _index(form)


@bp.route("/", methods=["POST"])
@requires_role(Role.agent)
def create() -> ResponseReturnValue:
    now, today = now_and_today()
    form = _statement_form(StatementForm(), today)
    if form.validate_on_submit():
        first, last = form.period()
        try:
            created = procedure.create_statement(
                db_session(),
                contract_id=form.contract_id.data or 0,
                period_kind=form.period_kind.data or "",
                first=first,
                last=last,
                by=current_user_id(),
                now=now,
                today=today,
            )
        except DomainError as error:
            db_session().rollback()
            field = form.field_of(error.field)
            if field is None:
                field = form.contract_id
            field.errors = [*field.errors, error.message]
        else:
            flash(_("Draft statement #%(id)d drawn up.", id=created.id), "info")
            return redirect(url_for("penalties.show", statement_id=created.id))
    return _index(form)[0], 400


# -- a statement ------------------------------------------------------------------------------


def with_ids(form: Any, prefix: str) -> Any:
    """Give the form's fields ids of their own (several forms on the page share field names:
    the names posted stay plain, the ids and labels differ)."""
    for field in form:
        if field.name != "csrf_token":
            field.id = f"{prefix}-{field.name}"
            field.label.field_id = field.id
    return form


def _forms(view: StatementView, posted: dict[str, Any]) -> dict[str, Any]:
    """The forms of the actions the statement's state allows (filled as posted when one comes
    back refused)."""
    revision = str(view.revision)
    forms: dict[str, Any] = {}
    if view.state is State.draft:
        forms["notify"] = RevisionForm(formdata=None, revision=revision)
        forms["abandon"] = ReasonForm(formdata=None, revision=revision)
    if view.state in DECIDING:
        local_now = (
            now_and_today()[0].astimezone(app_zone()).replace(tzinfo=None, second=0, microsecond=0)
        )
        forms["observations"] = ObservationsForm(
            formdata=None, revision=revision, received_at=local_now
        )
    # Lines are decided, and the statement finalised, once the vendor has answered or may no
    # longer: no form offers what would be refused.
    if "decisions" in transitions(view, now_and_today()[0]):
        forms["finalise"] = RevisionForm(formdata=None, revision=revision)
        forms["lines"] = {
            line.id: DecisionForm(
                formdata=None,
                revision=revision,
                decision=line.decision.decision.value if line.decision else None,
            )
            for line in view.lines
            if line.id is not None
        }
    if view.state is State.final and view.superseded_by_id is None:
        forms["supersede"] = ReasonForm(formdata=None, revision=revision)
    lines: dict[int, Any] = forms.get("lines", {})
    for name, form in posted.items():
        if name in forms and name != "lines":
            forms[name] = form
        elif name.startswith("line") and name[4:].isdigit() and int(name[4:]) in lines:
            lines[int(name[4:])] = form
    for line_id, form in lines.items():
        with_ids(form, f"line{line_id}")
    for name in ("notify", "abandon", "observations", "finalise", "supersede"):
        if name in forms:
            with_ids(forms[name], name)
    return forms


def _placed(forms: dict[str, Any]) -> set[str]:
    """The actions whose form is on the page (their errors show there)."""
    return (set(forms) - {"lines"}) | {f"line{i}" for i in forms.get("lines", {})}


def statement_page(
    statement_id: int,
    *,
    status: int = 200,
    problems: dict[str, str] | None = None,
    posted: dict[str, Any] | None = None,
) -> ResponseReturnValue:
    """The statement's page; an action refused comes back in its form, with its errors
    (those of an action the statement no longer offers in a message at the top)."""
    now = now_and_today()[0]
    view = statement_or_404(statement_id, now)
    forms = _forms(view, posted or {})
    placed = _placed(forms)
    for name, form in (posted or {}).items():
        if name not in placed:
            for errors in form.errors.values():
                for message in errors:
                    flash(str(message), "error")
    for name, message in (problems or {}).items():
        if name not in placed:
            flash(message, "error")
    return render_template(
        "penalties/show.html",
        view=view,
        now=now,
        forms=forms,
        problems=problems or {},
        notify_to=_notify_address(view) if view.state is State.draft else "",
        answering=answer_period_running(view.state, view.answer_due_at, now),
    ), status


@bp.route("/<int:statement_id>")
@requires_role(Role.viewer)
def show(statement_id: int) -> ResponseReturnValue:
    return statement_page(statement_id)
