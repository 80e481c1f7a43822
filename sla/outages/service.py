"""Outage services: record, end, cancel (never delete, never overwrite). They flush.

Refusals are DomainErrors with a code of `sla.error_codes`, the field and parameters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from incidents.models import Incident
from sla.contracts.service import get_contract
from sla.errors import DomainError, NotFound
from sla.outages.models import Outage


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError("instant.naive", field=field)
    return value


def _check_end(started_at: datetime, ended_at: datetime, now: datetime) -> None:
    _aware(ended_at, "ended_at")
    if ended_at <= started_at:
        raise DomainError(
            "outage.end_before_start", field="ended_at", started_at=started_at, ended_at=ended_at
        )
    if ended_at > now:
        raise DomainError("outage.end_future", field="ended_at", ended_at=ended_at)


def record_outage(
    session: Session,
    *,
    contract_id: int,
    started_at: datetime,
    ended_at: datetime | None,
    service: str,
    cause: str,
    incident_id: int | None,
    user_id: int | None,
    now: datetime,
) -> Outage:
    """Record an outage of a contract's service (DomainError naming the field when refused)."""
    contract = get_contract(session, contract_id)
    _aware(started_at, "started_at")
    if started_at > now:
        raise DomainError("outage.start_future", field="started_at", started_at=started_at)
    if ended_at is not None:
        _check_end(started_at, ended_at, now)
    if service and contract.services and service not in contract.services:
        raise DomainError(
            "service.unknown", field="service", service=service, known=list(contract.services)
        )
    if incident_id is not None:
        incident = session.get(Incident, incident_id)
        if incident is None or incident.contract_id != contract_id:
            raise DomainError(
                "outage.incident_unknown", field="incident_id", incident_id=incident_id
            )
    outage = Outage(
        contract_id=contract_id,
        service=service,
        started_at=started_at,
        ended_at=ended_at,
        cause=cause.strip(),
        incident_id=incident_id,
        recorded_at=now,
        recorded_by_id=user_id,
        ended_by_id=user_id if ended_at is not None else None,
    )
    session.add(outage)
    session.flush()
    return outage


def _get(session: Session, outage_id: int) -> Outage:
    outage = session.get(Outage, outage_id)
    if outage is None:
        raise NotFound("outage.not_found", outage_id=outage_id)
    return outage


def _write_once(
    session: Session, outage: Outage, still: ColumnElement[bool], values: dict[str, Any]
) -> bool:
    """Write `values` only if the row still satisfies `still` (a conditional UPDATE: what
    another session wrote in between is never overwritten). False when it did not."""
    session.flush()
    changed = session.execute(
        update(Outage)
        .where(col(Outage.id) == outage.id, still)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(outage)
        return False
    for name, value in values.items():
        set_committed_value(outage, name, value)
    return True


def end_outage(
    session: Session, outage_id: int, *, ended_at: datetime, user_id: int | None, now: datetime
) -> Outage:
    """Give an ongoing outage its end (once: a recorded end is never overwritten)."""
    outage = _get(session, outage_id)
    if outage.cancelled_at is not None:
        raise DomainError("outage.cancelled", outage_id=outage_id)
    if outage.ended_at is not None:
        raise DomainError("outage.already_ended", field="ended_at", outage_id=outage_id)
    _check_end(outage.started_at, ended_at, now)
    # Guarded: of two agents ending it at once, the second finds it ended (no lost update).
    if not _write_once(
        session,
        outage,
        col(Outage.ended_at).is_(None) & col(Outage.cancelled_at).is_(None),
        {"ended_at": ended_at, "ended_by_id": user_id},
    ):
        raise DomainError("outage.already_ended", field="ended_at", outage_id=outage_id)
    return outage


def cancel_outage(
    session: Session, outage_id: int, *, reason: str, user_id: int | None, now: datetime
) -> Outage:
    """Cancel a mistaken record (kept, struck through, with who, when and why)."""
    outage = _get(session, outage_id)
    if outage.cancelled_at is not None:
        raise DomainError("outage.already_cancelled", outage_id=outage_id)
    if not reason.strip():
        raise DomainError("outage.no_reason", field="reason")
    values = {"cancelled_at": now, "cancelled_by_id": user_id, "cancel_reason": reason.strip()}
    if not _write_once(session, outage, col(Outage.cancelled_at).is_(None), values):
        raise DomainError("outage.already_cancelled", outage_id=outage_id)
    return outage


def list_outages(
    session: Session, *, contract_id: int | None = None, limit: int = 200
) -> list[Outage]:
    """Outages newest first, cancelled ones included (they are struck through)."""
    query = select(Outage)
    if contract_id is not None:
        query = query.where(Outage.contract_id == contract_id)
    return list(
        session.exec(
            query.order_by(col(Outage.started_at).desc(), col(Outage.id).desc()).limit(limit)
        )
    )
