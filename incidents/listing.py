"""The one incident-list query: filters shared by the incident list page, its CSV export and
the API, newest first. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from incidents.models import OPEN_STATUSES, Incident
from incidents.search import search_key
from sla.contracts.models import Contract, Vendor
from sla.db import DATABASE_INT_MAX


@dataclass(frozen=True)
class IncidentFilter:
    """What a list asks for; None or empty means no restriction. `reported_from` is
    inclusive and `reported_before` exclusive (instants)."""

    vendor_id: int | None = None
    contract_id: int | None = None
    severity: str | None = None
    status: str | None = None  # one of `incidents.models.STATUSES`
    open_only: bool = False
    breached: bool | None = None  # breached now, or not breached now
    reported_from: datetime | None = None
    reported_before: datetime | None = None
    text: str = ""


class ListedIncident(NamedTuple):
    """A row of the list: the incident, its vendor's name, its contract's reference."""

    incident: Incident
    vendor: str
    contract: str


def _where(query: Any, wanted: IncidentFilter, now: datetime) -> Any:
    if wanted.vendor_id is not None:
        query = query.where(Incident.vendor_id == wanted.vendor_id)
    if wanted.contract_id is not None:
        query = query.where(Incident.contract_id == wanted.contract_id)
    if wanted.severity:
        query = query.where(Incident.current_severity == wanted.severity)
    if wanted.status:
        query = query.where(Incident.status == wanted.status)
    if wanted.open_only:
        query = query.where(col(Incident.status).in_(OPEN_STATUSES))
    if wanted.breached is True:
        query = query.where(col(Incident.breach_at) <= now)
    elif wanted.breached is False:
        query = query.where(or_(col(Incident.breach_at).is_(None), col(Incident.breach_at) > now))
    if wanted.reported_from is not None:
        query = query.where(col(Incident.reported_at) >= wanted.reported_from)
    if wanted.reported_before is not None:
        query = query.where(col(Incident.reported_at) < wanted.reported_before)
    text = wanted.text.strip()
    if text:
        # Case and accents folded on both sides; `#602` or `602` also finds incident 602.
        found = col(Incident.search_text).contains(search_key(text), autoescape=True)
        number = text.removeprefix("#")
        if number.isascii() and number.isdigit() and int(number) <= DATABASE_INT_MAX:
            found = or_(found, col(Incident.id) == int(number))
        query = query.where(found)
    return query


def count_incidents(session: Session, wanted: IncidentFilter, *, now: datetime) -> int:
    """How many incidents the filter keeps."""
    query = _where(select(func.count()).select_from(Incident), wanted, now)
    total: int = session.exec(query).one()
    return total


def list_incidents(
    session: Session,
    wanted: IncidentFilter,
    *,
    now: datetime,
    limit: int | None = 50,
    offset: int = 0,
) -> list[ListedIncident]:
    """The incidents the filter keeps, newest heure H first, with their vendor's name and
    their contract's reference (`limit=None`: all of them, for exports)."""
    query = _where(
        select(Incident, Vendor.name, Contract.reference)
        .join(Vendor, col(Vendor.id) == Incident.vendor_id)
        .join(Contract, col(Contract.id) == Incident.contract_id),
        wanted,
        now,
    ).order_by(col(Incident.reported_at).desc(), col(Incident.id).desc())
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [ListedIncident(i, vendor, reference) for i, vendor, reference in session.exec(query)]
