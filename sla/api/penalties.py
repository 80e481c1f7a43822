"""The API's penalty statements: list, read with lines, create, and the procedure's
transitions; registered on the API blueprint by `sla.api.views.operation`.

A transition the statement's state refuses (notifying twice, deciding before notifying,
finalising with lines undecided...), or a stale revision, answers 409 with the rule's code;
a domain rule refusing a value the client sent (a reduced amount not below the line's, a
blank reason, observations received in the future) answers 400 naming the field, as
everywhere in the API; a malformed body 422.

The letter notified to the vendor and the final statement are written in the application's
language (`[app] default_locale`): they are the organisation's documents, kept as sent. What
is only read (a draft's PDF, the spreadsheet) is in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from types import SimpleNamespace
from typing import cast

from flask import current_app
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from sla.api import penalty_schemas as schemas
from sla.api.openapi import FILE_RESPONSES, LIST_RESPONSES
from sla.api.views import bp, error_body, operation, parse_body, parse_query, reply, reply_list
from sla.errors import DomainError, NotFound
from sla.penalties import procedure, reading
from sla.penalties.models import PenaltyStatement
from sla.penalties.pdf import statement_pdf
from sla.penalties.statement import StatementView, document_stem, transitions
from sla.penalties.xlsx import statement_xlsx
from sla.web.access import current_user_id
from sla.web.database import db_session
from sla.web.downloads import attachment
from sla.web.roles import Role
from sla.web.settings import documents_locale, now_and_today, organisation

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATEMENT = "/penalties/statements/<int:statement_id>"


class Refused(Exception):
    """A transition the statement's state refuses, or a stale revision: answered 409."""

    def __init__(self, error: DomainError) -> None:
        self.error = error


@bp.errorhandler(Refused)
def refused_transition(refused: Refused) -> ResponseReturnValue:
    """409: the statement's state (or revision) refuses the transition, with the rule's code."""
    return reply(error_body(refused.error), 409)


@contextmanager
def transition() -> Iterator[None]:
    """Run a transition: a refusal naming no field the client sent (its state forbids it) or
    a stale revision becomes a 409; one naming a field stays a 400, an unknown record a 404."""
    try:
        yield
    except NotFound:
        raise
    except DomainError as error:
        if error.field is None or error.code == "penalty.changed":
            raise Refused(error) from None
        raise


def allowed_transitions(view: StatementView, now: datetime) -> list[schemas.Transition]:
    """The transitions the procedure accepts now (`sla.penalties.statement.transitions`)."""
    return [cast(schemas.Transition, name) for name in transitions(view, now)]


def _statement(view: StatementView, now: datetime, status: int = 200) -> ResponseReturnValue:
    """The statement as it stands, with the transitions it allows now."""
    transitions = SimpleNamespace(transitions=allowed_transitions(view, now))
    return reply(schemas.StatementOut.of(view, transitions), status)


def _read(statement_id: int, now: datetime) -> ResponseReturnValue:
    """The statement of this id as it stands now."""
    return _statement(reading.statement_view(db_session(), statement_id, now=now), now)


# -- reading --------------------------------------------------------------------------------


@operation(
    "/penalties/statements",
    "GET",
    summary="Penalty statements, newest period first",
    role=Role.viewer,
    response=None,
    query=schemas.StatementQuery,
)
def penalty_statements() -> ResponseReturnValue:
    """The statements, of a contract, in a state, overlapping a period if asked."""
    wanted = parse_query(schemas.StatementQuery)
    found = reading.listed(
        db_session(),
        contract_id=wanted.contract_id,
        state=wanted.state,
        first=wanted.first,
        last=wanted.last,
    )
    return reply_list(schemas.StatementListedOut.of(listed) for listed in found)


@operation(
    STATEMENT,
    "GET",
    summary="A penalty statement with its lines, totals, steps and the transitions allowed now",
    role=Role.viewer,
    response=schemas.StatementOut,
)
def penalty_statement(statement_id: int) -> ResponseReturnValue:
    """One statement: a draft's lines computed now, a notified one's as notified."""
    return _read(statement_id, now_and_today()[0])


def _stored(statement_id: int) -> PenaltyStatement:
    found = db_session().get(PenaltyStatement, statement_id)
    if found is None:
        raise NotFound("penalty.not_found", field="statement_id", statement_id=statement_id)
    return found


def _filename(view: StatementView, extension: str) -> str:
    """`releve-penalites-REF-2026-10.pdf`, as the pages name it (made safe by `attachment`)."""
    stem = document_stem(
        _("penalty-statement"),
        view.contract_reference,
        view.period_kind,
        view.period_start,
        view.period_end,
    )
    return f"{stem}.{extension}"


@operation(
    STATEMENT + "/pdf",
    "GET",
    summary="The statement as PDF: a final one's as kept; before that, its letter as it reads now",
    role=Role.viewer,
    response=None,
)
def penalty_statement_pdf(statement_id: int) -> ResponseReturnValue:
    """The final statement as kept (its SHA-256 is the statement's `final_sha256`); before
    that, the letter as it reads now, in the reader's language."""
    stored = _stored(statement_id)
    view = reading.view_of(db_session(), stored, now=now_and_today()[0])
    content = stored.final_pdf
    if content is None:
        content = statement_pdf(view, organisation(), str(get_locale()), letter=True)
    return attachment(content, PDF, _filename(view, "pdf"))


@operation(
    STATEMENT + "/xlsx",
    "GET",
    summary="The statement as a spreadsheet (XLSX)",
    role=Role.viewer,
    response=None,
)
def penalty_statement_xlsx(statement_id: int) -> ResponseReturnValue:
    """The statement's lines, totals and steps as a spreadsheet, in the reader's language."""
    view = reading.statement_view(db_session(), statement_id, now=now_and_today()[0])
    return attachment(statement_xlsx(view, str(get_locale())), XLSX, _filename(view, "xlsx"))


# -- the procedure --------------------------------------------------------------------------


@operation(
    "/penalties/statements",
    "POST",
    summary="Draw up a draft statement of a contract's penalties over a period that has ended",
    role=Role.agent,
    body=schemas.StatementIn,
    response=schemas.StatementOut,
    status=201,
)
def penalty_statement_create() -> ResponseReturnValue:
    """A draft statement; 201 with it, its lines computed now."""
    body = parse_body(schemas.StatementIn)
    now, today = now_and_today()
    created = procedure.create_statement(
        db_session(),
        contract_id=body.contract_id,
        period_kind=body.period_kind,
        first=body.first,
        last=body.last,
        by=current_user_id(),
        now=now,
        today=today,
    )
    return _statement(reading.view_of(db_session(), created, now=now), now, 201)


@operation(
    STATEMENT + "/notify",
    "POST",
    summary=(
        "Notify the draft to the vendor: its lines are written, the letter (PDF) kept and "
        "mailed; the vendor's answer period starts"
    ),
    role=Role.agent,
    body=schemas.RevisionIn,
    response=schemas.StatementOut,
)
def penalty_notify(statement_id: int) -> ResponseReturnValue:
    """Notify a draft at the revision the client saw; 409 unless it is a draft."""
    body = parse_body(schemas.RevisionIn)
    now = now_and_today()[0]
    settings = current_app.config["SLA_SETTINGS"]
    mailing = procedure.Mailing(
        organisation(), documents_locale(), settings["alerts"]["webhook_format"]
    )
    with transition():
        procedure.notify(
            db_session(),
            statement_id,
            revision=body.revision,
            by=current_user_id(),
            now=now,
            mailing=mailing,
        )
    return _read(statement_id, now)


@operation(
    STATEMENT + "/observations",
    "POST",
    summary=(
        "Record the vendor's observations (their text; attached files through the web form only)"
    ),
    role=Role.agent,
    body=schemas.ObservationsIn,
    response=schemas.StatementOut,
)
def penalty_observations(statement_id: int) -> ResponseReturnValue:
    """Record observations on a notified statement; 409 before the notification or once
    final."""
    body = parse_body(schemas.ObservationsIn)
    now = now_and_today()[0]
    with transition():
        procedure.record_observations(
            db_session(),
            statement_id,
            revision=body.revision,
            text=body.text,
            received_at=body.received_at,
            files=[],
            by=current_user_id(),
            now=now,
        )
    return _read(statement_id, now)


@operation(
    STATEMENT + "/decisions",
    "POST",
    summary="Decide a line: applied, reduced (to an amount below it) or waived, with a reason",
    role=Role.admin,
    body=schemas.DecisionIn,
    response=schemas.StatementOut,
)
def penalty_decide(statement_id: int) -> ResponseReturnValue:
    """Decide one line; 409 before the notification, while the vendor's answer period runs
    without observations, or once final."""
    body = parse_body(schemas.DecisionIn)
    now = now_and_today()[0]
    with transition():
        procedure.decide(
            db_session(),
            statement_id,
            revision=body.revision,
            line_id=body.line_id,
            decision=body.decision,
            amount=body.amount,
            reason=body.reason,
            by=current_user_id(),
            now=now,
        )
    return _read(statement_id, now)


@operation(
    STATEMENT + "/finalise",
    "POST",
    summary="Finalise the statement once every line is decided: its PDF is kept, unchangeable",
    role=Role.admin,
    body=schemas.RevisionIn,
    response=schemas.StatementOut,
)
def penalty_finalise(statement_id: int) -> ResponseReturnValue:
    """Finalise at the revision the client saw; 409 with lines undecided or not notified."""
    body = parse_body(schemas.RevisionIn)
    now = now_and_today()[0]
    with transition():
        procedure.finalise(
            db_session(),
            statement_id,
            revision=body.revision,
            by=current_user_id(),
            now=now,
            organisation=organisation(),
            locale=documents_locale(),
        )
    return _read(statement_id, now)


@operation(
    STATEMENT + "/supersede",
    "POST",
    summary="Replace a final statement by a new draft of the same period, with the reason",
    role=Role.admin,
    body=schemas.ReasonIn,
    response=schemas.StatementOut,
    status=201,
)
def penalty_supersede(statement_id: int) -> ResponseReturnValue:
    """A new draft replacing a final statement; 201 with the new draft, 409 unless final."""
    body = parse_body(schemas.ReasonIn)
    now, today = now_and_today()
    with transition():
        replacement = procedure.supersede(
            db_session(),
            statement_id,
            revision=body.revision,
            reason=body.reason,
            by=current_user_id(),
            now=now,
            today=today,
        )
    return _statement(reading.view_of(db_session(), replacement, now=now), now, 201)


@operation(
    STATEMENT + "/abandon",
    "POST",
    summary="Give up a draft (never notified), with the reason",
    role=Role.agent,
    body=schemas.ReasonIn,
    response=schemas.StatementOut,
)
def penalty_abandon(statement_id: int) -> ResponseReturnValue:
    """Abandon a draft at the revision the client saw; 409 unless it is a draft."""
    body = parse_body(schemas.ReasonIn)
    now = now_and_today()[0]
    with transition():
        procedure.abandon(
            db_session(),
            statement_id,
            revision=body.revision,
            reason=body.reason,
            by=current_user_id(),
            now=now,
        )
    return _read(statement_id, now)


# -- the OpenAPI document: the list's items, the files ---------------------------------------

LIST_RESPONSES["penalty_statements"] = (schemas.StatementListedOut,)
FILE_RESPONSES.update({"penalty_statement_pdf": PDF, "penalty_statement_xlsx": XLSX})
