"""Incident pages: logging an incident, the incident page and its events (the list is in
`list_views`, corrections in `correction_views`; both add their routes to this blueprint)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
from flask_login import current_user
from markupsafe import Markup
from sqlmodel import Session, col, select
from wtforms import SelectChoice

from incidents import service
from incidents.forms import (
    CorrectionForm,
    EventForm,
    IncidentForm,
    database_int,
)
from incidents.models import Incident
from incidents.penalties import TargetPenalty, target_penalties
from incidents.replay import IncidentView, document_for, view_incident
from incidents.severity_labels import labels_of
from incidents.waiting import running_while_waiting
from sla.auth.models import User
from sla.contracts import service as contracts
from sla.contracts.models import Contract, Vendor
from sla.contracts.signals import contract_page
from sla.db import utcnow
from sla.engine.explain import DeadlineExplanation, explain_targets
from sla.engine.lifecycle import EventKind, IncidentState
from sla.engine.terms import SlaTerms
from sla.errors import DomainError
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.labels import EVENT_KIND
from sla.web.roles import Role
from sla.web.sections import Section
from sla.web.settings import alert_settings, app_timezone, app_zone, at_risk_ratio, form_instant

bp = Blueprint("incidents", __name__, url_prefix="/incidents")
RECENT_ON_CONTRACT_PAGE = 20


@contract_page.connect
def _latest_incidents(contract: Contract, *, session: Session, now: datetime) -> Section:
    """The contract page's section: its latest incidents."""
    recent = session.exec(
        select(Incident)
        .where(Incident.contract_id == contract.id)
        .order_by(col(Incident.reported_at).desc())
        .limit(RECENT_ON_CONTRACT_PAGE)
    ).all()
    html = render_template("incidents/_contract_incidents.html", contract=contract, recent=recent)
    return Section(20, Markup(html))  # noqa: S704 (rendered by an autoescaping template)


def _local_now() -> datetime:
    return utcnow().astimezone(app_zone()).replace(tzinfo=None, second=0, microsecond=0)


# -- logging an incident ---------------------------------------------------------------------


def _contract_choices() -> list[tuple[Vendor, list[Contract]]]:
    session = db_session()
    return [
        (v, contracts.list_contracts(session, vendor_id=v.id))
        for v in contracts.list_vendors(session)
    ]


def _prepare(form: IncidentForm, contract: Contract) -> Any:
    terms = contracts.terms_of(contracts.version_in_force(db_session(), contract, utcnow().date()))
    form.service.choices = [SelectChoice("", "—")] + [SelectChoice(s, s) for s in contract.services]
    form.severity.choices = [SelectChoice(s.key, s.label) for s in terms.severities]
    return terms


@bp.route("/new", methods=["GET", "POST"])
@requires_role(Role.agent)
def new() -> ResponseReturnValue:
    session = db_session()
    raw_id = request.values.get("contract_id", "")
    contract_id = database_int(raw_id)
    contract = None if contract_id is None else session.get(Contract, contract_id)
    if contract is None:
        # No contract chosen yet, or one that does not exist: choose it (again).
        error = _("Unknown contract.") if raw_id else None
        return render_template(
            "incidents/choose_contract.html", choices=_contract_choices(), error=error
        ), (400 if raw_id else 200)
    form = IncidentForm(contract_id=str(contract.id))
    terms = _prepare(form, contract)
    if request.method == "GET":
        form.reported_at.data = _local_now()
        form.channel.data = "phone"
    status = 200
    if form.validate_on_submit():
        try:
            created = service.report_incident(
                session,
                contract_id=contract.id or 0,
                severity=form.severity.data or "",
                title=form.title.data or "",
                description=form.description.data or "",
                service=form.service.data or "",
                channel=form.channel.data or "phone",
                vendor_ticket_ref=form.vendor_ticket_ref.data or "",
                reported_at=form_instant(form.reported_at.data) or utcnow(),
                now=utcnow(),
                user_id=current_user.user.id,
                alert_settings=alert_settings(),
            ).incident
        except DomainError as error:
            field = getattr(form, error.field or "title", form.title)
            field.errors = [*field.errors, error.message]
            status = 400
        else:
            flash(_("Incident #%(id)d logged. Its deadlines are below.", id=created.id), "info")
            return redirect(url_for("incidents.show", incident_id=created.id))
    elif request.method == "POST":
        status = 400
    vendor = session.get(Vendor, contract.vendor_id)
    return render_template(
        "incidents/new.html", form=form, contract=contract, vendor=vendor, terms=terms
    ), status


# -- the incident page -----------------------------------------------------------------------


def next_kinds(state: IncidentState) -> list[EventKind]:
    """The events that make sense now (the engine still checks every one)."""
    if state.is_closed:
        return [EventKind.reopened, EventKind.comment]
    if state.resolved_at is not None:
        return [EventKind.closed, EventKind.reopened, EventKind.comment]
    kinds: list[EventKind] = []
    if state.acknowledged_at is None:
        kinds.append(EventKind.acknowledged)
    if state.intervention_at is None:
        kinds.append(EventKind.intervention_started)
    if state.is_paused:
        kinds.append(EventKind.resumed)
    else:
        kinds += [EventKind.waiting_customer, EventKind.waiting_third_party]
    if state.restored_at is None:
        kinds.append(EventKind.workaround)
    kinds += [
        EventKind.resolved,
        EventKind.closed,
        EventKind.requalified,
        EventKind.exclusion_invoked,
        EventKind.comment,
    ]
    return kinds


def _event_form(view: IncidentView, form: EventForm | None = None) -> EventForm:
    form = form or EventForm(revision=str(view.incident.revision))
    form.kind.choices = [SelectChoice(k.value, EVENT_KIND[k.value]) for k in next_kinds(view.state)]
    form.severity.choices = [SelectChoice("", "—")] + [
        SelectChoice(s.key, s.label) for s in view.terms.severities if s.key != view.state.severity
    ]
    labels = _target_labels(view.terms, view.state.severity)
    form.exclusion.choices = [SelectChoice("", "—")] + [
        SelectChoice(
            e.key,
            _(
                "%(text)s (covers: %(targets)s)",
                text=e.text,
                targets=", ".join(labels.get(key, key) for key in e.targets),
            )
            if e.targets
            else e.text,
        )
        for e in view.terms.exclusions
    ]
    form.target.choices = [SelectChoice("", _("all targets"))] + [
        SelectChoice(t.key, t.label) for t in view.targets
    ]
    return form


def _explanations(view: IncidentView, now: datetime) -> dict[str, DeadlineExplanation]:
    """Why each target's deadline falls where it does, by target key, at the instant the
    view was computed (a wait still open ends there, as in the targets' rows)."""
    explained = explain_targets(view.terms, view.state, now, at_risk_ratio=at_risk_ratio())
    return {e.terms.key: e for e in explained}


def _penalties(incident: Incident, view: IncidentView, now: datetime) -> list[TargetPenalty]:
    """What the breached targets would cost under the clauses of the incident's version."""
    if view.terms.penalties is None:
        return []
    yearly = document_for(db_session(), incident).contract.yearly_amount_ht
    return target_penalties(
        incident.id or 0, view.state.severity, view.targets, view.terms, yearly, now=now
    )


def render_incident(
    incident: Incident,
    form: EventForm | None = None,
    status: int = 200,
    correction: CorrectionForm | None = None,
) -> ResponseReturnValue:
    session = db_session()
    now = utcnow()
    view = view_incident(session, incident, now=now, at_risk_ratio=at_risk_ratio())
    users = {u.id: u for u in session.exec(select(User))}
    contract = session.get(Contract, incident.contract_id)
    vendor = session.get(Vendor, incident.vendor_id)
    cancelled = {e.cancels_id for e in view.events if e.cancels_id}
    return render_template(
        "incidents/show.html",
        view=view,
        incident=incident,
        contract=contract,
        vendor=vendor,
        users=users,
        cancelled=cancelled,
        severity_labels=labels_of(view.terms),
        target_labels=_target_labels(view.terms, view.state.severity),
        exclusion_texts={e.key: e.text for e in view.terms.exclusions},
        running_while_waiting=running_while_waiting(view),
        explanations=_explanations(view, now),
        penalties=_penalties(incident, view, now),
        form=_event_form(view, form),
        correction=correction_form(incident, contract, correction),
        quick=[k for k in next_kinds(view.state) if k in QUICK],
        zone=app_timezone(),
    ), status


def correction_form(
    incident: Incident, contract: Contract | None, form: CorrectionForm | None = None
) -> CorrectionForm:
    """The correction form, filled with the incident's details unless it comes back refused."""
    if form is None:
        form = CorrectionForm(
            revision=str(incident.revision),
            title=incident.title,
            service=incident.service,
            channel=incident.channel,
            vendor_ticket_ref=incident.vendor_ticket_ref,
            description=incident.description,
        )
    services = contract.services if contract is not None else []
    form.service.choices = [SelectChoice("", "—")] + [SelectChoice(s, s) for s in services]
    return form


def _target_labels(terms: SlaTerms, severity: str) -> dict[str, str]:
    """Target labels by key: the current severity's, then those of the others (an exclusion
    invoked before a requalification names a target of the severity of the time)."""
    labels: dict[str, str] = {}
    for level in sorted(terms.severities, key=lambda s: s.key != severity):
        for target in level.targets:
            labels.setdefault(target.key, target.label)
    return labels


QUICK = {
    EventKind.acknowledged,
    EventKind.intervention_started,
    EventKind.waiting_customer,
    EventKind.resumed,
    EventKind.workaround,
    EventKind.resolved,
    EventKind.closed,
}


@bp.route("/<int:incident_id>")
@requires_role(Role.viewer)
def show(incident_id: int) -> ResponseReturnValue:
    incident = db_session().get(Incident, incident_id)
    if incident is None:
        abort(404)
    return render_incident(incident)


@bp.route("/<int:incident_id>/deadlines")
@requires_role(Role.viewer)
def deadlines(incident_id: int) -> ResponseReturnValue:
    """How each deadline of the incident was computed, on a page made to be printed (for a
    vendor that disputes a breach)."""
    session = db_session()
    incident = session.get(Incident, incident_id)
    if incident is None:
        abort(404)
    now = utcnow()
    view = view_incident(session, incident, now=now, at_risk_ratio=at_risk_ratio())
    return render_template(
        "incidents/deadlines.html",
        incident=incident,
        view=view,
        contract=session.get(Contract, incident.contract_id),
        vendor=session.get(Vendor, incident.vendor_id),
        explanations=list(_explanations(view, now).values()),
        target_labels=_target_labels(view.terms, view.state.severity),
        severity_labels=labels_of(view.terms),
        printed_at=now,
        zone=app_timezone(),
    )


@bp.route("/<int:incident_id>/events", methods=["POST"])
@requires_role(Role.agent)
def record(incident_id: int) -> ResponseReturnValue:
    session = db_session()
    incident = session.get(Incident, incident_id)
    if incident is None:
        abort(404)
    # The choices are the page's; the service checks the event against the whole history.
    form = EventForm()
    if not form.validate_on_submit():
        return render_incident(incident, form, 400)
    try:
        kind = EventKind(form.kind.data)
    except ValueError:
        form.kind.errors = [_("Unknown event.")]
        return render_incident(incident, form, 400)
    try:
        service.record_event(
            session,
            incident,
            kind=kind,
            occurred_at=form_instant(form.occurred_at.data) or utcnow(),
            now=utcnow(),
            user_id=current_user.user.id,
            expected_revision=database_int(form.revision.data or "") or 0,
            severity=form.severity.data or None,
            exclusion=form.exclusion.data or None,
            target=form.target.data or None,
            cancels=database_int(form.cancels.data or ""),
            text=form.text.data or "",
            alert_settings=alert_settings(),
        )
    except service.Conflict:
        flash(
            _(
                "Someone else updated this incident meanwhile: here it is as it stands now. "
                "Your event was not recorded."
            ),
            "error",
        )
        return redirect(url_for("incidents.show", incident_id=incident_id))
    except DomainError as error:
        field = {
            "kind": form.kind,
            "occurred_at": form.occurred_at,
            "cancels": form.text,
            "text": form.text,
            "target": form.target,
            "severity": form.severity,
        }.get(error.field or "kind", form.kind)
        field.errors = [*field.errors, error.message]
        session.rollback()
        return render_incident(session.get(Incident, incident_id) or incident, form, 400)
    flash(_("%(event)s recorded.", event=EVENT_KIND[kind.value]), "info")
    return redirect(url_for("incidents.show", incident_id=incident_id))
