"""The report's figures, computed from facts loaded beforehand (pure: no I/O, `as_of` given).

Modules, each importing only those listed before it:

- `facts`: what the figures are computed from (the period, contracts, incidents, targets,
  changes, outages, penalties, the twelve months in aggregate);
- `outcomes`: what a stored target amounts to, and the targets decided in a period added up
  (the attribution rule);
- `spreads`: count, median and 90th percentile of times;
- `availability`: availability from the outages recorded;
- `money`: the amounts estimated;
- `trends`: the twelve-month trends;
- `dates`: notice deadlines, renewals and ends ahead;
- `report`: the report's shape;
- `build`: the report built from the facts.

This package exports the names the rest of the application imports.
"""

from __future__ import annotations

from sla.reports.figures.build import build_report
from sla.reports.figures.facts import (
    ChangeFact,
    ContractFact,
    Facts,
    IncidentFact,
    OutageFact,
    PenaltyFact,
    Period,
    TargetFact,
    TrendFacts,
)
from sla.reports.figures.money import MoneyLine
from sla.reports.figures.outcomes import KindFigures
from sla.reports.figures.report import ContractReport, Report, ScopeName, VendorReport
from sla.reports.figures.spreads import percentile
from sla.reports.figures.trends import TrendPoint, trend_months

__all__ = [
    "ChangeFact",
    "ContractFact",
    "ContractReport",
    "Facts",
    "IncidentFact",
    "KindFigures",
    "MoneyLine",
    "OutageFact",
    "PenaltyFact",
    "Period",
    "Report",
    "ScopeName",
    "TargetFact",
    "TrendFacts",
    "TrendPoint",
    "VendorReport",
    "build_report",
    "percentile",
    "trend_months",
]
