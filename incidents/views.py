"""Incident pages: list with filters and CSV, logging, the incident page and its events."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlmodel import Session, col, select
from wtforms import SelectChoice

from incidents import listing, service
from incidents.forms import (
    FIRST_YEAR,
    LAST_YEAR,
    CorrectionForm,
    EventForm,
    IncidentForm,
    database_int,
    date_range_message,
    one_line_message,
)
from incidents.listing import IncidentFilter
from incidents.models import Incident
from incidents.replay import IncidentView, view_incident
from sla.auth.models import User
from sla.contracts import service as contracts
from sla.contracts.models import Contract, ContractVersion, Vendor
from sla.contracts.signals import contract_page
from sla.db import utcnow
from sla.engine.lifecycle import EventKind, IncidentState
from sla.engine.target_states import TargetStatus
from sla.engine.terms import SlaTerms
from sla.errors import DomainError
from sla.safe_text import control_characters
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.downloads import attachment, csv_text
from sla.web.labels import CHANNEL, EVENT_KIND, INCIDENT_STATUS
from sla.web.roles import Role
from sla.web.sections import Section
from sla.web.settings import alert_settings, app_timezone, app_zone, at_risk_ratio, form_instant

bp = Blueprint("incidents", __name__, url_prefix="/incidents")
PAGE_SIZE = 50
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


# -- list ------------------------------------------------------------------------------------


def _day_start(day: date, *, next_day: bool = False) -> datetime:
    """Midnight (in the application's zone) of `day`, or of the day after."""
    return datetime.combine(day + timedelta(days=1 if next_day else 0), time(0), tzinfo=app_zone())


def _day(text: str, errors: dict[str, object], key: str) -> date | None:
    """A `YYYY-MM-DD` of the query string within the years people mean (else an error)."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[key] = _("Expected a date such as 2026-10-01.")
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors[key] = date_range_message()
        return None
    return day


def _known(text: str, known: set[int], errors: dict[str, object], key: str) -> int | None:
    """The id of a vendor or contract the list offers (else an error)."""
    if not text:
        return None
    found = database_int(text)
    if found is None or found not in known:
        errors[key] = _("Unknown vendor.") if key == "vendor_id" else _("Unknown contract.")
        return None
    return found


def _text(text: str, errors: dict[str, object], key: str) -> str:
    if control_characters(text):
        errors[key] = one_line_message()
        return ""
    return text


def _wanted(
    args: dict[str, str], vendors: set[int], contract_ids: set[int], errors: dict[str, object]
) -> IncidentFilter:
    """The list's filters from its query string (a value it cannot read is ignored and
    reported in `errors`, field → message)."""
    state = args.get("state", "")
    breached = {"yes": True, "no": False}.get(args.get("breached", ""))
    first = _day(args.get("from", ""), errors, "from")
    last = _day(args.get("to", ""), errors, "to")
    return IncidentFilter(
        vendor_id=_known(args.get("vendor_id", ""), vendors, errors, "vendor_id"),
        contract_id=_known(args.get("contract_id", ""), contract_ids, errors, "contract_id"),
        severity=_text(args.get("severity", ""), errors, "severity") or None,
        status=state if state in ("paused", "resolved", "closed") else None,
        open_only=state == "open",
        breached=breached,
        reported_from=None if first is None else _day_start(first),
        reported_before=None if last is None else _day_start(last, next_day=True),
        text=_text(args.get("q", ""), errors, "q"),
    )


def _page_number(text: str, pages: int) -> int:
    """The page asked for, within 1..pages (a page it cannot read is the first)."""
    return min(database_int(text) or 1, pages)


@bp.route("/")
@requires_role(Role.viewer)
def index() -> ResponseReturnValue:
    args = {k: v for k, v in request.args.items() if v and k not in ("page", "format")}
    session = db_session()
    vendors = contracts.list_vendors(session)
    all_contracts = contracts.list_contracts(session)
    errors: dict[str, object] = {}
    wanted = _wanted(
        args,
        {v.id for v in vendors if v.id is not None},
        {c.id for c in all_contracts if c.id is not None},
        errors,
    )
    now = utcnow()
    if request.args.get("format") == "csv" and not errors:
        found = listing.list_incidents(session, wanted, now=now, limit=None)
        return _csv(found, severity_labels(session, [row.incident for row in found]), now)
    total = listing.count_incidents(session, wanted, now=now)
    pages = max(1, -(-total // PAGE_SIZE))
    page = _page_number(request.args.get("page", ""), pages)
    rows = listing.list_incidents(
        session, wanted, now=now, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    return render_template(
        "incidents/index.html",
        rows=rows,
        severity_label=severity_labels(session, [row.incident for row in rows]),
        total=total,
        page=page,
        pages=pages,
        args=args,
        errors=errors,
        vendors=vendors,
        contracts=all_contracts,
        severity_groups=_severity_groups(all_contracts, vendors, args),
        now=now,
    ), (400 if errors else 200)


class SeverityLabels:
    """The severity labels of incidents, by the contract version each was reported under (the
    key itself when a version does not know it)."""

    def __init__(self, by_version: dict[int, dict[str, str]]) -> None:
        self.by_version = by_version

    def __call__(self, incident: Incident) -> str:
        """The label of the incident's current severity."""
        key = incident.current_severity
        return self.by_version.get(incident.contract_version_id, {}).get(key, key)


def severity_labels(session: Session, incidents: list[Incident]) -> SeverityLabels:
    """The labels of these incidents' severities, each distinct contract version read once."""
    by_version: dict[int, dict[str, str]] = {}
    for version_id in {i.contract_version_id for i in incidents}:
        version = session.get(ContractVersion, version_id)
        by_version[version_id] = {} if version is None else _labels(contracts.terms_of(version))
    return SeverityLabels(by_version)


def _labels(terms: SlaTerms) -> dict[str, str]:
    return {s.key: s.label for s in terms.severities}


class SeverityOption(NamedTuple):
    key: str
    label: str
    selected: bool


def _severity_groups(
    all_contracts: list[Contract], vendors: list[Vendor], args: dict[str, str]
) -> list[tuple[str, list[SeverityOption]]]:
    """The severity filter's choices: per contract (its vendor and reference), the severities
    of its latest version in the contract's order, labelled; the value stays the key. The key
    asked for shows selected under the contract filtered on, else under its first contract."""
    session = db_session()
    names = {v.id: v.name for v in vendors}
    groups = [
        (
            str(contract.id),
            f"{names.get(contract.vendor_id, '')} — {contract.reference}",
            contracts.terms_of(contracts.latest_version(session, contract)).severities,
        )
        for contract in all_contracts
    ]
    wanted = args.get("severity", "")
    holders = [cid for cid, _title, levels in groups if any(s.key == wanted for s in levels)]
    chosen = args.get("contract_id", "")
    holder = chosen if chosen in holders else next(iter(holders), None)
    return [
        (title, [SeverityOption(s.key, s.label, cid == holder and s.key == wanted) for s in levels])
        for cid, title, levels in groups
    ]


CSV_COLUMNS = (
    "id",
    "prestataire",
    "contrat",
    "gravité",
    "titre",
    "service",
    "heure H",
    "état",
    "prochaine échéance",
    "échéance manquée",
    "ticket prestataire",
    "canal",
)


def _csv(rows: list[listing.ListedIncident], labels: SeverityLabels, now: datetime) -> Response:
    """The list as CSV, in French whatever the reader's language (like the reports): the
    severity's label, the state and the channel in words."""
    zone = app_zone()

    def local(value: datetime | None) -> datetime | None:
        return None if value is None else value.astimezone(zone)

    with force_locale("fr"):
        states = {key: str(label) for key, label in INCIDENT_STATUS.items()}
        channels = {key: str(label) for key, label in CHANNEL.items()}
    lines = (
        [
            row.incident.id,
            row.vendor,
            row.contract,
            labels(row.incident),
            row.incident.title,
            row.incident.service,
            local(row.incident.reported_at),
            states.get(row.incident.status, row.incident.status),
            local(row.incident.next_deadline_at),
            "oui"
            if row.incident.breach_at is not None and row.incident.breach_at <= now
            else "non",
            row.incident.vendor_ticket_ref,
            channels.get(row.incident.channel, row.incident.channel),
        ]
        for row in rows
    )
    # "text/csv": the download adds its charset.
    return attachment(csv_text(CSV_COLUMNS, lines), "text/csv", "incidents.csv")


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
    form.exclusion.choices = [SelectChoice("", "—")] + [
        SelectChoice(e.key, e.text) for e in view.terms.exclusions
    ]
    form.target.choices = [SelectChoice("", _("all targets"))] + [
        SelectChoice(t.key, t.label) for t in view.targets
    ]
    return form


def render_incident(
    incident: Incident,
    form: EventForm | None = None,
    status: int = 200,
    correction: CorrectionForm | None = None,
) -> ResponseReturnValue:
    session = db_session()
    view = view_incident(session, incident, now=utcnow(), at_risk_ratio=at_risk_ratio())
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
        severity_labels=_labels(view.terms),
        target_labels=_target_labels(view.terms, view.state.severity),
        exclusion_texts={e.key: e.text for e in view.terms.exclusions},
        running_while_waiting=running_while_waiting(view),
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


RUNNING = {TargetStatus.running, TargetStatus.at_risk, TargetStatus.breached}


def running_while_waiting(view: IncidentView) -> set[str]:
    """While the incident waits on the customer or a third party: the keys of the targets
    whose clock runs on all the same (their terms say the wait does not pause them)."""
    if not view.state.is_paused:
        return set()
    try:
        severity = view.terms.severity(view.state.severity)
    except KeyError:
        return set()
    keeps_running = {t.key for t in severity.targets if not t.pauses}
    return {
        t.key
        for t in view.targets
        if t.key in keeps_running and t.milestone_at is None and t.status in RUNNING
    }


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
