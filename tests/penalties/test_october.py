"""A month built by hand (`tests/penalties/period.py` writes every sum): each clause kind, the
grace, an exclusion, a cancelled breach, the availability shortfall, the caps."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlmodel import Session

from sla.contracts.models import Contract
from sla.penalties.compute import Computation, compute
from tests.penalties.period import NOW, OCTOBER, at, build_october


def _october(engine: Engine) -> tuple[dict[str, int], Computation]:
    built = build_october(engine)
    with Session(engine) as session:
        contract = session.get(Contract, built.contract_id)
        assert contract is not None
        return built.incidents, compute(session, contract, *OCTOBER, as_of=NOW)


def test_each_breach_brings_what_its_clause_says(engine: Engine) -> None:
    incidents, computation = _october(engine)
    lines = {
        (line.incident_id, line.target_key, line.clause_key): (line.units, line.amount)
        for line in computation.lines
        if line.kind == "breach"
    }
    i1, i2, i3 = incidents["i1"], incidents["i2"], incidents["i3"]
    assert lines == {
        (i1, "gtr", "gtr-bloquant"): (3, Decimal("150.00")),
        (i1, "correctif", "correctif"): (2, Decimal("24.00")),
        (i2, "prise-en-charge", "prise-en-charge"): (1, Decimal("30.00")),
        (i2, "gtr", "gtr-majeur"): (2, Decimal("40.00")),
        (i3, "gtr", "gtr-majeur"): (0, Decimal("0.00")),
    }


def test_an_exclusion_and_a_cancelled_breach_bring_nothing(engine: Engine) -> None:
    incidents, computation = _october(engine)
    charged = {line.incident_id for line in computation.lines}
    assert incidents["i4"] not in charged
    assert incidents["i5"] not in charged


def test_the_availability_shortfall_is_charged_per_started_tenth(engine: Engine) -> None:
    _, computation = _october(engine)
    (line,) = [line for line in computation.lines if line.kind == "availability"]
    assert line.units == 36
    assert line.amount == Decimal("3600.00")
    assert line.measured_percent is not None
    assert round(line.measured_percent, 4) == 95.4545


def test_the_monthly_cap_limits_the_total(engine: Engine) -> None:
    _, computation = _october(engine)
    totals = computation.totals
    assert totals.subtotal == Decimal("3844.00")
    assert not totals.exempted
    period_cap, year_cap = totals.caps
    assert (period_cap.limit, period_cap.reduction) == (Decimal("2000.00"), Decimal("1844.00"))
    assert (year_cap.limit, year_cap.reduction) == (Decimal("2400.00"), Decimal("0.00"))
    assert totals.total == Decimal("2000.00")


def test_a_milestone_after_the_instant_of_the_lines_is_not_known_yet(engine: Engine) -> None:
    """As of Mon 12 Oct 12:00: I1's correctif, due at 09:00 and resolved on the 14th, is open
    and 3 h late: 1 civil day begun → 12 000 × 1 / 1000 = 12.00 €; the deadlines after noon
    (I5's take-charge at 11:00 met, its GTR due at 15:00) bring nothing yet."""
    built = build_october(engine)
    with Session(engine) as session:
        contract = session.get(Contract, built.contract_id)
        assert contract is not None
        early = compute(session, contract, *OCTOBER, as_of=at(12, 12))
    correctif = [line for line in early.lines if line.clause_key == "correctif"]
    assert [(line.milestone_at, line.units, line.amount) for line in correctif] == [
        (None, 1, Decimal("12.00"))
    ]
    assert all(line.deadline is not None and line.deadline <= at(12, 12) for line in early.lines)
