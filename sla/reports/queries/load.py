"""The facts of a report loaded, and the report made from them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from sla.reports.figures import Facts, Period, Report, build_report
from sla.reports.queries.changes import change_facts
from sla.reports.queries.penalties import penalty_facts
from sla.reports.queries.period import (
    incident_facts,
    outage_facts,
    relevant_incidents,
    target_facts,
)
from sla.reports.queries.scope import Scope, contract_facts, scope_name
from sla.reports.queries.trends import trend_facts


def load_facts(session: Session, scope: Scope, period: Period, *, as_of: datetime) -> Facts:
    """Contracts in scope; in detail, the incidents that matter to the period (reported in it,
    still open at its end, with a target decided or a requalification or exclusion in it) and
    their targets; the twelve months in aggregate; requalifications, exclusions, outages; the
    penalties of the contracts that set some (their statement, or computed as of `as_of`)."""
    contracts = contract_facts(session, scope, period)
    contract_ids = [contract.id for contract in contracts]
    # Through the connection: plain rows, without the ORM's per-row work.
    connection = session.connection()
    relevant = relevant_incidents(contract_ids, period)
    incidents = incident_facts(connection, relevant)
    return Facts(
        contracts=contracts,
        incidents=incidents,
        targets=target_facts(connection, relevant),
        trend=trend_facts(connection, contract_ids, period, as_of),
        changes=change_facts(session, contract_ids, period, {i.id for i in incidents}),
        outages=outage_facts(session, contract_ids, period),
        penalties=penalty_facts(session, contract_ids, period, as_of=as_of),
    )


def make_report(session: Session, scope: Scope, period: Period, *, as_of: datetime) -> Report:
    """The report of a scope over a period, as known at `as_of`."""
    return build_report(
        load_facts(session, scope, period, as_of=as_of),
        period,
        scope=scope_name(session, scope),
        as_of=as_of,
    )
