"""The illustrative contract's penalty statements in the demo, made through the procedure as its
buyer would have made them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from calendars.engine.searches import add_months
from sla.auth import service as accounts
from sla.auth.models import User
from sla.contracts.models import Contract
from sla.contracts.service import (
    current_version,
    document_of,
)
from sla.db import id_of
from sla.demo.examples import ILLUSTRATIVE_REFERENCE
from sla.engine.penalties import cents
from sla.penalties import procedure, reading
from sla.penalties.compute import contract_zone
from sla.penalties.models import PenaltyStatement
from sla.web.roles import Role

# What the demo's people say in the penalty procedure.
OBSERVATIONS = (
    "Nous contestons le retard du correctif : la Ville a validé la livraison avec deux jours "
    "de décalage. Les autres retards sont reconnus."
)
REDUCED = "Retard en partie dû à une coupure du réseau de la Ville, constatée en comité de suivi."
WAIVED = "Panne due à un logiciel tiers hors du périmètre du titulaire, constatée par la DSI."
APPLIED = "Retard constaté et non contesté par le prestataire."


def _decide_all(
    session: Session, statement_id: int, *, by: int | None, now: datetime
) -> tuple[int, int]:
    """Decide every line: the first line with an amount reduced by half, the second waived,
    the others applied. Returns how many were reduced and waived."""
    reduced = waived = 0
    for line in reading.statement_view(session, statement_id, now=now).lines:
        choice, amount, reason = "applied", None, APPLIED
        if line.amount > 0 and not reduced:
            choice, amount, reason = "reduced", cents(line.amount / 2), REDUCED
            reduced += 1
        elif line.amount > 0 and not waived:
            choice, reason = "waived", WAIVED
            waived += 1
        procedure.decide(
            session,
            statement_id,
            revision=None,
            line_id=line.id or 0,
            decision=choice,
            amount=amount,
            reason=reason,
            by=by,
            now=now,
        )
    return reduced, waived


def make_statements(
    session: Session, *, now: datetime, mailing: procedure.Mailing
) -> Iterator[str]:
    """The illustrative contract's penalty statements of the last three full months, as its
    buyer would have made them: the oldest final (notified two days after its month, the
    vendor silent, its lines decided three days after the answer period, one reduced, one
    waived), the next answered by the vendor (observations recorded), the last a draft. Only
    when the contract has no statement yet."""
    contract = session.exec(
        select(Contract).where(Contract.reference == ILLUSTRATIVE_REFERENCE)
    ).first()
    if (
        contract is None
        or session.exec(
            select(PenaltyStatement.id).where(PenaltyStatement.contract_id == contract.id)
        ).first()
    ):
        return
    zone = ZoneInfo(
        contract_zone(document_of(current_version(session, contract, now.date())).sla, contract)
    )
    agent = accounts.find_user(session, "agent")
    admin = session.exec(
        select(User)
        .where(User.role == Role.admin.value, col(User.active).is_(True))
        .order_by(col(User.id))
    ).first()
    by_agent, by_admin = (agent.id if agent else None), (admin.id if admin else None)

    def local(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), zone).astimezone(UTC)

    today = now.astimezone(zone).date()
    this_month = today.replace(day=1)
    months = [add_months(this_month, -back) for back in (3, 2, 1)]
    made = []
    for index, first in enumerate(months):
        end = add_months(first, 1) - timedelta(days=1)
        if end < contract.start_date:
            continue
        after = end + timedelta(days=2)
        drafted = now if index == 2 else local(after, 9)
        statement = procedure.create_statement(
            session,
            contract_id=id_of(contract),
            period_kind="month",
            first=first,
            last=None,
            by=by_agent,
            now=drafted,
            today=today if index == 2 else after,
        )
        sid = id_of(statement)
        if index < 2:
            procedure.notify(
                session, sid, revision=None, by=by_agent, now=local(after, 10), mailing=mailing
            )
        if index == 1:
            procedure.record_observations(
                session,
                sid,
                revision=None,
                text=OBSERVATIONS,
                received_at=local(end + timedelta(days=9), 11),
                files=[],
                by=by_agent,
                now=local(end + timedelta(days=10), 9),
            )
        if index == 0:
            due = (statement.answer_due_at or now).astimezone(zone).date()
            decided = local(due + timedelta(days=3), 10)
            _decide_all(session, sid, by=by_admin, now=decided)
            procedure.finalise(
                session,
                sid,
                revision=None,
                by=by_admin,
                now=decided + timedelta(minutes=10),
                organisation=mailing.organisation,
                locale=mailing.locale,
            )
        made.append(f"#{sid} {statement.state} ({first:%Y-%m})")
    if made:
        yield f"penalty statements of {contract.reference}: {', '.join(made)}"
