"""Contract periods: the current period, the next renewal and the last day to give notice.

Pure date arithmetic from the contract's start, initial term, renewal rule and notice.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the month's last day (31 January + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Periods:
    period_start: date | None  # the period running on `today` (None: not started or ended)
    period_end: date | None  # its last day
    renews: bool  # whether the running period will renew (tacitly or expressly)
    notice_deadline: date | None  # last day to give notice before the period ends
    final_end: date | None  # the last day the contract can run, when bounded


def periods(
    *,
    start: date,
    initial_months: int,
    renewal: str,
    max_renewals: int | None,
    notice_months: int,
    notice_days: int,
    end: date | None,
    today: date,
) -> Periods:
    """Where the contract stands on `today`."""
    count = 1 + (max_renewals if renewal != "none" and max_renewals is not None else 0)
    if renewal == "none":
        count = 1
    final_end = end
    if renewal == "none" or max_renewals is not None:
        computed = add_months(start, initial_months * count) - timedelta(days=1)
        final_end = min(final_end, computed) if final_end else computed
    if today < start or (final_end is not None and today > final_end):
        return Periods(None, None, False, None, final_end)
    index = 0
    while add_months(start, initial_months * (index + 1)) <= today:
        index += 1
    period_start = add_months(start, initial_months * index)
    period_end = add_months(start, initial_months * (index + 1)) - timedelta(days=1)
    if final_end is not None:
        period_end = min(period_end, final_end)
    renews = renewal != "none" and (final_end is None or period_end < final_end)
    notice = None
    if renews and (notice_months or notice_days):
        # Notice "N months before the end": the last day is N months before the anniversary.
        notice = add_months(period_end + timedelta(days=1), -notice_months) - timedelta(
            days=notice_days + 1
        )
    return Periods(period_start, period_end, renews, notice, final_end)


@dataclass(frozen=True)
class ContractDate:
    what: str  # notice (last day to give notice), renewal, end
    day: date


def dates_of(found: Periods) -> list[ContractDate]:
    """The dates a contract's periods name: the last day to give notice, the renewal (the day
    after the period ends, when it renews) and the final end."""
    dates = [ContractDate("notice", found.notice_deadline)] if found.notice_deadline else []
    if found.renews and found.period_end is not None:
        dates.append(ContractDate("renewal", found.period_end + timedelta(days=1)))
    if found.final_end is not None:
        dates.append(ContractDate("end", found.final_end))
    return dates
