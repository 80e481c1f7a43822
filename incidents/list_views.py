"""The incident list: filters, pages and its CSV."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from flask import (
    Response,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _

from incidents import listing
from incidents.forms import database_int, one_line_message, query_day
from incidents.listing import IncidentFilter
from incidents.severity_labels import SeverityLabels, severity_labels
from incidents.views import bp
from sla.contracts import service as contracts
from sla.contracts.models import Contract, Vendor
from sla.db import utcnow
from sla.safe_text import control_characters
from sla.web.access import requires_role
from sla.web.database import db_session
from sla.web.downloads import attachment, csv_text
from sla.web.labels import CHANNEL, INCIDENT_STATUS
from sla.web.roles import Role
from sla.web.settings import app_zone

PAGE_SIZE = 50


# -- list ------------------------------------------------------------------------------------


def _day_start(day: date, *, next_day: bool = False) -> datetime:
    """Midnight (in the application's zone) of `day`, or of the day after."""
    return datetime.combine(day + timedelta(days=1 if next_day else 0), time(0), tzinfo=app_zone())


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
    first = query_day(args.get("from", ""), errors, "from")
    last = query_day(args.get("to", ""), errors, "to")
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
