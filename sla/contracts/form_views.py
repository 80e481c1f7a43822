"""The contract form: a contract and its SLA entered through forms, validated as a document.

The form's fields become a contract document (`form_document`) that goes the way of a TOML
import: the same validator, the same import (a changed SLA becomes a new version from its
effective date), nothing written when anything is wrong. Each problem is shown beside its
field, the form comes back as typed, and a preview beside the SLA tells when each target
would fall due (`form_preview`). Rows are added, removed and moved by buttons that work
without JavaScript; `static/js/contract_form.js` does the same in place.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from calendars.models import VendorCalendar
from sla.audit.actor import request_actor
from sla.contracts import service
from sla.contracts.document import DocumentError, Problem, SourcedProblem, parse_document
from sla.contracts.document.contract import RENEWALS
from sla.contracts.document.sla_terms import PERIODS
from sla.contracts.form_document import (
    KINDS,
    NO_FIXED_TIME,
    UNITS,
    WAITING,
    apply_action,
    blank_form,
    document_to_form,
    form_to_document,
    keeping_unchanged,
    place_problems,
    renumbered,
    target_choices,
    target_keys,
    targets_of,
)
from sla.contracts.form_penalties import CAP_SCOPES, CLAUSE_KINDS, LATENESS_UNITS, STEPS
from sla.contracts.form_preview import preview
from sla.contracts.form_values import Form, filled, row_indexes
from sla.contracts.models import Contract, Vendor
from sla.contracts.views import problem_line
from sla.db import utcnow
from sla.errors import DomainError, NotFound, reader_words
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.forms import EmptyForm
from sla.web.labels import PERIOD, RENEWAL, TARGET_KIND
from sla.web.roles import Role
from sla.web.settings import app_zone

bp = Blueprint("contract_form", __name__)
log = logging.getLogger(__name__)

UNIT_LABELS = {
    "business_hours": _l("business hours"),
    "business_minutes": _l("business minutes"),
    "business_days": _l("business days"),
    "calendar_hours": _l("calendar hours"),
    "calendar_days": _l("calendar days"),
    "months": _l("months"),
    NO_FIXED_TIME: _l("no fixed time"),
}
# The penalty clauses' choices (sla.engine.penalty_terms).
CLAUSE_KIND_LABELS = {
    "per_unit": _l("Amount per started unit of lateness"),
    "per_breach": _l("Fixed amount per breach"),
    "formula": _l("Formula P = V × R / D"),
    "availability": _l("Availability below the target"),
}
LATENESS_UNIT_LABELS = {
    "business_hour": _l("business hour"),
    "calendar_hour": _l("calendar hour"),
    "calendar_day": _l("calendar day"),
    "business_day": _l("business day"),
}
STEP_LABELS = {"tenth": _l("tenth of a point"), "point": _l("point")}
CAP_SCOPE_LABELS = {"month": _l("per month"), "year": _l("per contract year")}
# Fields outside the document the page posts.
NOT_FIELDS = ("csrf_token", "action")
# Problems at a field that say only that it is empty: the field says "required".
EMPTY_CODES = ("document.missing_key", "document.empty")


def _posted() -> Form:
    """The fields posted, as typed, without the token and the button."""
    form: Form = request.form.copy()
    for name in NOT_FIELDS:
        form.poplist(name)
    return renumbered(form)


def _vendor_of(session: Session, form: Form) -> Vendor | None:
    text = form.get("vendor") or ""
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return None
    return session.get(Vendor, int(text))


def _calendar_rows(session: Session, vendor: Vendor | None) -> list[VendorCalendar]:
    if vendor is None:
        return []
    return list(
        session.exec(
            select(VendorCalendar)
            .where(VendorCalendar.vendor_id == vendor.id)
            .order_by(VendorCalendar.key)
        )
    )


def _vendor_table(vendor: Vendor | None) -> dict[str, str]:
    """The document's [vendor] table, as the vendor row says (the import changes nothing)."""
    if vendor is None:
        return {}
    table = {"name": vendor.name}
    for key in ("siret", "support_email", "support_phone", "portal_url", "notes"):
        value = getattr(vendor, key)
        if value:
            table[key] = value
    return table


def _calendar_tables(rows: Iterable[VendorCalendar]) -> dict[str, dict[str, Any]]:
    """The vendor's calendars as the document's [calendars.KEY] tables."""
    tables: dict[str, dict[str, Any]] = {}
    for row in rows:
        definition = dict(row.definition)
        if row.name and "name" not in definition:
            definition["name"] = row.name
        tables[row.key] = definition
    return tables


def _document(session: Session, form: Form) -> dict[str, Any]:
    vendor = _vendor_of(session, form)
    return form_to_document(
        form,
        vendor=_vendor_table(vendor),
        calendars=_calendar_tables(_calendar_rows(session, vendor)),
    )


def _with_calendars(form: Form, rows: Sequence[VendorCalendar]) -> Form:
    """A vendor just chosen: all its calendars picked, the first as the contract's, unless
    the form already picks some of them."""
    keys = [row.key for row in rows]
    if not keys or set(form.getlist("calendars")) & set(keys):
        return form
    form = form.copy()
    form.setlist("calendars", keys)
    if form.get("contract.calendar") not in keys:
        form["contract.calendar"] = keys[0]
    return form


def _at_field(problem: Problem) -> str:
    """A problem as its field says it: the validator's words, "required" for an empty one."""
    if problem.code in EMPTY_CODES:
        return str(_("Required."))
    if problem.code == "document.missing_date":
        return str(_("Required: a date."))
    if problem.code == "document.no_calendar":
        return str(_("Pick at least one of the vendor's calendars."))
    return problem.worded(reader_words)


def _on_top(problem: Problem) -> str:
    return problem_line(SourcedProblem("", 0, problem.where(), problem.code, problem.params))


def _from_import(problem: SourcedProblem) -> Problem:
    """An import's problem as a path of the document (its key, or the reference's)."""
    if problem.where:
        return Problem(tuple(problem.where.split(".")), problem.code, problem.params)
    if problem.code == "import.other_vendor":
        return Problem(("contract", "reference"), problem.code, problem.params)
    return Problem((), problem.code, problem.params)


def _version_notice(
    session: Session, contract: Contract | None, effective: str
) -> tuple[int, bool, date | str] | None:
    """For a contract being edited: the number its next version would have, whether the
    latest is in force today, and the date the form gives (as typed when it is no date)."""
    if contract is None:
        return None
    try:
        latest = service.latest_version(session, contract)
    except NotFound:
        return None
    today = utcnow().astimezone(app_zone()).date()
    try:
        in_force = service.version_in_force(session, contract, today) is not None
    except DomainError:
        in_force = False
    try:
        when: date | str = date.fromisoformat(effective)
    except ValueError:
        when = effective
    return latest.number + 1, in_force, when


def _render(
    form: Form,
    contract: Contract | None,
    *,
    problems: Sequence[Problem] = (),
    own: dict[str, list[str]] | None = None,
    top: Sequence[str] = (),
    status: int = 200,
) -> ResponseReturnValue:
    session = db_session()
    vendor = _vendor_of(session, form)
    rows = _calendar_rows(session, vendor)
    by_field, elsewhere = place_problems(problems, form)
    errors: dict[str, list[str]] = {
        name: [_at_field(problem) for problem in found] for name, found in by_field.items()
    }
    for name, messages in (own or {}).items():
        errors.setdefault(name, []).extend(messages)
    chosen = [row for row in rows if row.key in form.getlist("calendars")]
    vendors = service.list_vendors(session)
    return render_template(
        "contracts/form.html",
        contract=contract,
        values=form,
        errors=errors,
        top=[*top, *(_on_top(problem) for problem in elsewhere)],
        vendors=vendors,
        vendor=vendor,
        calendar_rows=rows,
        chosen_calendars=chosen,
        notice=_version_notice(session, contract, form.get("sla.effective_from", "")),
        preview=preview(
            form_to_document(form, vendor=_vendor_table(vendor), calendars=_calendar_tables(rows)),
            form.get("preview_at", ""),
            utcnow(),
        ),
        csrf_form=EmptyForm(),
        problem_words=_on_top,
        fill=filled,
        rows=lambda prefix: row_indexes(form, prefix),
        targets_of=targets_of,
        target_keys=lambda level: target_keys(form, level),
        vendor_options=[(str(found.id), found.name) for found in vendors],
        calendar_options=[(row.key, f"{row.name or row.key} ({row.key})") for row in chosen],
        kind_options=[(kind, TARGET_KIND.get(kind, kind)) for kind in KINDS],
        unit_options=[(unit, UNIT_LABELS[unit]) for unit in UNITS],
        renewal_options=[(renewal, RENEWAL[renewal]) for renewal in RENEWALS],
        period_options=[(period, PERIOD[period]) for period in PERIODS],
        target_choices=target_choices(form),
        clause_kind_options=[(kind, CLAUSE_KIND_LABELS[kind]) for kind in CLAUSE_KINDS],
        lateness_unit_options=[(unit, LATENESS_UNIT_LABELS[unit]) for unit in LATENESS_UNITS],
        step_options=[(step, STEP_LABELS[step]) for step in STEPS],
        cap_scope_options=[(scope, CAP_SCOPE_LABELS[scope]) for scope in CAP_SCOPES],
        WAITING=WAITING,
    ), status


def _reference_problems(
    session: Session, form: Form, contract: Contract | None
) -> dict[str, list[str]]:
    """A new contract takes a reference no contract has; an edited one keeps its own."""
    reference = (form.get("contract.reference") or "").strip()
    if contract is not None:
        if reference and reference != contract.reference:
            message = _(
                "An amendment keeps the contract's reference (%(ref)s).", ref=contract.reference
            )
            return {"contract.reference": [str(message)]}
        return {}
    if reference and session.exec(select(Contract).where(Contract.reference == reference)).first():
        message = _("A contract with the reference %(ref)s already exists.", ref=reference)
        return {"contract.reference": [str(message)]}
    return {}


def _saved(outcome: service.ImportOutcome) -> None:
    if outcome.action == "unchanged":
        flash(_("Contract %(ref)s: nothing changed.", ref=outcome.reference), "info")
    elif outcome.action == "created":
        flash(
            _(
                "Contract %(ref)s created (version %(n)d).",
                ref=outcome.reference,
                n=outcome.version,
            ),
            "info",
        )
    else:
        flash(
            _("Contract %(ref)s saved: version %(n)d.", ref=outcome.reference, n=outcome.version),
            "info",
        )


def _save(form: Form, contract: Contract | None) -> ResponseReturnValue:
    """Validate the form as a document and import it; 400 with every problem, nothing
    written, when anything is wrong."""
    session = db_session()
    vendor = _vendor_of(session, form)
    own = _reference_problems(session, form, contract)
    try:
        data = _document(session, form)
        if contract is not None:
            data = keeping_unchanged(data, service.latest_version(session, contract).document)
        document, problems = parse_document(data)
        if vendor is None:
            own["vendor"] = [str(_("Choose the vendor."))]
            problems = [problem for problem in problems if problem.path[:1] != ("vendor",)]
        if document is None or own:
            return _render(form, contract, problems=problems, own=own, status=400)
        source = f"{document.contract.reference}.toml"
        outcomes = service.import_documents(
            session, [(source, document)], now=utcnow(), actor=request_actor()
        )
    except DocumentError as error:
        session.rollback()
        found = [_from_import(problem) for problem in error.problems]
        return _render(form, contract, problems=found, status=400)
    for outcome in outcomes:
        _saved(outcome)
    saved = session.exec(
        select(Contract).where(Contract.reference == document.contract.reference)
    ).one()
    return redirect(url_for("contracts.show", contract_id=saved.id))


def _page(contract: Contract | None) -> ResponseReturnValue:
    session = db_session()
    if request.method == "GET":
        if contract is not None:
            try:
                latest = service.latest_version(session, contract)
            except NotFound:
                abort(404)
            form = document_to_form(latest.document, vendor_id=contract.vendor_id)
        else:
            form = blank_form(request.args.get("vendor_id", type=int))
            form = _with_calendars(form, _calendar_rows(session, _vendor_of(session, form)))
        return _render(form, contract)
    form = _posted()
    if contract is not None:
        form["vendor"] = str(contract.vendor_id)
    if not EmptyForm().validate_on_submit():
        return _render(form, contract, top=[_("The form expired: send it again.")], status=400)
    action = request.form.get("action", "save")
    moved = apply_action(form, action)
    if moved is not None:
        return _render(moved, contract)
    if action == "vendor":
        return _render(
            _with_calendars(form, _calendar_rows(session, _vendor_of(session, form))), contract
        )
    if action == "save":
        return _save(form, contract)
    return _render(form, contract)


@bp.route("/contracts/new", methods=["GET", "POST"])
@requires_role(Role.admin)
def new() -> ResponseReturnValue:
    """A new contract through the form."""
    return _page(None)


@bp.route("/contracts/<int:contract_id>/edit", methods=["GET", "POST"])
@requires_role(Role.admin)
def edit(contract_id: int) -> ResponseReturnValue:
    """A contract's latest version in the form; saving a changed SLA makes a new version."""
    try:
        contract = service.get_contract(db_session(), contract_id)
    except NotFound:
        abort(404)
    return _page(contract)


@bp.route("/contracts/form/preview", methods=["POST"])
@requires_role(Role.admin)
def preview_fragment() -> ResponseReturnValue:
    """The preview of the posted form's deadlines, as the HTML the page shows beside it."""
    session = db_session()
    form = _posted()
    return render_template(
        "contracts/_form_preview.html",
        preview=preview(_document(session, form), form.get("preview_at", ""), utcnow()),
        problem_words=_on_top,
    )
