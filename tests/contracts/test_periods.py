"""Renewal and notice dates of the seed contracts."""

from __future__ import annotations

from datetime import date

from sla.contracts.periods import add_months, periods


def test_libriciel_tacit_renewal_and_two_months_notice() -> None:
    # From 2024-09-01, one year, renewed tacitly 3 times, notice two months before the anniversary.
    result = periods(
        start=date(2024, 9, 1),
        initial_months=12,
        renewal="tacit",
        max_renewals=3,
        notice_months=2,
        notice_days=0,
        end=date(2027, 8, 31),
        today=date(2026, 11, 23),
    )
    assert (result.period_start, result.period_end) == (date(2026, 9, 1), date(2027, 8, 31))
    assert result.final_end == date(2027, 8, 31)
    assert not result.renews  # the last period: nothing to cancel any more
    earlier = periods(
        start=date(2024, 9, 1),
        initial_months=12,
        renewal="tacit",
        max_renewals=3,
        notice_months=2,
        notice_days=0,
        end=None,
        today=date(2025, 3, 1),
    )
    assert earlier.period_end == date(2025, 8, 31)
    assert earlier.notice_deadline == date(2025, 6, 30)  # two months before 1 September


def test_unbounded_tacit_renewal_and_ended_contract() -> None:
    smica = periods(
        start=date(2024, 2, 23),
        initial_months=12,
        renewal="tacit",
        max_renewals=None,
        notice_months=2,
        notice_days=0,
        end=None,
        today=date(2026, 11, 23),
    )
    assert smica.period_end == date(2027, 2, 22) and smica.renews and smica.final_end is None
    assert smica.notice_deadline == date(2026, 12, 22)
    over = periods(
        start=date(2023, 10, 1),
        initial_months=12,
        renewal="tacit",
        max_renewals=3,
        notice_months=2,
        notice_days=0,
        end=None,
        today=date(2027, 10, 1),
    )
    assert over.period_start is None and over.final_end == date(2027, 9, 30)


def test_add_months_clamps_to_the_end_of_month() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
