"""The penalty engine on figures written by hand: each unit a clause counts in, the grace,
the formula, availability steps, the threshold and the caps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from calendars.engine import compiled
from calendars.spec import CalendarSpec, parse_calendar
from sla.engine.penalties import (
    AvailabilityFact,
    BreachFact,
    Lateness,
    availability_lines,
    breach_lines,
    lateness_between,
    months_in,
    totals,
)
from sla.engine.penalty_terms import (
    AvailabilityStep,
    CapScope,
    ClauseKind,
    LatenessUnit,
    PenaltyCap,
    PenaltyClause,
    PenaltyTerms,
)
from sla.penalties.compute import measuring_periods

PARIS = ZoneInfo("Europe/Paris")


def _office() -> CalendarSpec:
    hours = {day: ["09:00-12:00", "14:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
    return parse_calendar({"timezone": "Europe/Paris", "holidays": "FR", "hours": hours})


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=PARIS)


def _clause(kind: ClauseKind, **values: object) -> PenaltyClause:
    return PenaltyClause(key="c", kind=kind, label="clause", article="CCAP art. 9", **values)  # type: ignore[arg-type]


def _breach(lateness: Lateness) -> BreachFact:
    return BreachFact(1, "bloquant", "gtr", _local(5, 15), _local(6, 10), lateness)


def test_lateness_in_each_unit_from_a_friday_deadline_to_tuesday() -> None:
    """Fri 2 Oct 17:00 → Tue 6 Oct 10:00: business time Fri 17–18 (1 h), Mon 7 h, Tue 9–10
    (1 h) = 9 h; real time 89 h → 4 started days; business days with late time: Fri, Mon,
    Tue = 3."""
    late = lateness_between(compiled(_office()), _local(2, 17), _local(6, 10))
    assert late.business_seconds == 9 * 3600
    assert late.calendar_seconds == 89 * 3600
    assert (late.calendar_days, late.business_days) == (4, 3)
    assert late.started(LatenessUnit.business_hour) == 9
    assert late.started(LatenessUnit.calendar_hour) == 89


def test_a_business_target_keeps_its_own_lateness_without_the_pauses() -> None:
    """The engine's own lateness (pauses that freeze the target left out) wins over the
    calendar's count for business hours; real time still counts whole days."""
    late = lateness_between(
        compiled(_office()), _local(2, 17), _local(6, 10), own_seconds=5 * 3600, business=True
    )
    assert late.business_seconds == 5 * 3600
    assert late.calendar_days == 4


def test_started_units_count_a_second_past_the_hour_as_a_new_hour() -> None:
    late = Lateness(3600 + 1, 3600.0000001, 0, 0)
    assert late.started(LatenessUnit.business_hour) == 2
    assert late.started(LatenessUnit.calendar_hour) == 1  # to the millisecond: one hour


def test_per_unit_clauses_in_each_unit_with_a_grace() -> None:
    """9 business hours, 89 real hours, 3 business days, 4 calendar days late; 10 € a unit
    with 1 unit of grace: 80, 880, 20 and 30 €."""
    late = Lateness(9 * 3600, 89 * 3600, 3, 4)
    amounts = {
        unit: breach_lines(
            PenaltyTerms(
                (_clause(ClauseKind.per_unit, unit=unit, amount_ht=Decimal("10.00"), grace=1),)
            ),
            _breach(late),
            None,
        )[0].amount
        for unit in LatenessUnit
    }
    assert amounts == {
        LatenessUnit.business_hour: Decimal("80.00"),
        LatenessUnit.calendar_hour: Decimal("880.00"),
        LatenessUnit.business_day: Decimal("20.00"),
        LatenessUnit.calendar_day: Decimal("30.00"),
    }


def test_the_formula_takes_the_yearly_amount_when_the_clause_gives_no_value() -> None:
    """P = V × R / D: 5 429.84 × 4 / 1000 = 21.71936 → 21.72 €; with V = 1 000 and D = 3000
    (CCAG-PI): 1 000 × 4 / 3000 = 1.333… → 1.33 €."""
    late = Lateness(0, 89 * 3600, 0, 4)
    ccag_tic = PenaltyTerms((_clause(ClauseKind.formula),))
    (line,) = breach_lines(ccag_tic, _breach(late), Decimal("5429.84"))
    assert (line.units, line.amount) == (4, Decimal("21.72"))
    ccag_pi = PenaltyTerms((_clause(ClauseKind.formula, value_ht=Decimal(1000), divisor=3000),))
    assert breach_lines(ccag_pi, _breach(late), None)[0].amount == Decimal("1.33")


def test_a_clause_covers_only_its_targets_and_levels() -> None:
    clause = _clause(
        ClauseKind.per_breach, amount_ht=Decimal(30), targets=("gtr",), severities=("majeur",)
    )
    terms = PenaltyTerms((clause,))
    late = Lateness(3600, 3600, 1, 1)
    assert breach_lines(terms, _breach(late), None) == []  # bloquant
    other = BreachFact(1, "majeur", "gti", _local(5, 15), None, late)
    assert breach_lines(terms, other, None) == []
    covered = BreachFact(1, "majeur", "gtr", _local(5, 15), None, late)
    assert breach_lines(terms, covered, None)[0].amount == Decimal("30.00")


def test_availability_steps_below_the_target() -> None:
    """98 % against 99.5 %: 1.5 points short: 15 tenths × 20 € = 300 €, or 2 started points
    × 150 € = 300 €; 99.5 % measured: nothing."""
    start = datetime(2026, 10, 1, tzinfo=UTC)
    fact = AvailabilityFact(start, start + timedelta(days=31), 99.5, 98.0)
    tenth = _clause(ClauseKind.availability, amount_ht=Decimal(20))
    point = _clause(ClauseKind.availability, amount_ht=Decimal(150), step=AvailabilityStep.point)
    assert [
        (line.units, line.amount) for line in availability_lines(PenaltyTerms((tenth, point)), fact)
    ] == [(15, Decimal("300.00")), (2, Decimal("300.00"))]
    met = AvailabilityFact(start, start + timedelta(days=31), 99.5, 99.5)
    assert availability_lines(PenaltyTerms((tenth,)), met)[0].amount == Decimal("0.00")


def test_a_threshold_cancels_a_small_total() -> None:
    """30 + 40 = 70 € against a 100 € threshold (at most: exempted): nothing due; 101 € is
    due whole."""
    terms = PenaltyTerms((), threshold_ht=Decimal(100))
    small = totals(terms, [Decimal(30), Decimal(40)], yearly_amount_ht=None, months=Decimal(1))
    assert (small.subtotal, small.exempted, small.total) == (Decimal("70.00"), True, Decimal(0))
    at_threshold = totals(terms, [Decimal(100)], yearly_amount_ht=None, months=Decimal(1))
    assert at_threshold.exempted
    above = totals(terms, [Decimal("101")], yearly_amount_ht=None, months=Decimal(1))
    assert (above.exempted, above.total) == (False, Decimal("101.00"))


def test_caps_per_month_and_per_year_after_what_was_applied() -> None:
    """Yearly amount 36 000 €: a 10 % monthly cap is 10 % of 3 000 € = 300 € a month; over
    October 1–15 (15/31 of a month) 145.16 €; a 10 % yearly cap with 3 500 € already applied
    leaves 100 €: 1 000 € due → 100 €."""
    terms = PenaltyTerms(
        (),
        caps=(
            PenaltyCap(CapScope.month, percent=Decimal(10)),
            PenaltyCap(CapScope.year, percent=Decimal(10)),
        ),
    )
    capped = totals(
        terms,
        [Decimal(1000)],
        yearly_amount_ht=Decimal(36000),
        months=Decimal(1),
        already_in_year=Decimal(3500),
    )
    month, year = capped.caps
    assert (month.limit, month.reduction) == (Decimal("300.00"), Decimal("700.00"))
    assert (year.limit, year.reduction) == (Decimal("100.00"), Decimal("200.00"))
    assert capped.total == Decimal("100.00")
    half = totals(
        terms,
        [Decimal(1000)],
        yearly_amount_ht=Decimal(36000),
        months=months_in(date(2026, 10, 1), date(2026, 10, 15)),
    )
    assert half.caps[0].limit == Decimal("145.16")
    assert months_in(date(2026, 10, 1), date(2026, 12, 31)) == 3
    fixed = PenaltyTerms((), caps=(PenaltyCap(CapScope.month, amount_ht=Decimal(2000)),))
    quarter = totals(fixed, [Decimal(9000)], yearly_amount_ht=None, months=Decimal(3))
    assert quarter.total == Decimal("6000.00")  # 2 000 € a month over three months


def test_calendar_days_are_civil_days_across_the_autumn_change() -> None:
    """Late from Fri 23 Oct 09:00 to Sun 25 Oct 09:00 (49 real hours, the clocks went back):
    2 civil days, not 3; a minute more begins the third."""
    late = lateness_between(compiled(_office()), _local(23, 9), _local(25, 9))
    assert late.calendar_seconds == 49 * 3600
    assert late.calendar_days == 2
    assert lateness_between(compiled(_office()), _local(23, 9), _local(25, 9, 1)).calendar_days == 3


def test_a_statement_judges_the_measuring_periods_that_end_in_it() -> None:
    """Monthly availability: October's statement judges October. Quarterly: October's judges
    nothing (the quarter ends in December), December's judges the whole quarter, and so does
    a quarter's statement; a half month judges nothing."""
    paris = "Europe/Paris"

    def bounds(first: tuple[int, int], last: tuple[int, int]) -> tuple[datetime, datetime]:
        return (
            datetime(2026, first[0], first[1], tzinfo=PARIS).astimezone(UTC),
            datetime(2026, last[0], last[1], tzinfo=PARIS).astimezone(UTC),
        )

    october = bounds((10, 1), (11, 1))
    assert measuring_periods("month", *october, paris) == [october]
    assert measuring_periods("quarter", *october, paris) == []
    quarter = bounds((10, 1), (12, 31))
    december = bounds((12, 1), (12, 31))
    whole = (quarter[0], datetime(2027, 1, 1, tzinfo=PARIS).astimezone(UTC))
    assert measuring_periods("quarter", december[0], whole[1], paris) == [whole]
    assert measuring_periods("quarter", *whole, paris) == [whole]
    assert measuring_periods("month", *bounds((10, 1), (10, 16)), paris) == []


def test_any_shortfall_begins_a_step() -> None:
    """98.9996 % against 99 %: 0.0004 point short begins a tenth: 20 €."""
    start = datetime(2026, 10, 1, tzinfo=UTC)
    fact = AvailabilityFact(start, start + timedelta(days=31), 99.0, 98.9996)
    tenth = _clause(ClauseKind.availability, amount_ht=Decimal(20))
    assert availability_lines(PenaltyTerms((tenth,)), fact)[0].amount == Decimal("20.00")
