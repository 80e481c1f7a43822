"""The penalty statements' pages: the list, a new statement, a statement with its lines,
totals and history, the procedure's actions, and its PDF and XLSX.

Each action posts the revision the page showed (the optimistic lock) and commits once (the
request's session, when the answer is not an error). A refusal of the procedure shows its
message beside the field it names, or above the action's button, on the statement's page as
it stands (nothing written). The letter notified and the final statement are the
organisation's documents: written in the application's language, as the API writes them;
what is only read (a draft's PDF, the spreadsheet) is in the reader's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from incidents.forms import FIRST_YEAR, LAST_YEAR, database_int, date_range_message
from sla.contracts.models import Contract
from sla.contracts.service import current_version, document_of, list_contracts
from sla.db import utcnow
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
from sla.penalties.models import PenaltyFile, PenaltyStatement
from sla.penalties.pdf import statement_pdf
from sla.penalties.statement import DECIDING, State, StatementView
from sla.penalties.xlsx import statement_xlsx
from sla.printing.organisation import Organisation
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.downloads import attachment
from sla.web.roles import Role
from sla.web.settings import app_zone, form_instant

bp = Blueprint("penalties", __name__, url_prefix="/penalties")

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The types an observation's file keeps when downloaded; any other is served as bytes (the
# vendor chose the type: a page or a script must never come back as one).
KEPT_TYPES = frozenset(
    {
        PDF,
        XLSX,
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip",
        "image/png",
        "image/jpeg",
        "message/rfc822",
        "text/plain",
        "text/csv",
    }
)


# -- helpers ----------------------------------------------------------------------------------


def _now_and_today() -> tuple[datetime, date]:
    now = utcnow()
    return now, now.astimezone(app_zone()).date()


def _user_id() -> int | None:
    user_id: int | None = current_user.user.id
    return user_id


def _organisation() -> Organisation:
    """Who the documents are from (`[organisation]`)."""
    return Organisation.from_settings(current_app.config["SLA_SETTINGS"]["organisation"])


def _documents_locale() -> str:
    """The language of the documents kept (the letter, the final statement): the
    application's, whoever notifies or finalises."""
    return str(current_app.config["SLA_SETTINGS"]["app"]["default_locale"])


def _penalty_contracts(today: date) -> list[Contract]:
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


def _filename(view: StatementView, kind: str, extension: str) -> str:
    """`releve-penalites-REF-2026-10.pdf`: what, the contract, the period (a month: its
    month, else its first and last days)."""
    if view.period_kind == "month":
        period = f"{view.period_start:%Y-%m}"
    else:
        period = f"{view.period_start}_{view.period_end}"
    return f"{kind}-{view.contract_reference}-{period}.{extension}"


def _view(statement_id: int, now: datetime) -> StatementView:
    try:
        return reading.statement_view(db_session(), statement_id, now=now)
    except NotFound:
        abort(404)


# -- the list and a new statement -------------------------------------------------------------


def _day(text: str, errors: dict[str, str], key: str) -> date | None:
    """A `YYYY-MM-DD` of the query string within the years people mean (else an error)."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[key] = _("Expected a date such as 2026-10-01.")
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors[key] = str(date_range_message())
        return None
    return day


def _filters(known: dict[int, Contract]) -> tuple[dict[str, Any], dict[str, str]]:
    """The list's filters from the query string; one it cannot use is ignored and named."""
    args = request.args
    errors: dict[str, str] = {}
    contract_id = database_int(args.get("contract", ""))
    if args.get("contract") and contract_id not in known:
        errors["contract"] = _("Unknown contract.")
        contract_id = None
    state = args.get("state", "")
    if state and state not in State.__members__:
        errors["state"] = _("Unknown state.")
        state = ""
    first = _day(args.get("from", ""), errors, "from")
    last = _day(args.get("to", ""), errors, "to")
    wanted = {"contract_id": contract_id, "state": state or None, "first": first, "last": last}
    return wanted, errors


def _statement_form(form: StatementForm, today: date) -> StatementForm:
    form.contract_id.choices = [
        (c.id, f"{c.reference} — {c.title}") for c in _penalty_contracts(today) if c.id is not None
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
    _now, today = _now_and_today()
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
    now, today = _now_and_today()
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
                by=_user_id(),
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


def _ids(form: Any, prefix: str) -> Any:
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
        local_now = utcnow().astimezone(app_zone()).replace(tzinfo=None, second=0, microsecond=0)
        forms["observations"] = ObservationsForm(
            formdata=None, revision=revision, received_at=local_now
        )
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
    if view.state is State.final:
        forms["supersede"] = ReasonForm(formdata=None, revision=revision)
    lines: dict[int, Any] = forms.get("lines", {})
    for name, form in posted.items():
        if name in forms and name != "lines":
            forms[name] = form
        elif name.startswith("line") and name[4:].isdigit() and int(name[4:]) in lines:
            lines[int(name[4:])] = form
    for line_id, form in lines.items():
        _ids(form, f"line{line_id}")
    for name in ("notify", "abandon", "observations", "finalise", "supersede"):
        if name in forms:
            _ids(forms[name], name)
    return forms


def _placed(forms: dict[str, Any]) -> set[str]:
    """The actions whose form is on the page (their errors show there)."""
    return (set(forms) - {"lines"}) | {f"line{i}" for i in forms.get("lines", {})}


def _page(
    statement_id: int,
    *,
    status: int = 200,
    problems: dict[str, str] | None = None,
    posted: dict[str, Any] | None = None,
) -> ResponseReturnValue:
    """The statement's page; an action refused comes back in its form, with its errors
    (those of an action the statement no longer offers in a message at the top)."""
    now = utcnow()
    view = _view(statement_id, now)
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
        answering=view.state is State.notified
        and view.answer_due_at is not None
        and now <= view.answer_due_at,
    ), status


@bp.route("/<int:statement_id>")
@requires_role(Role.viewer)
def show(statement_id: int) -> ResponseReturnValue:
    return _page(statement_id)


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
        return _page(statement_id, status=400, posted=posted)
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
        return _page(statement_id, status=status, problems=problems, posted=posted)
    flash(message, "info")
    return redirect(url_for("penalties.show", statement_id=statement_id))


@bp.route("/<int:statement_id>/notify", methods=["POST"])
@requires_role(Role.agent)
def notify(statement_id: int) -> ResponseReturnValue:
    form = RevisionForm()
    settings = current_app.config["SLA_SETTINGS"]
    mailing = procedure.Mailing(
        _organisation(), _documents_locale(), settings["alerts"]["webhook_format"]
    )

    def run(revision: int) -> str:
        statement = procedure.notify(
            db_session(),
            statement_id,
            revision=revision,
            by=_user_id(),
            now=utcnow(),
            mailing=mailing,
        )
        return str(
            _("Statement notified: the letter goes to %(address)s.", address=statement.notified_to)
        )

    return _act(statement_id, "notify", form, run)


@bp.route("/<int:statement_id>/abandon", methods=["POST"])
@requires_role(Role.agent)
def abandon(statement_id: int) -> ResponseReturnValue:
    form = _ids(ReasonForm(), "abandon")

    def run(revision: int) -> str:
        procedure.abandon(
            db_session(),
            statement_id,
            revision=revision,
            reason=form.reason.data or "",
            by=_user_id(),
            now=utcnow(),
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
    form = _ids(ObservationsForm(), "observations")

    def run(revision: int) -> str:
        procedure.record_observations(
            db_session(),
            statement_id,
            revision=revision,
            text=form.text.data or "",
            received_at=form_instant(form.received_at.data) or utcnow(),
            files=_uploads(form.files.data),
            by=_user_id(),
            now=utcnow(),
        )
        return str(_("Observations recorded."))

    fields = {"text": form.text, "received_at": form.received_at, "files": form.files}
    return _act(statement_id, "observations", form, run, fields=fields)


@bp.route("/<int:statement_id>/lines/<int:line_id>/decide", methods=["POST"])
@requires_role(Role.admin)
def decide(statement_id: int, line_id: int) -> ResponseReturnValue:
    form = _ids(DecisionForm(), f"line{line_id}")

    def run(revision: int) -> str:
        procedure.decide(
            db_session(),
            statement_id,
            revision=revision,
            line_id=line_id,
            decision=form.decision.data or "",
            amount=(form.amount.data or "").strip() or None,
            reason=form.reason.data or "",
            by=_user_id(),
            now=utcnow(),
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
            by=_user_id(),
            now=utcnow(),
            organisation=_organisation(),
            locale=_documents_locale(),
        )
        return str(_("Statement finalised: it is archived and can no longer change."))

    return _act(statement_id, "finalise", form, run)


@bp.route("/<int:statement_id>/supersede", methods=["POST"])
@requires_role(Role.admin)
def supersede(statement_id: int) -> ResponseReturnValue:
    form = _ids(ReasonForm(), "supersede")
    session = db_session()
    if session.get(PenaltyStatement, statement_id) is None:
        abort(404)
    if not form.validate_on_submit():
        return _page(statement_id, status=400, posted={"supersede": form})
    now, today = _now_and_today()
    try:
        replacement = procedure.supersede(
            session,
            statement_id,
            revision=database_int(form.revision.data or "") or 0,
            reason=form.reason.data or "",
            by=_user_id(),
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
        return _page(statement_id, status=status, problems=problems, posted={"supersede": form})
    flash(_("Statement #%(id)d superseded: here is the new draft.", id=statement_id), "info")
    return redirect(url_for("penalties.show", statement_id=replacement.id))


# -- downloads ----------------------------------------------------------------------------------


@bp.route("/<int:statement_id>/statement.pdf")
@requires_role(Role.viewer)
def statement_pdf_download(statement_id: int) -> ResponseReturnValue:
    """The final statement as kept; before that, the letter as it reads now."""
    stored = db_session().get(PenaltyStatement, statement_id)
    if stored is None:
        abort(404)
    view = _view(statement_id, utcnow())
    content = stored.final_pdf
    if content is None:
        content = statement_pdf(view, _organisation(), str(get_locale()), letter=True)
    return attachment(content, PDF, _filename(view, _("penalty-statement"), "pdf"))


@bp.route("/<int:statement_id>/letter.pdf")
@requires_role(Role.viewer)
def letter_pdf(statement_id: int) -> ResponseReturnValue:
    """The letter as notified to the vendor (kept as sent)."""
    stored = db_session().get(PenaltyStatement, statement_id)
    if stored is None or stored.letter_pdf is None:
        abort(404)
    view = _view(statement_id, utcnow())
    return attachment(stored.letter_pdf, PDF, _filename(view, _("penalty-letter"), "pdf"))


@bp.route("/<int:statement_id>/statement.xlsx")
@requires_role(Role.viewer)
def statement_xlsx_download(statement_id: int) -> ResponseReturnValue:
    view = _view(statement_id, utcnow())
    content = statement_xlsx(view, str(get_locale()))
    return attachment(content, XLSX, _filename(view, _("penalty-statement"), "xlsx"))


@bp.route("/<int:statement_id>/files/<int:file_id>")
@requires_role(Role.viewer)
def observation_file(statement_id: int, file_id: int) -> ResponseReturnValue:
    """A file the vendor sent: always downloaded, never shown in the browser."""
    found = db_session().get(PenaltyFile, file_id)
    if found is None or found.statement_id != statement_id:
        abort(404)
    mimetype = found.mimetype if found.mimetype in KEPT_TYPES else "application/octet-stream"
    return attachment(found.content, mimetype, found.filename)
