"""Builds the report from the facts: the facts grouped by contract, each contract's figures for
the period (with its penalties, when it sets some), the contracts grouped by vendor with their
trend, the dates ahead."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime

from sla.reports.figures.availability import availability
from sla.reports.figures.dates import dates_ahead
from sla.reports.figures.facts import (
    ChangeFact,
    ContractFact,
    Facts,
    IncidentFact,
    OutageFact,
    PenaltyFact,
    Period,
)
from sla.reports.figures.money import money
from sla.reports.figures.outcomes import Decided, decisions_in, outcome
from sla.reports.figures.report import ContractReport, OpenLine, Report, ScopeName, VendorReport
from sla.reports.figures.spreads import spread
from sla.reports.figures.trends import trend


def _by_severity(
    contract: ContractFact, reported: Sequence[IncidentFact]
) -> tuple[tuple[str, int], ...]:
    """Incidents reported per severity label, most severe first (zero counts included)."""
    counts = Counter(i.severity for i in reported)
    return tuple((label, counts.get(key, 0)) for key, label in contract.severities)


def _open_at_end(
    incidents: dict[int, IncidentFact], labels: dict[str, str], period: Period
) -> tuple[OpenLine, ...]:
    """Incidents reported before the period's end and not ended by then, oldest first."""
    return tuple(
        OpenLine(i.id, i.title, labels.get(i.severity, i.severity), i.reported_at)
        for i in sorted(incidents.values(), key=lambda i: i.reported_at)
        if i.reported_at < period.end and (i.ended_at is None or i.ended_at >= period.end)
    )


def _contract_report(
    contract: ContractFact,
    incidents: dict[int, IncidentFact],
    targets: Sequence[Decided],
    changes: Sequence[ChangeFact],
    outages: Sequence[OutageFact],
    period: Period,
    as_of: datetime,
    penalties: PenaltyFact | None = None,
) -> ContractReport:
    labels = dict(contract.severities)
    reported = [i for i in incidents.values() if period.contains(i.reported_at)]
    decisions = decisions_in(period, targets, incidents, labels)
    in_period = sorted((c for c in changes if period.contains(c.at)), key=lambda c: c.at)
    avail, outage_lines = availability(contract, outages, period, as_of)
    return ContractReport(
        contract=contract,
        reported=len(reported),
        by_severity=_by_severity(contract, reported),
        kinds=decisions.kinds(),
        take_charge=spread(decisions.take_charge),
        restoration=spread(decisions.restoration),
        breaches=tuple(sorted(decisions.breaches, key=lambda b: b.deadline)),
        open_at_end=_open_at_end(incidents, labels, period),
        requalifications=tuple(c for c in in_period if c.kind == "requalified"),
        exclusions=tuple(c for c in in_period if c.kind == "exclusion_invoked"),
        availability=avail,
        outages=outage_lines,
        money=money(contract, period, decisions.handled(incidents)),
        penalties=penalties,
    )


def build_report(facts: Facts, period: Period, *, scope: ScopeName, as_of: datetime) -> Report:
    """The whole report: per vendor, per contract, with the vendors' twelve-month trends."""
    incidents_by_contract: dict[int, dict[int, IncidentFact]] = defaultdict(dict)
    for incident in facts.incidents:
        incidents_by_contract[incident.contract_id][incident.id] = incident
    contract_of = {i.id: i.contract_id for i in facts.incidents}
    targets_by_contract: dict[int, list[Decided]] = defaultdict(list)
    for target in facts.targets:
        targets_by_contract[contract_of[target.incident_id]].append(
            (target, outcome(target, as_of))
        )
    changes_by_contract: dict[int, list[ChangeFact]] = defaultdict(list)
    for change in facts.changes:
        changes_by_contract[contract_of[change.incident_id]].append(change)
    outages_by_contract: dict[int, list[OutageFact]] = defaultdict(list)
    for outage in facts.outages:
        outages_by_contract[outage.contract_id].append(outage)
    penalties = {fact.contract_id: fact for fact in facts.penalties}
    by_vendor: dict[int, list[ContractFact]] = defaultdict(list)
    for contract in facts.contracts:
        by_vendor[contract.vendor_id].append(contract)
    vendors = []
    for vendor_id, contracts in by_vendor.items():
        reports = tuple(
            _contract_report(
                contract,
                incidents_by_contract[contract.id],
                targets_by_contract[contract.id],
                changes_by_contract[contract.id],
                outages_by_contract[contract.id],
                period,
                as_of,
                penalties.get(contract.id),
            )
            for contract in sorted(contracts, key=lambda c: c.reference)
        )
        vendors.append(
            VendorReport(
                vendor_id,
                contracts[0].vendor,
                reports,
                trend(contracts, facts.trend),
            )
        )
    vendors.sort(key=lambda v: v.vendor.lower())
    return Report(period, scope, as_of, tuple(vendors), dates_ahead(facts.contracts, period))
