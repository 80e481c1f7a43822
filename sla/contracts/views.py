"""Vendor and contract pages: SLA tables, dates and notice (the incidents and compliance of a
contract are sections its domains add to the page); TOML import, export and amendment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlmodel import Session, col, select

from calendars.models import VendorCalendar
from calendars.signals import owner_names
from sla.audit.actor import request_actor
from sla.contracts import service
from sla.contracts.document import DocumentError, SourcedProblem, read_contract_text
from sla.contracts.models import Contract, ContractVersion, Vendor
from sla.contracts.signals import contract_page
from sla.db import utcnow
from sla.engine.terms import Duration, SeverityTerms, SlaTerms
from sla.errors import NotFound, reader_words
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.downloads import attachment
from sla.web.forms import EmptyForm
from sla.web.roles import Role
from sla.web.sections import sections_from
from sla.web.settings import app_zone

bp = Blueprint("contracts", __name__)


@owner_names.connect
def _vendor_names(session: Session, *, owner_ids: Sequence[int]) -> dict[int, str]:
    """Calendar pages name a calendar's owner: here, its vendor."""
    found = session.exec(select(Vendor).where(col(Vendor.id).in_(owner_ids)))
    return {vendor.id: vendor.name for vendor in found if vendor.id is not None}


@bp.route("/vendors/")
@requires_role(Role.viewer)
def vendors() -> ResponseReturnValue:
    session = db_session()
    found = service.list_vendors(session)
    by_vendor = {v.id: service.list_contracts(session, vendor_id=v.id) for v in found}
    return render_template(
        "contracts/vendors.html", vendors=found, contracts=by_vendor, form=EmptyForm()
    )


@bp.route("/vendors/<int:vendor_id>")
@requires_role(Role.viewer)
def vendor(vendor_id: int) -> ResponseReturnValue:
    session = db_session()
    found = session.get(Vendor, vendor_id)
    if found is None:
        abort(404)
    calendars = session.exec(
        select(VendorCalendar)
        .where(VendorCalendar.vendor_id == vendor_id)
        .order_by(VendorCalendar.key)
    ).all()
    return render_template(
        "contracts/vendor.html",
        vendor=found,
        calendars=calendars,
        contracts=service.list_contracts(session, vendor_id=vendor_id),
    )


def _contract(contract_id: int) -> Contract:
    """The contract of the URL, or 404."""
    try:
        return service.get_contract(db_session(), contract_id)
    except NotFound:
        abort(404)


class ChangeKind(StrEnum):
    severity_added = "severity_added"
    severity_removed = "severity_removed"
    target_added = "target_added"
    target_removed = "target_removed"
    delay_changed = "delay_changed"
    terms_changed = "terms_changed"  # the same delay, counted otherwise (see ASPECTS)
    exclusions_changed = "exclusions_changed"


# What else than its delay makes a target count otherwise, by the attribute that holds it.
ASPECTS = ("kind", "origin", "calendar", "pauses")


@dataclass(frozen=True)
class TermsChange:
    """One difference between two versions' service levels. `severity` and `target` are
    labels (the new version's, or the old one's for what it removes); `before` and `after`
    are the delays; `targets` are an added severity's targets and their delays."""

    kind: ChangeKind
    severity: str
    target: str = ""
    before: Duration | None = None
    after: Duration | None = None
    targets: tuple[tuple[str, Duration], ...] = ()
    aspects: tuple[str, ...] = ()  # terms_changed: which of ASPECTS differ


def _targets_of(severity: SeverityTerms) -> tuple[tuple[str, Duration], ...]:
    return tuple((target.label, target.duration) for target in severity.targets)


def terms_changes(before: SlaTerms, after: SlaTerms) -> list[TermsChange]:
    """What `after` changes in `before`'s service levels: severities and targets added or
    removed (by key), targets whose delay differs (unit, amount or end of day) or that count
    otherwise (kind, start, calendar, waiting states that pause it), and the exclusion
    clauses. In the new version's order, then what it removes in the old one's."""
    old = {severity.key: severity for severity in before.severities}
    new_keys = {severity.key for severity in after.severities}
    changes: list[TermsChange] = []
    for severity in after.severities:
        previous = old.get(severity.key)
        if previous is None:
            changes.append(
                TermsChange(
                    ChangeKind.severity_added, severity.label, targets=_targets_of(severity)
                )
            )
            continue
        old_targets = {target.key: target for target in previous.targets}
        for target in severity.targets:
            was = old_targets.get(target.key)
            if was is None:
                changes.append(
                    TermsChange(
                        ChangeKind.target_added, severity.label, target.label, after=target.duration
                    )
                )
            else:
                if was.duration != target.duration:
                    changes.append(
                        TermsChange(
                            ChangeKind.delay_changed,
                            severity.label,
                            target.label,
                            before=was.duration,
                            after=target.duration,
                        )
                    )
                aspects = tuple(a for a in ASPECTS if getattr(was, a) != getattr(target, a))
                if aspects:
                    changes.append(
                        TermsChange(
                            ChangeKind.terms_changed, severity.label, target.label, aspects=aspects
                        )
                    )
        kept = {target.key for target in severity.targets}
        changes += [
            TermsChange(
                ChangeKind.target_removed, severity.label, target.label, before=target.duration
            )
            for target in previous.targets
            if target.key not in kept
        ]
    changes += [
        TermsChange(ChangeKind.severity_removed, severity.label, targets=_targets_of(severity))
        for severity in before.severities
        if severity.key not in new_keys
    ]
    if before.exclusions != after.exclusions:
        changes.append(TermsChange(ChangeKind.exclusions_changed, ""))
    return changes


@dataclass(frozen=True)
class ScheduledVersion:
    """A version to come: when it takes effect and what it changes in the one before it."""

    version: ContractVersion
    changes: list[TermsChange]


def _in_effect_order(versions: Sequence[ContractVersion]) -> list[ContractVersion]:
    return sorted(versions, key=lambda v: (v.effective_from, v.number))


def scheduled_versions(
    versions: Sequence[ContractVersion], current: ContractVersion, today: date
) -> list[ScheduledVersion]:
    """The versions that take effect after `today` (the one presented excepted), each with
    its changes from the version in effect before it."""
    ordered = _in_effect_order(versions)
    found: list[ScheduledVersion] = []
    for before, version in pairwise(ordered):
        if version.effective_from > today and version.id != current.id:
            changes = terms_changes(service.terms_of(before), service.terms_of(version))
            found.append(ScheduledVersion(version, changes))
    return found


def version_states(
    versions: Sequence[ContractVersion], current: ContractVersion, today: date
) -> dict[int, str]:
    """Each version's state on `today`, by number: current, scheduled or superseded."""
    states: dict[int, str] = {}
    for version in versions:
        if version.id == current.id:
            states[version.number] = "current"
        elif version.effective_from > today:
            states[version.number] = "scheduled"
        else:
            states[version.number] = "superseded"
    return states


@bp.route("/contracts/<int:contract_id>")
@requires_role(Role.viewer)
def show(contract_id: int) -> ResponseReturnValue:
    session = db_session()
    contract = _contract(contract_id)
    vendor = session.get(Vendor, contract.vendor_id)
    versions = session.exec(
        select(ContractVersion)
        .where(ContractVersion.contract_id == contract_id)
        .order_by(col(ContractVersion.number).desc())
    ).all()
    now = utcnow()
    today = now.astimezone(app_zone()).date()
    try:
        current = service.current_version(session, contract, today)
    except NotFound:
        abort(404)
    terms = service.terms_of(current)
    dates = service.contract_periods(contract, today)
    return render_template(
        "contracts/show.html",
        contract=contract,
        vendor=vendor,
        versions=versions,
        current=current,
        scheduled=scheduled_versions(versions, current, today),
        states=version_states(versions, current, today),
        terms=terms,
        dates=dates,
        today=today,
        sections=sections_from(contract_page, contract, session=session, now=now),
        now=now,
    )


@bp.route("/contracts/<int:contract_id>/export.toml")
@requires_role(Role.viewer)
def export(contract_id: int) -> ResponseReturnValue:
    contract = _contract(contract_id)
    try:
        document = service.export_contract(db_session(), contract)
    except NotFound:
        abort(404)
    return attachment(
        document,
        "application/toml",
        f"{contract.reference}.toml",
    )


def problem_line(problem: SourcedProblem) -> str:
    """A document's problem as the page lists it, in the reader's language: its line and
    key, then what is wrong (`ligne 12 · sla.severities[0].key : …`). The document is the
    page's own, so its name is not repeated."""
    message = problem.worded(reader_words)
    if problem.line and problem.where:
        return str(
            _(
                "line %(line)d · %(where)s: %(message)s",
                line=problem.line,
                where=problem.where,
                message=message,
            )
        )
    if problem.line:
        return str(_("line %(line)d · %(message)s", line=problem.line, message=message))
    if problem.where:
        return str(_("%(where)s: %(message)s", where=problem.where, message=message))
    return message


def _import(text: str, source: str, amended: Contract | None = None) -> list[str] | None:
    """Import one document; the problems (nothing written), worded for the page, or None. An
    amendment keeps the reference of the contract it amends (another reference would create
    another contract)."""
    try:
        document = read_contract_text(text, source)
        if amended is not None and document.contract.reference != amended.reference:
            return [
                _(
                    "The document names the contract %(found)s, not %(ref)s: an amendment keeps "
                    "the contract's reference. To create another contract, use the import page.",
                    found=document.contract.reference,
                    ref=amended.reference,
                )
            ]
        outcomes = service.import_documents(
            db_session(), [(source, document)], now=utcnow(), actor=request_actor()
        )
    except DocumentError as error:
        db_session().rollback()
        return [problem_line(problem) for problem in error.problems]
    for outcome in outcomes:
        flash(
            _(
                "Contract %(ref)s: %(action)s (version %(version)d).",
                ref=outcome.reference,
                action=outcome.action,
                version=outcome.version,
            ),
            "info",
        )
    return None


@bp.route("/contracts/import", methods=["GET", "POST"])
@requires_role(Role.admin)
def import_page() -> ResponseReturnValue:
    """Create a contract from a TOML document (pasted or uploaded)."""
    form = EmptyForm()
    text = request.form.get("document", "")
    problems: list[str] = []
    if form.validate_on_submit():
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                problems = [_("The file is not UTF-8 text.")]
        if not problems:
            found = _import(
                text,
                (upload.filename if upload is not None and upload.filename else "document.toml"),
            )
            if found is None:
                return redirect(url_for("contracts.vendors"))
            problems = found
    elif request.method == "POST":
        problems = [_("The form expired: send it again.")]
    status = 400 if problems else 200
    return render_template(
        "contracts/edit.html", form=form, text=text, problems=problems, contract=None
    ), status


@bp.route("/contracts/<int:contract_id>/amend", methods=["GET", "POST"])
@requires_role(Role.admin)
def amend(contract_id: int) -> ResponseReturnValue:
    """Edit the contract's document; a changed SLA becomes a new version from its date."""
    contract = _contract(contract_id)
    form = EmptyForm()
    try:
        text = request.form.get("document") or service.export_contract(db_session(), contract)
    except NotFound:
        abort(404)
    problems: list[str] = []
    if form.validate_on_submit():
        found = _import(text, f"{contract.reference}.toml", amended=contract)
        if found is None:
            return redirect(url_for("contracts.show", contract_id=contract_id))
        problems = found
    elif request.method == "POST":
        problems = [_("The form expired: send it again.")]
    return render_template(
        "contracts/edit.html", form=form, text=text, problems=problems, contract=contract
    ), 400 if problems else 200
